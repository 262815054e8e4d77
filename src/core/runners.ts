// Which runner builds each platform. Native runners by default (arm64 on GitHub's arm runners, no
// QEMU); a platform without a runner of its own runs on the fallback runner, emulated with QEMU
// unless its backend cross-compiles (ko, Spin), which runs no code of the target platform.
import { isMap, isScalar, LineCounter, parseDocument, type Pair } from 'yaml';
import { suggest } from './config/didYouMean.js';
import { formatPlatform, isPlatformError, isWasm, normalizePlatform, parsePlatform } from './platform.js';
import { UserError, type Problem } from './problem.js';

/**
 * A runner group, with or without labels: the mapping form of `runs-on` (GitHub workflow syntax,
 * jobs.<job_id>.runs-on: "group" and "labels"; a job goes to a runner of the group that has every
 * label).
 */
export interface RunnerGroup {
  group?: string;
  labels?: string | string[];
}

/**
 * A runner, in any form `runs-on` takes: one label (`ubuntu-24.04-arm`), a list of labels a
 * runner must all have (`[self-hosted, ARM64]`), or a group with labels. The plan, the matrix and
 * the leg records keep the form the map gave: a single label stays a string.
 */
export type Runner = string | string[] | RunnerGroup;

/** Platform (normalised) -> runner, plus an optional `default` for platforms without one. */
export type RunnerMap = Record<string, Runner>;

export const FALLBACK_KEY = 'default';

/**
 * GitHub-hosted runners. `ubuntu-24.04-arm` is free for public repositories only; a private
 * repository maps linux/arm64 to a runner of its own (README: Runners).
 */
export const DEFAULT_RUNNERS: Readonly<RunnerMap> = Object.freeze({
  'linux/amd64': 'ubuntu-latest',
  'linux/arm64': 'ubuntu-24.04-arm',
  // Spin compiles to wasm on any host; one leg on the cheapest runner.
  'wasi/wasm32': 'ubuntu-latest',
});

export interface RunnerChoice {
  runner: Runner;
  /** True when the leg runs target-platform code on a runner of another architecture: QEMU. */
  emulated: boolean;
}

/**
 * The runner of a platform. `crossCompiles` (core/backendTraits.ts): the backend builds for any
 * CPU without running its code, so a platform without a runner of its own is not emulated.
 */
export function runnerFor(platform: string, map: RunnerMap = DEFAULT_RUNNERS, crossCompiles = false): RunnerChoice {
  const mapped = map[normalizePlatform(platform)];
  if (mapped) return { runner: mapped, emulated: false };
  // Emulate on the amd64 runner unless told otherwise: it is the one every map has.
  const fallback = map[FALLBACK_KEY] ?? map['linux/amd64'] ?? DEFAULT_RUNNERS['linux/amd64'];
  return { runner: fallback, emulated: !isWasm(platform) && !crossCompiles };
}

/** A runner as one line of text, for tables and logs: `ubuntu-latest`, `[self-hosted, ARM64]`, `{group: arm, labels: [linux]}`. */
export function formatRunner(runner: Runner): string {
  if (typeof runner === 'string') return runner;
  if (Array.isArray(runner)) return `[${runner.join(', ')}]`;
  const parts = [
    ...(runner.group !== undefined ? [`group: ${runner.group}`] : []),
    ...(runner.labels !== undefined ? [`labels: ${formatRunner(runner.labels)}`] : []),
  ];
  return `{${parts.join(', ')}}`;
}

// A runner label as GitHub's runner registration takes it: no spaces, no commas (the config
// script reads `--labels a,b`); the length is GitHub's limit for a label name.
const RUNNER_LABEL = /^[^\s,]{1,100}$/;
// Runner group names may hold spaces; one line, no control characters.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const GROUP_NAME = /^(?! )[^\u0000-\u001f\u007f]{1,100}(?<! )$/;
const GROUP_KEYS = ['group', 'labels'];
const EXAMPLE = '{"linux/arm64": "ubuntu-24.04-arm"}';
const FORMS = 'a runner label, a list of labels like [self-hosted, ARM64], or {group: NAME, labels: [...]}';

/** A label, or a reason it is none. */
function labelProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `a label is a string, got ${JSON.stringify(value)}`;
  if (!RUNNER_LABEL.test(value)) return `${JSON.stringify(value)} is not a runner label (one word without spaces or commas)`;
  return undefined;
}

