// Which runner builds each platform. Native runners by default (arm64 on GitHub's arm runners, no
// QEMU); a platform without a runner of its own is emulated with QEMU on the fallback runner.
import { parse } from 'yaml';
import { formatPlatform, isPlatformError, isWasm, normalizePlatform, parsePlatform } from './platform.js';
import { UserError, type Problem } from './problem.js';

/** Platform (normalised) -> runner label, plus an optional `default` for emulated platforms. */
export type RunnerMap = Record<string, string>;

export const FALLBACK_KEY = 'default';

export const DEFAULT_RUNNERS: Readonly<RunnerMap> = Object.freeze({
  'linux/amd64': 'ubuntu-latest',
  'linux/arm64': 'ubuntu-24.04-arm',
  // Spin compiles to wasm on any host; one leg on the cheapest runner.
  'wasi/wasm32': 'ubuntu-latest',
});

export interface RunnerChoice {
  runner: string;
  /** True when no runner is mapped for the platform and QEMU emulates it on the fallback. */
  emulated: boolean;
}

export function runnerFor(platform: string, map: RunnerMap = DEFAULT_RUNNERS): RunnerChoice {
  const mapped = map[normalizePlatform(platform)];
  if (mapped) return { runner: mapped, emulated: false };
  // Emulate on the amd64 runner unless told otherwise: it is the one every map has.
  const fallback = map[FALLBACK_KEY] ?? map['linux/amd64'] ?? DEFAULT_RUNNERS['linux/amd64'];
  return { runner: fallback, emulated: !isWasm(platform) };
}

const RUNNER_LABEL = /^[^\s,]+$/;

/**
 * Reads a runner map override, given as JSON or YAML mapping, e.g.
 * `{"linux/arm64": "my-arm-runner"}` or `linux/arm64: my-arm-runner`. Entries replace the
 * defaults one by one; `default` names the runner for emulated platforms. Empty text: defaults.
 */
export function parseRunnerMap(text: string, source = 'runner map'): RunnerMap {
  if (text.trim() === '') return { ...DEFAULT_RUNNERS };
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UserError(`${source}: not valid JSON or YAML (${reason}); expected a mapping like {"linux/arm64": "ubuntu-24.04-arm"}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(`${source}: expected a mapping of platform to runner label, like {"linux/arm64": "ubuntu-24.04-arm"}`);
  }
  const problems: Problem[] = [];
  const map: RunnerMap = { ...DEFAULT_RUNNERS };
  const fail = (key: string, message: string, hint?: string) =>
    problems.push({ file: source, line: 1, column: 1, path: key, message, hint, severity: 'error' });
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (typeof value !== 'string' || !RUNNER_LABEL.test(value)) {
      fail(key, `expected one runner label (a word without spaces), got ${JSON.stringify(value)}`);
      continue;
    }
    if (key === FALLBACK_KEY) {
      map[FALLBACK_KEY] = value;
      continue;
    }
    const platform = parsePlatform(key);
    if (isPlatformError(platform)) {
      fail(key, `${platform.reason}; keys are platforms like linux/arm64, or \`default\``, platform.hint);
      continue;
    }
    map[formatPlatform(platform)] = value;
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
    throw new UserError(
      `${source}: ${problems.length === 1 ? 'a bad entry' : `${problems.length} bad entries`}\n${lines.join('\n')}`,
      problems,
    );
  }
  return map;
}
