// Key-based signatures of published images (cosign), and their verification for the user.
//
// The merge signs an image only once it is published and its tags were read back (merge.ts), so
// a failed image never gets a signature. The index is signed recursively: one signature on the
// index and one on each manifest it lists, so a pull by platform (which resolves the platform's
// digest) is covered too. Signing the same digest twice would add a second signature (cosign
// appends to the referrers/fallback index), so an image whose index and platform manifests all
// verify with this key already is left alone ("already signed"): a rebuild with the same inputs
// gives the same digests, and then costs one verification per manifest, not new signatures.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ImageSignature } from '../core/report/runReport.js';
import { isIndex, type ManifestDocument } from '../core/oci.js';
import { UserError } from '../core/problem.js';
import {
  type AttestationType,
  defaultCosign,
  GITHUB_OIDC_ISSUER,
  keylessEnvironmentProblem,
  offlineMaterial,
  verifyCommandLine,
  keylessVerifyCommandLine,
  type Cosign,
  type CosignContext,
  type OfflineMaterial,
  type VerifyResult,
} from '../tools/cosign.js';

/** What is said once when a merge publishes without a key. */
export const NOT_SIGNED_NOTE = 'hephy: no --sign-key: images are published unsigned (see README, Signatures)';

/** A signer for one merge: the key, its public half, and the offline signing material. */
export interface Signer {
  method?: 'key';
  /** The private key file (absolute). */
  key: string;
  /** A public key file to verify with (derived from the private key). */
  publicKey: string;
  /** What the summary tells the user to pass as --key: the key pair's .pub file, when it matches. */
  publicKeyShown: string;
  insecure: boolean;
  context: CosignContext;
  material: OfflineMaterial;
  cosign: Cosign;
  dispose(): void;
}

export interface SignerOptions {
  /** The private key file, as the user gave it (relative to cwd). */
  keyFile: string;
  cwd: string;
  password?: string;
  env: NodeJS.ProcessEnv;
  secrets?: string[];
  insecure?: boolean;
  /** Where to write the public key for the user when the key has no matching .pub beside it. */
  publicKeyOut?: string;
  cosign?: Cosign;
}

/** PEM text without blank differences. */
function pemOf(text: string): string {
  return text.replace(/\r/g, '').trim();
}

/**
 * Checks the key file and derives its public key (which also checks the password), once per merge.
 * @throws UserError: no such key file, or cosign cannot read it (a wrong password says so).
 */