function labelsProblem(value: unknown): string | undefined {
  if (typeof value === 'string') return labelProblem(value);
  if (!Array.isArray(value)) return `labels are a label or a list of labels, got ${JSON.stringify(value)}`;
  if (value.length === 0) return 'the list of labels is empty';
  for (const item of value) {
    const problem = labelProblem(item);
    if (problem) return problem;
  }
  return undefined;
}

/** The runner a map entry names, or why it names none. */
function readRunner(value: unknown): { runner: Runner } | { problem: string; hint?: string } {
  if (typeof value === 'string' || Array.isArray(value)) {
    const problem = labelsProblem(value);
    return problem ? { problem: `${problem}; expected ${FORMS}` } : { runner: value as string | string[] };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [key] of entries) {
      if (!GROUP_KEYS.includes(key)) {
        const meant = suggest(key, GROUP_KEYS);
        return {
          problem: `unknown key \`${key}\` (runs-on takes group and labels)`,
          hint: meant ? `did you mean \`${meant}\`?` : undefined,
        };
      }
    }
    const { group, labels } = value as { group?: unknown; labels?: unknown };
    if (group === undefined && labels === undefined) return { problem: `expected group, labels or both; ${FORMS}` };
    if (group !== undefined && (typeof group !== 'string' || !GROUP_NAME.test(group))) {
      return { problem: `group must be a runner group's name (one line), got ${JSON.stringify(group)}` };
    }
    const problem = labels === undefined ? undefined : labelsProblem(labels);
    if (problem) return { problem };
    return {
      runner: {
        ...(group !== undefined ? { group: group as string } : {}),
        ...(labels !== undefined ? { labels: labels as string | string[] } : {}),
      },
    };
  }
  return { problem: `expected ${FORMS}, got ${JSON.stringify(value)}` };
}

/**
 * Reads a runner map override, given as a JSON or YAML mapping, e.g.
 * `{"linux/arm64": "my-arm-runner"}`, `linux/arm64: [self-hosted, ARM64]` or
 * `linux/arm64: {group: arm-runners, labels: [linux]}`: each value is what `runs-on` takes.
 * Entries replace the defaults one by one; `default` names the runner for platforms without one;
 * `null` removes a platform's runner, so its legs run on the default runner (cross-compiled, or
 * under QEMU). Empty text: the defaults.
 * @throws UserError naming `source` and every bad entry with its line.
 */
export function parseRunnerMap(text: string, source = 'runner map'): RunnerMap {
  if (text.trim() === '') return { ...DEFAULT_RUNNERS };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const reason = doc.errors[0].message.split('\n')[0];
    throw new UserError(`${source}: not valid JSON or YAML (${reason}); expected a mapping like ${EXAMPLE}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !isMap(doc.contents)) {
    throw new UserError(`${source}: expected a mapping of platform to runner, like ${EXAMPLE}`);
  }
  const lineOf = new Map<string, number>();
  for (const pair of doc.contents.items as Pair[]) {
    const start = (pair.key as { range?: [number, number] } | null)?.range?.[0];
    if (isScalar(pair.key) && start !== undefined) lineOf.set(String(pair.key.value), lineCounter.linePos(start).line);
  }
  const problems: Problem[] = [];
  const map: RunnerMap = { ...DEFAULT_RUNNERS };
  const fail = (key: string, message: string, hint?: string) =>
    problems.push({ file: source, line: lineOf.get(key) ?? 1, column: 1, path: key, message, hint, severity: 'error' });
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    let platform = key;
    if (key !== FALLBACK_KEY) {
      const parsed = parsePlatform(key);
      if (isPlatformError(parsed)) {
        fail(key, `${parsed.reason}; keys are platforms like linux/arm64, or \`default\``, parsed.hint);
        continue;
      }
      platform = formatPlatform(parsed);
    }
    if (value === null) {
      if (key === FALLBACK_KEY) {
        fail(key, 'the default runner cannot be removed: platforms without a runner of their own run on it');
        continue;
      }
      delete map[platform];
      continue;
    }
    const read = readRunner(value);
    if ('problem' in read) {
      fail(key, read.problem, read.hint);
      continue;
    }
    map[platform] = read.runner;
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.path} (line ${p.line}): ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
    throw new UserError(
      `${source}: ${problems.length === 1 ? 'a bad entry' : `${problems.length} bad entries`}\n${lines.join('\n')}`,
      problems,
    );
  }
  return map;
}
