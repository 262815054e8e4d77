import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPinnedByDigest } from '../../core/oci.js';
import { repositoryProblem, referenceProblem } from '../../core/reference.js';
import { UserError } from '../../core/problem.js';
import { verifyImage } from '../../pipeline/sign.js';
import { reasonOf } from '../../pipeline/reason.js';
import { defaultImagetools } from '../../tools/imagetools.js';
import { toolEnv } from '../../tools/paths.js';
import { stringOption, type CommandSpec, type ParsedArgs } from '../args.js';
import { GITHUB_OIDC_ISSUER } from '../../tools/cosign.js';

/**
 * What verify trusts: a public key (--key), or keyless a certificate identity and issuer.
 * @throws UserError: neither or both, a missing key file, an identity or issuer that is no https:// URI.
 */
export function verifyTrustFromArgs(
  args: ParsedArgs,
  cwd: string,
): { options: { publicKey: string } | { keyless: { identity: string; issuer: string } }; shown: string } {
  const keyFile = stringOption(args, 'key');
  const identity = stringOption(args, 'certificate-identity');
  const issuer = stringOption(args, 'certificate-oidc-issuer');
  if (keyFile !== undefined && (identity !== undefined || issuer !== undefined))
    throw new UserError('--key and --certificate-identity/--certificate-oidc-issuer verify different signatures: give one of them');
  if (identity === undefined && issuer !== undefined) throw new UserError('--certificate-oidc-issuer goes with --certificate-identity URI');
  if (identity !== undefined) {
    const keyless = { identity, issuer: issuer ?? GITHUB_OIDC_ISSUER };
    for (const [flag, value] of Object.entries({ '--certificate-identity': keyless.identity, '--certificate-oidc-issuer': keyless.issuer }))
      if (!/^https:\/\/\S+$/.test(value)) throw new UserError(`${flag}: expected an https:// URI, got \`${value}\``);
    return { options: { keyless }, shown: `by ${keyless.identity} (issuer ${keyless.issuer})` };
  }
  if (!keyFile)
    throw new UserError(`--key FILE (the public key) or --certificate-identity URI (keyless) is required\nusage: ${verifyCommand.usage}`);
  const key = resolve(cwd, keyFile);
  if (!existsSync(key)) throw new UserError(`--key: no such file: ${keyFile}`);
  return { options: { publicKey: key }, shown: `with ${keyFile}` };
}

/** repository and what to resolve: `repo@sha256:...` or `repo:tag` (a bare repo means :latest). */
export function parseImageArgument(image: string): { repository: string; reference: string } {
  if (isPinnedByDigest(image)) {
    const repository = image.slice(0, image.lastIndexOf('@'));
    const problem = repositoryProblem(repository);
    if (problem) throw new UserError(`${image}: ${problem}`);
    return { repository, reference: image };
  }
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const reference = colon > slash ? image : `${image}:latest`;
  const problem = referenceProblem(reference);
  if (problem) throw new UserError(`${image}: ${problem}`);
  return { repository: reference.slice(0, reference.lastIndexOf(':')), reference };
}

export const verifyCommand: CommandSpec = {
  name: 'verify',
  summary: "Check an image's cosign signatures (its index and each platform manifest) and each platform's SBOM and provenance attestations",
  usage:
    'hephy-builder verify IMAGE (--key PUBLIC_KEY | --certificate-identity URI [--certificate-oidc-issuer URI]) [--sbom] [--provenance] [--insecure]',
  help: `  IMAGE                   registry/repository:tag or registry/repository@sha256:...
  --key FILE              the public key (cosign.pub) of the key pair the merge signed with
  --certificate-identity URI
                          keyless: the workflow that signed, as the merge summary prints it, e.g.
                          https://github.com/OWNER/REPO/.github/workflows/FILE@REF
  --certificate-oidc-issuer URI
                          keyless: the OIDC issuer (default ${GITHUB_OIDC_ISSUER}, GitHub Actions')
  --sbom                  require an SPDX SBOM attestation on every platform manifest
  --provenance            require a SLSA v1 provenance attestation on every platform manifest
  --insecure              plain http or an unverified certificate (local registries)
Reports, per platform manifest, its signature, SBOM and provenance (cosign verify-attestation).
Exits 1 when the index or any manifest it lists is not signed with the key (or by that identity),
or an attestation required by --sbom / --provenance is missing or does not verify.`,
  options: {
    key: { type: 'string' },
    'certificate-identity': { type: 'string' },
    'certificate-oidc-issuer': { type: 'string' },
    sbom: { type: 'boolean' },
    provenance: { type: 'boolean' },
    insecure: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UserError(`verify takes exactly one image\nusage: ${verifyCommand.usage}`);
    const trust = verifyTrustFromArgs(args, io.cwd);
    const { repository, reference } = parseImageArgument(args.positionals[0]);
    const env = toolEnv(io.env);
    let digest: string;
    let raw;
    try {
      digest = await defaultImagetools.indexDigest(reference, env);
      raw = await defaultImagetools.inspectRaw(`${repository}@${digest}`, env);
    } catch (error) {
      throw new UserError(`cannot read ${reference}: ${reasonOf(error)}`);
    }
    const result = await verifyImage(repository, digest, raw, {
      ...trust.options,
      insecure: Boolean(args.values.insecure),
      context: { env },
      require: { sbom: Boolean(args.values.sbom), provenance: Boolean(args.values.provenance) },
    });
    io.out(`${reference} -> ${digest}\n`);
    const width = Math.max(...result.manifests.map((m) => m.what.length));
    for (const m of result.manifests) {
      const state = m.result.verified ? 'signed' : `NOT signed: ${m.result.reason}`;
      io.out(`  ${m.what.padEnd(width)}  ${m.digest}  ${state}\n`);
      for (const [name, check] of [
        ['SBOM', m.sbom],
        ['provenance', m.provenance],
      ] as const) {
        if (check) io.out(`  ${''.padEnd(width)}  ${name.padEnd(10)}  ${check.verified ? 'attested' : `none: ${check.reason}`}\n`);
      }
    }
    const bad = result.manifests.filter((m) => !m.result.verified).length;
    const missing = (key: 'sbom' | 'provenance') => result.manifests.filter((m) => m[key] && !m[key].verified).length;
    const platforms = result.manifests.filter((m) => m.sbom).length;
    const attested = `SBOM on ${platforms - missing('sbom')}, provenance on ${platforms - missing('provenance')} of ${platforms} platform(s)`;
    io.out(
      result.ok
        ? `verified: ${result.manifests.length} manifest(s) signed ${trust.shown}; ${attested}\n`
        : bad
          ? `FAILED: ${bad} of ${result.manifests.length} manifest(s) not signed ${trust.shown}; ${attested}\n`
          : `FAILED: a required attestation is missing: ${attested}\n`,
    );
    return result.ok ? 0 : 1;
  },
};
