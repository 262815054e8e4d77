// The variables `${VAR}` in a config may expand from: only those passed on purpose (the action's
// and reusable workflow's `build-env` input, `--build-env` on the CLI) and a documented set of
// GitHub context values that carry no secret. Never the whole environment of the runner or the
// action: INPUT_PASSWORD, ACTIONS_RUNTIME_TOKEN or a registry password must not be one
// `${...}` away from an image's history.
import type { ConfigPath } from './config/locator.js';
import type { BuildConfig } from './config/schema.js';
import { UserError, type Problem } from './problem.js';

/**
 * GitHub's default variables that are safe to put into an image: names of the run, the commit and
 * the ref, never a token or a URL with credentials. (docs: "Store information in variables",
 * default environment variables.) A ref name comes from whoever pushed it: it is a value, never a
 * flag (core/grammar/, the tool wrappers).
 */
export const SAFE_GITHUB_VARIABLES: readonly string[] = [
  'GITHUB_SHA',
  'GITHUB_REF',
  'GITHUB_REF_NAME',
  'GITHUB_REF_TYPE',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_NUMBER',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_REPOSITORY',
  'GITHUB_REPOSITORY_OWNER',
  'GITHUB_EVENT_NAME',
  'GITHUB_WORKFLOW',
  'GITHUB_HEAD_REF',
  'GITHUB_BASE_REF',
];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names that hold a credential: hephy-builder's own logins, the action's inputs and the runner's
 * tokens, and any name that says it is a password, token, secret or key. A build argument ends
 * up in the image's history, readable by anyone who can pull it: such a value is passed with the
 * `secrets:` key (BuildKit mounts it for one RUN step), never through build-env.
 */
const CREDENTIAL_NAME = /^(INPUT_|ACTIONS_)|PASSWORD|PASSWD|TOKEN|SECRET|PRIVATE_KEY|API_KEY|CREDENTIAL/i;

/** True when `name` looks like it holds a credential (CREDENTIAL_NAME). */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/** A build-env entry's name, checked: a variable name that holds no credential. */
function entryName(entry: string): string {
  const eq = entry.indexOf('=');
  const name = (eq < 0 ? entry : entry.slice(0, eq)).trim();
  if (!NAME.test(name)) throw new UserError(`build-env: \`${name}\` is not a variable name (expected NAME or NAME=VALUE)`);
  if (isCredentialName(name)) {
    throw new UserError(
      `build-env: ${name} looks like a credential, and a build argument is readable in the image's history: pass it with the secrets: key (BuildKit), never as a build argument`,
    );
  }
  return name;
}

/**
 * The build environment from `NAME` or `NAME=VALUE` entries (one per input line or per
 * `--build-env` flag): `NAME` takes the value from `from` (the job's environment; an unset one is
 * an error naming it), `NAME=VALUE` gives it. The safe GitHub values present in `from` come first;
 * an entry overrides them.
 * @throws UserError naming the entry that is not a variable name or not set.
 */
export function buildEnvironment(entries: readonly string[], from: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SAFE_GITHUB_VARIABLES) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  for (const raw of entries) {
    const entry = raw.replace(/\r$/, '');
    if (entry.trim() === '' || entry.trimStart().startsWith('#')) continue;
    const eq = entry.indexOf('=');
    const name = entryName(entry);
    if (eq >= 0) {
      env[name] = entry.slice(eq + 1);
      continue;
    }
    const value = from[name];
    if (value === undefined) throw new UserError(`build-env: ${name} is not set in the environment`);
    env[name] = value;
  }
  return env;
}

/**
 * The build environment as far as `from` holds it: a NAME entry whose value `from` lacks is left
 * out instead of refused. For the plan job, which may not be given the build job's values: a leg
 * whose config needs one gets no input digest then, and is always built.
 * @throws UserError for a malformed entry, as buildEnvironment.
 */
export function availableBuildEnvironment(entries: readonly string[], from: Record<string, string | undefined>): Record<string, string> {
  const available = entries.filter((raw) => {
    const entry = raw.replace(/\r$/, '');
    if (entry.trim() === '' || entry.trimStart().startsWith('#') || entry.includes('=')) return true;
    return from[entryName(entry)] !== undefined;
  });
  return buildEnvironment(available, from);
}

/** Entries of a multi-line input (`build-env: |` one NAME or NAME=VALUE per line). */
export function buildEnvLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;

/** The variable names `${NAME}` / `${NAME:-x}` in `text` refers to. */
export function referencedVariables(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE)) if (match[1]) names.push(match[1]);
  return names;
}

/** The names a `build-env` input or `--build-env` flags pass (NAME or NAME=VALUE entries; values ignored). */
export function buildEnvNames(entries: readonly string[]): string[] {
  return entries
    .map((raw) => raw.replace(/\r$/, ''))
    .filter((entry) => entry.trim() !== '' && !entry.trimStart().startsWith('#'))
    .map(entryName);
}

const REQUIRED_REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g;

/** The config lists whose entries `${VAR}` expands in (core/expand.ts, the backends). */
const EXPANDED_LISTS: { path: ConfigPath; values: (config: BuildConfig) => readonly string[] | undefined }[] = [
  { path: ['build_args'], values: (c) => c.build_args },
  { path: ['ko_config', 'env'], values: (c) => c.ko_config?.env },
  { path: ['ko_config', 'ldflags'], values: (c) => c.ko_config?.ldflags },
  { path: ['ko_config', 'flags'], values: (c) => c.ko_config?.flags },
];

/**
 * Plan-time check of a config's `${NAME}` references (those without a `:-default`) against the
 * names the build environment will hold: `passed` (build-env) and the safe GitHub values. One
 * error per unknown reference, at its entry, naming the variable: the build would fail on it, or
 * worse, someone meant a secret of the runner.
 */
export function unknownVariableProblems(
  config: BuildConfig,
  file: string,
  locate: ((path: ConfigPath) => { line: number; column: number }) | undefined,
  passed: readonly string[],
): Problem[] {
  const known = new Set([...SAFE_GITHUB_VARIABLES, ...passed]);
  const problems: Problem[] = [];
  for (const { path, values } of EXPANDED_LISTS) {
    (values(config) ?? []).forEach((value, i) => {
      for (const match of value.matchAll(REQUIRED_REFERENCE)) {
        const name = match[1];
        if (!name || match[2] !== undefined || known.has(name)) continue;
        const entry: ConfigPath = [...path, i];
        problems.push({
          file,
          ...(locate?.(entry) ?? { line: 1, column: 1 }),
          path: `${path.join('.')}[${i}]`,
          message: `\${${name}} is not in the build environment: only build-env and the safe GitHub values (${SAFE_GITHUB_VARIABLES.slice(0, 3).join(', ')}, ...) expand`,
          hint: isCredentialName(name)
            ? 'a credential never goes into a build argument (it is readable in the image): use the secrets: key with BuildKit'
            : `pass it on purpose with the build-env input (--build-env ${name}), or write \${${name}:-default}`,
          severity: 'error',
        });
      }
    });
  }
  return problems;
}
