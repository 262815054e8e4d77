// Registry options shared by `build` and `merge`: where to push, and how to log in without a
// password on the command line (stdin or the HEPHY_REGISTRY_PASSWORD variable).
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { toolEnv } from '../tools/paths.js';
import { UserError } from '../core/problem.js';
import { parseTagMode, type PublishOptions } from '../core/tags.js';
import { normalizeRegistry, registryLogin } from '../tools/registryAuth.js';
import { removeOnExit } from './tempLogin.js';
import { imagePrefixOption, imagePrefixOptions, stringOption, type CliIO, type ParsedArgs } from './args.js';

export const registryOptions = {
  registry: { type: 'string' },
  ...imagePrefixOptions,
  'tag-mode': { type: 'string' },
  insecure: { type: 'boolean' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;

export const registryHelp = `  --registry HOST[:PORT]  registry to push to (required)
  --image-prefix PATH     path under the registry (default: hephy)
  --tag-mode MODE         per-image (default) or single-repo
  --insecure              plain http (local registries)
  --username USER         log in as USER; the password comes from stdin (--password-stdin)
  --password-stdin        or from the HEPHY_REGISTRY_PASSWORD variable, never from the command line`;

export interface RegistryChoice {
  publish: PublishOptions;
  insecure: boolean;
  env: NodeJS.ProcessEnv;
  secrets: string[];
  /** Removes the temporary login (also done on exit and on SIGINT/SIGTERM); a no-op without one. */
  release(): void;
}

/**
 * Where to push and the login for it. login false (`--dry-run`): no login at all, whatever
 * credentials are given, since nothing talks to the registry with them.
 */
export function registryFromArgs(args: ParsedArgs, io: CliIO, { login = true }: { login?: boolean } = {}): RegistryChoice {
  const given = stringOption(args, 'registry');
  if (!given) throw new UserError('--registry HOST[:PORT] is required');
  const registry = normalizeRegistry(given);
  const mode = parseTagMode(stringOption(args, 'tag-mode'), '--tag-mode');
  const publish: PublishOptions = {
    registry,
    prefix: imagePrefixOption(args) ?? 'hephy',
    mode,
    perArchTags: false,
  };
  const env = toolEnv(io.env);
  const username = stringOption(args, 'username');
  const anonymous = { publish, insecure: Boolean(args.values.insecure), env, secrets: [], release: () => undefined };
  if (!username || !login) return anonymous;
  const password = args.values['password-stdin'] ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : io.env.HEPHY_REGISTRY_PASSWORD;
  if (!password) throw new UserError('--username needs a password: pipe it to --password-stdin, or set HEPHY_REGISTRY_PASSWORD');
  const creds = { registry, username, password };
  const session = registryLogin(env, creds, tmpdir());
  const { release } = removeOnExit(session.dir);
  return { ...anonymous, env: session.env, secrets: session.secrets, release };
}
