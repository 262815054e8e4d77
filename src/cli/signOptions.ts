// `--sign-key FILE` of merge and run: sign every published image with a cosign key pair's private
// key. Its password comes from HEPHY_COSIGN_PASSWORD, else COSIGN_PASSWORD (the variable cosign
// generate-key-pair itself reads); never an option: it would show in `ps` and in shell history.
// A key without a password needs none.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../core/problem.js';
import { createSigner, type Signer } from '../pipeline/sign.js';
export { NOT_SIGNED_NOTE } from '../pipeline/sign.js';
import { stringOption, type CliIO, type ParsedArgs } from './args.js';

export const signOptions = {
  'sign-key': { type: 'string' },
} as const;

export const signHelp = `  --sign-key FILE         sign each published image (its index and, recursively, its platform
                          manifests) with this cosign private key (cosign generate-key-pair);
                          its password from env HEPHY_COSIGN_PASSWORD (else COSIGN_PASSWORD).
                          Without it nothing is signed`;

/**
 * `--sign-key FILE` as given, checked to name a file (relative to cwd), for the commands that only
 * note the key (plan) or use it later (run): the same error merge gives, before any work.
 * @throws UserError `--sign-key: no such file: FILE`
 */
export function signKeyFromArgs(args: ParsedArgs, io: Pick<CliIO, 'cwd'>): string | undefined {
  const keyFile = stringOption(args, 'sign-key');
  if (keyFile === undefined) return undefined;
  let file = false;
  try {
    file = statSync(resolve(io.cwd, keyFile)).isFile();
  } catch {
    // missing or unreadable: said below
  }
  if (!file) throw new UserError(`--sign-key: no such file: ${keyFile}`);
  return keyFile;
}

/** The key's password: HEPHY_COSIGN_PASSWORD, else cosign's own COSIGN_PASSWORD. */
export function signPasswordFrom(env: NodeJS.ProcessEnv): string | undefined {
  return env.HEPHY_COSIGN_PASSWORD ?? env.COSIGN_PASSWORD;
}

/** The signer of --sign-key, or undefined without the option. @throws UserError (no file, wrong password). */
export async function signerFromArgs(
  args: ParsedArgs,
  io: CliIO,
  context: { env: NodeJS.ProcessEnv; secrets?: string[]; insecure?: boolean },
): Promise<Signer | undefined> {
  const keyFile = stringOption(args, 'sign-key');
  if (keyFile === undefined) return undefined;
  const password = signPasswordFrom(io.env);
  return createSigner({
    keyFile,
    cwd: io.cwd,
    password,
    env: context.env,
    secrets: context.secrets,
    insecure: context.insecure,
  });
}
