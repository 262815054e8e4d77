// Attestations of a published image: per platform manifest, its SPDX SBOM (written by the leg,
// pipeline/legSbom.ts) and its SLSA v1 provenance (core/provenance.ts), each as an in-toto
// statement signed by the merge's signer (`cosign attest`, the same key as the signatures). The
// merge calls this only after the image is published and its tags were read back, so a failed
// image gets no attestation; a re-tagged unchanged image is not built here and gets none again:
// the merge only reads which it has (findAttestations) and says what it lacks.
// Without a signer the files stay beside the leg records, unsigned, and the run says so once.
//
// Attesting the same digest twice would add a second statement (cosign appends, as for
// signatures): a platform whose statement of that type already verifies with this key is left
// alone, which is what happens when a rebuild gives the same digest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageAttestations, PlatformAttestation } from '../core/report/runReport.js';
import type { ImageSigner } from './sign.js';
import { keylessVerifyCommandLine, verifyAttestationCommandLine, type AttestationType, type VerifyResult } from '../tools/cosign.js';

/** Whether a statement of `type` on `reference` verifies with the signer's key, or keyless with its identity. */
function verifyStatement(signer: ImageSigner, reference: string, type: AttestationType): Promise<VerifyResult> {
  return signer.method === 'keyless'
    ? signer.cosign.verifyAttestationKeyless(
        { identity: signer.identity, issuer: signer.issuer, reference, type, insecure: signer.insecure },
        signer.context,
      )
    : signer.cosign.verifyAttestation({ key: signer.publicKey, reference, type, insecure: signer.insecure }, signer.context);
}

/** Attaches `predicate` as a statement of `type` on `reference`, signed with the key or keyless. */
async function attachStatement(signer: ImageSigner, reference: string, predicate: string, type: AttestationType): Promise<void> {
  if (signer.method === 'keyless')
    await signer.cosign.attestKeyless({ reference, predicate, type, insecure: signer.insecure }, signer.context);
  else
    await signer.cosign.attest(
      { key: signer.key, reference, predicate, type, material: signer.material, insecure: signer.insecure },
      signer.context,
    );
}

/** What is said once when a merge writes SBOM and provenance without a signer. */
export function notAttestedNote(dir: string): string {
  return `hephy: no signing key: SBOMs and provenance are written beside the leg records in ${dir}, not attached (see README, Supply chain)`;
}

/** One platform manifest to attest and the predicate files for it. */
export interface PlatformPredicates {
  platform: string;
  digest: string;
  /** Absolute path of the leg's SPDX document, when it has one. */
  sbom?: string;
  /** Absolute path of the provenance predicate, when one is asked for. */
  provenance?: string;
}

/**
 * Attaches every predicate of every platform, unless a statement of that type verifies already.
 * @throws Error with cosign's reason (the caller fails the image: published, not fully attested).
 */
export async function attestImage(signer: ImageSigner, repository: string, platforms: PlatformPredicates[]): Promise<ImageAttestations> {
  const started = Date.now();
  const results: PlatformAttestation[] = [];
  for (const p of platforms) {
    const reference = `${repository}@${p.digest}`;
    const entry: PlatformAttestation = { platform: p.platform, digest: p.digest };
    const attach = async (type: AttestationType, predicate: string | undefined): Promise<PlatformAttestation['sbom']> => {
      if (!predicate) return undefined;
      const existing = await verifyStatement(signer, reference, type);
      if (existing.verified) return 'already attested';
      await attachStatement(signer, reference, predicate, type);
      return 'attested';
    };
    const sbom = await attach('spdxjson', p.sbom);
    const provenance = await attach('slsaprovenance1', p.provenance);
    if (sbom) entry.sbom = sbom;
    if (provenance) entry.provenance = provenance;
    results.push(entry);
  }
  return { platforms: results, durationMs: Date.now() - started };
}

/**
 * The SBOM and provenance statements that verify with the signer's key on each platform manifest
 * (`cosign verify-attestation`, as `hephy-builder verify` reads them: pipeline/sign.ts
 * verifyImage), for the kinds `wanted`; a platform without one has no entry of that kind.
 */
export async function findAttestations(
  signer: ImageSigner,
  repository: string,
  platforms: ReadonlyArray<{ platform: string; digest: string }>,
  wanted: { sbom: boolean; provenance: boolean },
): Promise<ImageAttestations> {
  const started = Date.now();
  const kinds = ATTESTATION_KINDS.filter(([kind]) => wanted[kind]);
  const results = await Promise.all(
    platforms.map(async (p) => {
      const entry: PlatformAttestation = { platform: p.platform, digest: p.digest };
      for (const [kind, type] of kinds) {
        const check = await verifyStatement(signer, `${repository}@${p.digest}`, type);
        if (check.verified) entry[kind] = 'already attested';
      }
      return entry;
    }),
  );
  return { platforms: results, durationMs: Date.now() - started };
}

/**
 * The `cosign verify-attestation` command of each statement the platforms carry (attested now or
 * found), in platform order: built from what is there, never from what the settings asked for.
 */
export function attestationCommands(signer: ImageSigner, repository: string, attestations: ImageAttestations): string[] {
  return attestations.platforms.flatMap((p) =>
    ATTESTATION_KINDS.filter(([kind]) => p[kind]).map(([, type]) => {
      const reference = `${repository}@${p.digest}`;
      return signer.method === 'keyless'
        ? keylessVerifyCommandLine({ identity: signer.identity, issuer: signer.issuer }, reference, type, { insecure: signer.insecure })
        : verifyAttestationCommandLine(signer.publicKeyShown, reference, type, { insecure: signer.insecure });
    }),
  );
}

/** The attestation kinds and their cosign `--type`, in the order they are named. */
const ATTESTATION_KINDS: ReadonlyArray<readonly ['sbom' | 'provenance', AttestationType]> = [
  ['sbom', 'spdxjson'],
  ['provenance', 'slsaprovenance1'],
];
const KIND_WORDS = { sbom: 'SBOM', provenance: 'provenance' } as const;

/**
 * One line for a re-tagged image that lacks an attestation its settings want, e.g. "no SBOM
 * attestation on the published digest (built by an earlier run without it); --force-rebuild to
 * make one"; undefined when nothing is missing. `platformCount`: how many platforms it has (a
 * lack on some of them names them).
 */
export function missingAttestationsNote(
  platforms: PlatformAttestation[],
  wanted: { sbom: boolean; provenance: boolean },
  platformCount = platforms.length,
): string | undefined {
  const lacking = ATTESTATION_KINDS.filter(([kind]) => wanted[kind])
    .map(([kind]) => ({ kind, where: platforms.filter((p) => !p[kind]).map((p) => p.platform) }))
    .filter((m) => m.where.length);
  if (!lacking.length) return undefined;
  const words = lacking.map((m) => KIND_WORDS[m.kind]).join(' and no ');
  const where = [...new Set(lacking.flatMap((m) => m.where))];
  const on = where.length === platformCount ? 'the published digest' : `${where.join(', ')} of the published digest`;
  const many = lacking.length > 1;
  return `no ${words} attestation on ${on} (built by an earlier run without ${many ? 'them' : 'it'}); --force-rebuild to make ${many ? 'them' : 'one'}`;
}

/** Writes a predicate as JSON (one trailing newline) and returns its path. */
export function writePredicate(dir: string, file: string, predicate: unknown): string {
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(predicate, null, 1)}\n`);
  return path;
}
