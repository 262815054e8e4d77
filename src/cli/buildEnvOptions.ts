// `--build-env NAME[=VALUE]` (repeatable) on plan, build and run: the variables `${VAR}` in a
// config may expand from, passed on purpose (core/buildEnv.ts). Without it, only the safe GitHub
// values are there.
import { buildEnvironment } from '../core/buildEnv.js';
import type { ParsedArgs } from './args.js';

export const buildEnvOption = { 'build-env': { type: 'string', multiple: true } } as const;

export const BUILD_ENV_HELP =
  '  --build-env NAME[=VALUE]  a variable ${NAME} in build_args or ko_config may expand from (repeatable); NAME alone takes its value from this shell';

/** The build environment of this command line. @throws UserError for a bad or unset entry. */
export function buildEnvFromArgs(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return buildEnvironment(buildEnvEntries(args), env);
}

/** The `--build-env` entries as given, NAME or NAME=VALUE. */
export function buildEnvEntries(args: ParsedArgs): string[] {
  const raw = args.values['build-env'];
  return Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
}
