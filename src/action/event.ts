// The webhook payload of the run (GITHUB_EVENT_PATH), read defensively: a missing or odd file
// means "no event details", never a crash.
import { readFileSync } from 'node:fs';

/** The parts of a webhook payload hephy-builder reads; every field may be absent. */
export interface EventPayload {
  [key: string]: unknown;
  pull_request?: { number?: number; head?: { sha?: string; repo?: { full_name?: string } }; base?: { sha?: string } };
  repository?: { default_branch?: string; full_name?: string };
}

export function eventPayload(): EventPayload {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    const data = JSON.parse(readFileSync(path, 'utf8'));
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {};
  }
}