export async function createSigner(options: SignerOptions): Promise<Signer> {
  const key = resolve(options.cwd, options.keyFile);
  if (!existsSync(key)) throw new UserError(`--sign-key: no such file: ${options.keyFile}`);
  const cosign = options.cosign ?? defaultCosign;
  const context: CosignContext = { env: options.env, password: options.password, secrets: options.secrets };
  const dir = mkdtempSync(join(tmpdir(), 'hephy-sign-'));
  const material = offlineMaterial();
  const dispose = () => {
    material.dispose();
    rmSync(dir, { recursive: true, force: true });
  };
  const publicKey = join(dir, 'cosign.pub');
  try {
    await cosign.publicKey(key, publicKey, context);
  } catch (error) {
    dispose();
    throw new UserError(`--sign-key ${options.keyFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // cosign generate-key-pair writes cosign.key and cosign.pub side by side: name the .pub when it
  // is this key's, so the printed command works as it is.
  const sibling = key.replace(/\.key$/, '.pub');
  let publicKeyShown = '<public key: cosign public-key --key KEY>';
  if (sibling !== key && existsSync(sibling) && pemOf(readFileSync(sibling, 'utf8')) === pemOf(readFileSync(publicKey, 'utf8')))
    publicKeyShown = sibling;
  else if (options.publicKeyOut) {
    copyFileSync(publicKey, options.publicKeyOut);
    publicKeyShown = options.publicKeyOut;
  }
  return {
    key,
    publicKey,
    publicKeyShown,
    insecure: Boolean(options.insecure),
    context,
    material: { signingConfig: material.signingConfig, trustedRoot: material.trustedRoot },
    cosign,
    dispose,
  };
}

/**
 * A keyless signer for one merge on a GitHub runner: cosign gets the job's OIDC token itself
 * (tools/cosign.ts); `identity` is what Fulcio puts in the certificate, the `job_workflow_ref`
 * claim as a URL, which for a reusable workflow names the called workflow, not its caller.
 */
export interface KeylessSigner {
  method: 'keyless';
  /** https://github.com/OWNER/REPO/.github/workflows/FILE@REF */
  identity: string;
  /** https://token.actions.githubusercontent.com */
  issuer: string;
  insecure: boolean;
  context: CosignContext;
  cosign: Cosign;
  dispose(): void;
}

export type ImageSigner = Signer | KeylessSigner;

/**
 * The keyless signer of a merge job.
 * @throws UserError when the job has no OIDC token to sign with (no `id-token: write`): before any image is published.
 */
export function createKeylessSigner(options: {
  identity: string;
  issuer?: string;
  env: NodeJS.ProcessEnv;
  secrets?: string[];
  insecure?: boolean;
  cosign?: Cosign;
}): KeylessSigner {
  const problem = keylessEnvironmentProblem(options.env);
  if (problem) throw new UserError(problem);
  return {
    method: 'keyless',
    identity: options.identity,
    issuer: options.issuer ?? GITHUB_OIDC_ISSUER,
    insecure: Boolean(options.insecure),
    context: { env: options.env, secrets: options.secrets },
    cosign: options.cosign ?? defaultCosign,
    dispose: () => undefined,
  };
}

/**
 * Signs a published image by digest: `repository@digest` recursively, unless it and every one of
 * `manifests` (the digests its index lists) already verify with this key (or, keyless, with this
 * identity and issuer).
 * @throws Error with cosign's reason.
 */
export async function signImage(signer: ImageSigner, repository: string, digest: string, manifests: string[]): Promise<ImageSignature> {
  if (signer.method === 'keyless') return signKeyless(signer, repository, digest, manifests);
  return signWithKey(signer, repository, digest, manifests);
}

async function signKeyless(signer: KeylessSigner, repository: string, digest: string, manifests: string[]): Promise<ImageSignature> {
  const reference = `${repository}@${digest}`;
  const trust = { identity: signer.identity, issuer: signer.issuer };
  const verifyCommand = keylessVerifyCommandLine(trust, reference, undefined, { insecure: signer.insecure });
  const started = Date.now();
  const verify = (d: string) =>
    signer.cosign.verifyKeyless({ ...trust, reference: `${repository}@${d}`, insecure: signer.insecure }, signer.context);
  const checks = await Promise.all([digest, ...manifests.filter((m) => m !== digest)].map(verify));
  if (checks.every((c) => c.verified)) {
    return { method: 'keyless', status: 'already signed', verifyCommand, durationMs: Date.now() - started };
  }
  await signer.cosign.signKeyless({ reference, recursive: true, insecure: signer.insecure }, signer.context);
  return { method: 'keyless', status: 'signed', verifyCommand, durationMs: Date.now() - started };
}

async function signWithKey(signer: Signer, repository: string, digest: string, manifests: string[]): Promise<ImageSignature> {
  const reference = `${repository}@${digest}`;
  const verifyCommand = verifyCommandLine(signer.publicKeyShown, reference, { insecure: signer.insecure });
  const started = Date.now();
  const verify = (d: string) =>
    signer.cosign.verify({ key: signer.publicKey, reference: `${repository}@${d}`, insecure: signer.insecure }, signer.context);
  const checks = await Promise.all([digest, ...manifests.filter((m) => m !== digest)].map(verify));
  if (checks.every((c) => c.verified)) {
    return { method: 'key', status: 'already signed', verifyCommand, durationMs: Date.now() - started };
  }
  await signer.cosign.sign(
    { key: signer.key, reference, recursive: true, material: signer.material, insecure: signer.insecure },
    signer.context,
  );
  return { method: 'key', status: 'signed', verifyCommand, durationMs: Date.now() - started };
}

/** One manifest of a verified image: the index itself, or one platform's manifest. */
export interface ManifestVerification {
  /** "index", or the platform (os/arch[/variant]) the index lists it under. */
  what: string;
  digest: string;
  result: VerifyResult;
  /** A platform manifest's SBOM attestation (spdxjson), verified with the same key. */
  sbom?: VerifyResult;
  /** A platform manifest's SLSA v1 provenance attestation (slsaprovenance1). */
  provenance?: VerifyResult;
}

export interface ImageVerification {
  repository: string;
  digest: string;
  manifests: ManifestVerification[];
  /** Every manifest verified. */
  ok: boolean;
}

/** The entries of an index: platform (os/arch[/variant]) and digest of each manifest it lists. */
export function indexEntries(raw: ManifestDocument): Array<{ platform: string; digest: string }> {
  return (raw.manifests ?? []).map((d) => ({
    platform: d.platform ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join('/') : 'unknown',
    digest: d.digest,
  }));
}

/**
 * Verifies `repository@digest` and, when it is an index, every manifest it lists, with the
 * public key, and each platform manifest's SBOM and provenance attestations. Never throws for an
 * unsigned manifest: each result says why.
 */
export async function verifyImage(
  repository: string,
  digest: string,
  raw: ManifestDocument,
  options: {
    /** The public key to verify with; or, keyless, the certificate identity and issuer. */
    publicKey?: string;
    keyless?: { identity: string; issuer: string };
    insecure?: boolean;
    context: CosignContext;
    cosign?: Cosign;
    /** Attestations that must verify on every platform manifest for `ok` (they are checked and reported either way). */
    require?: { sbom?: boolean; provenance?: boolean };
  },
): Promise<ImageVerification> {
  const cosign = options.cosign ?? defaultCosign;
  const targets = [
    { what: 'index', digest },
    ...(isIndex(raw) ? indexEntries(raw).map((e) => ({ what: e.platform, digest: e.digest })) : []),
  ];
  if (!isIndex(raw)) targets[0].what = 'manifest';
  const request = (d: string) => ({ key: options.publicKey ?? '', reference: `${repository}@${d}`, insecure: options.insecure });
  const manifests = await Promise.all(
    targets.map(async (t): Promise<ManifestVerification> => {
      const result = options.keyless
        ? await cosign.verifyKeyless(
            { ...options.keyless, reference: `${repository}@${t.digest}`, insecure: options.insecure },
            options.context,
          )
        : await cosign.verify(request(t.digest), options.context);
      // Attestations describe a platform's image: not the index, nor BuildKit's attestation manifests.
      if (t.what === 'index' || t.what === 'unknown/unknown') return { ...t, result };
      const attestation = (type: AttestationType) =>
        options.keyless
          ? cosign.verifyAttestationKeyless(
              { ...options.keyless, reference: `${repository}@${t.digest}`, insecure: options.insecure, type },
              options.context,
            )
          : cosign.verifyAttestation({ ...request(t.digest), type }, options.context);
      const [sbom, provenance] = await Promise.all([attestation('spdxjson'), attestation('slsaprovenance1')]);
      return { ...t, result, sbom, provenance };
    }),
  );
  const required = (m: ManifestVerification) =>
    (!options.require?.sbom || m.sbom === undefined || m.sbom.verified) &&
    (!options.require?.provenance || m.provenance === undefined || m.provenance.verified);
  return { repository, digest, manifests, ok: manifests.every((m) => m.result.verified && required(m)) };
}
