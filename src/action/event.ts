// The webhook payload of the run (GITHUB_EVENT_PATH), read defensively: a missing or odd file
// means "no event details", never a crash.
import { readFileSync } from 'node:fs';

export function eventPayload(): Record<string, any> {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    const data = JSON.parse(readFileSync(path, 'utf8'));
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {};
  }
}
