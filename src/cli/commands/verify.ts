import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPinnedByDigest } from '../../core/oci.js';
import { repositoryProblem, referenceProblem } from '../../core/reference.js';
import { UserError } from '../../core/problem.js';
import { verifyImage } from '../../pipeline/sign.js';
import { reasonOf } from '../../pipeline/reason.js';
import { defaultImagetools } from '../../tools/imagetools.js';
import { toolEnv } from '../../tools/paths.js';
import { stringOption, type CommandSpec } from '../args.js';

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
  usage: 'hephy-builder verify IMAGE --key PUBLIC_KEY [--sbom] [--provenance] [--insecure]',
  help: `  IMAGE                   registry/repository:tag or registry/repository@sha256:...
  --key FILE              the public key (cosign.pub) of the key pair the merge signed with
  --sbom                  require an SPDX SBOM attestation on every platform manifest
  --provenance            require a SLSA v1 provenance attestation on every platform manifest
  --insecure              plain http or an unverified certificate (local registries)
Reports, per platform manifest, its signature, SBOM and provenance (cosign verify-attestation).
Exits 1 when the index or any manifest it lists is not signed with the key, or an attestation
required by --sbom / --provenance is missing or does not verify.`,
  options: {
    key: { type: 'string' },
    sbom: { type: 'boolean' },
    provenance: { type: 'boolean' },
    insecure: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UserError(`verify takes exactly one image\nusage: ${verifyCommand.usage}`);
    const keyFile = stringOption(args, 'key');
    if (!keyFile) throw new UserError(`--key FILE is required (the public key)\nusage: ${verifyCommand.usage}`);
    const key = resolve(io.cwd, keyFile);
    if (!existsSync(key)) throw new UserError(`--key: no such file: ${keyFile}`);
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
      publicKey: key,
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
        ? `verified: ${result.manifests.length} manifest(s) signed with ${keyFile}; ${attested}\n`
        : bad
          ? `FAILED: ${bad} of ${result.manifests.length} manifest(s) not signed with ${keyFile}; ${attested}\n`
          : `FAILED: a required attestation is missing: ${attested}\n`,
    );
    return result.ok ? 0 : 1;
  },
};
