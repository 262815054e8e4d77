// The runner's environment, read once per command: GITHUB_*, RUNNER_* and ACTIONS_RUNTIME_TOKEN,
// and the event payload at GITHUB_EVENT_PATH. Everything else in the action takes the RunContext
// this returns (what each field means: src/core/runContext.ts).
// Not @actions/github's `context`: it throws on a malformed payload file, reads process.env only
// (a test must change the process's environment), and has no RUNNER_TEMP, GITHUB_WORKSPACE or
// default branch.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runContextFromEnvironment, type RunContext } from '../core/runContext.js';

/** The webhook payload as JSON; a missing or unreadable file means "no event details", never a crash. */
function readEventPayload(path: string | undefined): unknown {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  return runContextFromEnvironment(env, readEventPayload(env.GITHUB_EVENT_PATH), { cwd: process.cwd(), tempDir: tmpdir() });
}
