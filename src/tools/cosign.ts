// cosign (sigstore/cosign v3, pinned in tool-pins.json): key-based signatures on published images,
// and their verification. The argv is built apart from running it, so tests read it exactly.
//
// What cosign v3.1.3 does, read in its source (cmd/cosign/cli/...):
// - `sign` uses a signing config by default (--use-signing-config=true, fetched from the public
//   TUF repository) and refuses --tlog-upload=false with it (signcommon/common.go,
//   LoadTrustedMaterialAndSigningConfig). A signing config file that lists no service at all
//   (`--signing-config FILE`) signs with the key alone: no transparency log, no timestamp
//   authority, no network but the registry. With a signing config, cosign also loads a trusted
//   root, from TUF unless `--trusted-root FILE` names one: an empty one keeps it offline too.
// - The signature is a Sigstore bundle (--new-bundle-format, on by default) stored as an OCI
//   referrer of the signed digest, or, where the registry has no referrers API (distribution
//   2.8), in the index under the fallback tag `sha256-<hex>` (pkg/oci/remote/write.go).
// - `--recursive` signs an index and every manifest it lists (sign/sign.go, SignCmd).
// - `verify --key` needs no trusted material (verify/common.go SetTrustedMaterial, key only);
//   with no transparency log entry it needs --insecure-ignore-tlog. Its stdout is a JSON array of
//   the verified payloads, each naming the digest it signs (critical.image.docker-manifest-digest).
// - The private key's password is read from COSIGN_PASSWORD when that is set, even empty
//   (generate/generate_key_pair.go readPasswordFn), else from a terminal or stdin: it is always
//   set here, so cosign never waits for input, and never put on a command line.
// Keyless signing (read in the v3.1.2 source and three commits past it, unchanged there; pinned v3.1.3):
// - With no --key, `sign` asks Fulcio for a short-lived certificate for an OIDC identity token.
//   The token comes from an "ambient provider" (internal/auth/auth.go ReadIDToken): on GitHub
//   Actions `github-actions` (pkg/providers/github/github.go) is enabled when both
//   ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are set (pkg/cosign/env/env.go),
//   and GETs `$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sigstore` with `Authorization: bearer $TOKEN`.
//   The runner sets both only for a job with `permissions: id-token: write`. Without them no
//   provider is enabled and cosign falls back to an interactive OAuth flow (GetOAuthFlow: "device
//   flow" when stdin is no terminal), which would wait for a human: we refuse before running it.
// - `--oidc-provider=github-actions` names that provider (options/oidc.go), so no other ambient
//   provider (a SPIFFE socket, a GCP metadata server) can supply an identity instead.
// - Fulcio and Rekor come from the signing config cosign fetches from the public-good TUF
//   repository (--use-signing-config, default true, options/sign.go): no --fulcio-url or
//   --rekor-url. `--yes` skips the confirmation of the upload to the public transparency log.
// - `verify --certificate-identity=URI --certificate-oidc-issuer=ISSUER` (options/certificate.go)
//   checks the certificate's SAN and issuer; the trusted root comes from TUF.
// Options take their values after `=` and the reference follows `--` (cobra/pflag), so neither a
// key path nor a reference can be read as an option.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isDigest } from '../core/oci.js';
import { messageOf } from '../core/problem.js';
import { run, ToolError, type Runner } from './exec.js';

/** A signing config with no service (sigstore protobuf-specs SigningConfig v0.2): sign with the key only. */
export const OFFLINE_SIGNING_CONFIG = { mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json' };
/** A trusted root with no authority (TrustedRoot v0.1): cosign then fetches none from TUF. */
export const OFFLINE_TRUSTED_ROOT = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1' };

const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;

/** Where cosign finds the offline signing material (files written by `offlineMaterial`). */
export interface OfflineMaterial {
  signingConfig: string;
  trustedRoot: string;
}

export interface CosignRegistryOptions {
  /** Plain http or an unverified certificate (local registries other than 127.0.0.1/localhost). */
  insecure?: boolean;
}

export interface SignRequest extends CosignRegistryOptions {
  /** Absolute path of the private key file (cosign generate-key-pair's cosign.key). */
  key: string;
  /** repository@sha256:... (never a tag: the signed digest is the one we published). */
  reference: string;
  /** Sign an index and every manifest it lists. */
  recursive: boolean;
  material: OfflineMaterial;
}

export interface VerifyRequest extends CosignRegistryOptions {
  /** Path of the public key file (cosign.pub). */
  key: string;
  /** repository@sha256:... */
  reference: string;
}

/** repository@sha256:<64 hex>, with a repository that cannot be read as an option. */
export function checkDigestReference(reference: string): { repository: string; digest: string } {
  const at = reference.lastIndexOf('@');
  const repository = reference.slice(0, at);
  const digest = reference.slice(at + 1);
  if (at <= 0 || !isDigest(digest) || !/^[a-z0-9][a-z0-9._:/-]*$/.test(repository) || /\s/.test(reference))
    throw new Error(`not a repository@sha256:<digest> reference: ${reference}`);
  return { repository, digest };
}

function checkKeyPath(key: string, what: string): void {
  if (!isAbsolute(key)) throw new Error(`the ${what} key must be an absolute path, got ${key}`);
}

function registryArgs(options: CosignRegistryOptions): string[] {
  // --allow-http-registry: plain http (name.Insecure); --allow-insecure-registry: skip TLS
  // verification (options/registry.go). 127.0.0.1 and localhost get http without either.
  return options.insecure ? ['--allow-http-registry=true', '--allow-insecure-registry=true'] : [];
}

/**
 * `cosign COMMAND --key=K OPTIONS... --yes --signing-config=... --trusted-root=... -- REPO@DIGEST`:
 * what `sign` and `attest` share with a key (checked: the key path, the digest reference).
 */
function keySigningArgs(command: 'sign' | 'attest', request: SignRequest | AttestRequest, options: string[]): string[] {
  checkKeyPath(request.key, 'signing');
  checkDigestReference(request.reference);
  return [
    command,
    `--key=${request.key}`,
    ...options,
    '--yes=true',
    `--signing-config=${request.material.signingConfig}`,
    `--trusted-root=${request.material.trustedRoot}`,
    ...registryArgs(request),
    '--',
    request.reference,
  ];
}

/** The issuer of GitHub Actions' OIDC tokens (the `iss` claim), as Fulcio puts it in a certificate. */
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

/** The variables cosign's github-actions provider reads (pkg/cosign/env/env.go). */
export const GITHUB_TOKEN_REQUEST_VARIABLES = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'] as const;

export interface KeylessSignRequest extends CosignRegistryOptions {
  /** repository@sha256:... */
  reference: string;
  recursive: boolean;
}

export interface KeylessVerifyRequest extends CosignRegistryOptions {
  reference: string;
  /** The certificate's SAN, e.g. https://github.com/OWNER/REPO/.github/workflows/FILE@REF. */
  identity: string;
  issuer: string;
}

/** Why cosign could not sign keyless in this environment (no OIDC token request variables), or undefined. */
export function keylessEnvironmentProblem(env: NodeJS.ProcessEnv): string | undefined {
  const missing = GITHUB_TOKEN_REQUEST_VARIABLES.filter((name) => !env[name]);
  if (missing.length === 0) return undefined;
  return `keyless signing needs the job's GitHub OIDC token, and ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: the job needs \`permissions: id-token: write\` (and the workflow calling it must grant it)`;
}

/** `cosign sign --oidc-provider=github-actions [--recursive] --yes -- REPO@DIGEST`: no key, Fulcio and Rekor from the signing config. */
export function keylessSignArgs(request: KeylessSignRequest): string[] {
  checkDigestReference(request.reference);
  return [
    'sign',
    '--oidc-provider=github-actions',
    ...(request.recursive ? ['--recursive=true'] : []),
    '--yes=true',
    ...registryArgs(request),
    '--',
    request.reference,
  ];
}

function checkIdentity(request: Pick<KeylessVerifyRequest, 'identity' | 'issuer'>): void {
  for (const [what, value] of [
    ['certificate identity', request.identity],
    ['OIDC issuer', request.issuer],
  ])
    if (!/^https:\/\/[^\s]+$/.test(value)) throw new Error(`the ${what} must be an https:// URI without spaces, got ${value}`);
}

/** `cosign verify --certificate-identity=URI --certificate-oidc-issuer=ISSUER --output=json -- REPO@DIGEST` */
export function keylessVerifyArgs(request: KeylessVerifyRequest): string[] {
  checkDigestReference(request.reference);
  checkIdentity(request);
  return [
    'verify',
    `--certificate-identity=${request.identity}`,
    `--certificate-oidc-issuer=${request.issuer}`,
    '--output=json',
    ...registryArgs(request),
    '--',
    request.reference,
  ];
}

/**
 * The command a user runs to check a keyless signature (`type` absent) or attestation made by
 * `identity`, as one line (for the summary); the key-based ones are verifyCommandLine and
 * verifyAttestationCommandLine.
 */
export function keylessVerifyCommandLine(
  trust: { identity: string; issuer: string },
  reference: string,
  type?: AttestationType,
  options: CosignRegistryOptions = {},
): string {
  return [
    'cosign',
    type ? 'verify-attestation' : 'verify',
    ...(type ? ['--type', type] : []),
    '--certificate-identity',
    trust.identity,
    '--certificate-oidc-issuer',
    trust.issuer,
    ...registryArgs(options),
    reference,
  ].join(' ');
}

/**
 * `cosign COMMAND --key=PUB OPTIONS... --insecure-ignore-tlog=true ... -- REPO@DIGEST`: what
 * `verify` and `verify-attestation` share. Key-based signatures made here have no transparency
 * log entry (see the signing config), hence --insecure-ignore-tlog.
 */
function keyVerifyingArgs(
  command: 'verify' | 'verify-attestation',
  request: VerifyRequest,
  options: string[],
  after: string[] = [],
): string[] {
  checkKeyPath(request.key, 'public');
  checkDigestReference(request.reference);
  return [
    command,
    `--key=${request.key}`,
    ...options,
    '--insecure-ignore-tlog=true',
    ...after,
    ...registryArgs(request),
    '--',
    request.reference,
  ];
}

/** `cosign sign --key=K [--recursive] --yes --signing-config=... --trusted-root=... -- REPO@DIGEST` */
export function signArgs(request: SignRequest): string[] {
  return keySigningArgs('sign', request, request.recursive ? ['--recursive=true'] : []);
}

/** `cosign verify --key=PUB --insecure-ignore-tlog=true --output=json -- REPO@DIGEST` */
export function verifyArgs(request: VerifyRequest): string[] {
  return keyVerifyingArgs('verify', request, [], ['--output=json']);
}

/** The predicate types the merge attaches (cosign's `--type` names, options/predicate.go). */
export type AttestationType = 'spdxjson' | 'slsaprovenance1';

export interface AttestRequest extends CosignRegistryOptions {
  key: string;
  /** repository@sha256:... of one platform manifest: the statement's subject. */
  reference: string;
  /** The predicate file: the SPDX document, or the SLSA provenance predicate. */
  predicate: string;
  type: AttestationType;
  material: OfflineMaterial;
}

export interface VerifyAttestationRequest extends VerifyRequest {
  type: AttestationType;
}

/**
 * `cosign attest --key=K --type=T --predicate=FILE --yes --signing-config=... --trusted-root=... -- REPO@DIGEST`:
 * an in-toto statement whose subject is the digest, signed with the key as a DSSE envelope, stored
 * like a signature (a Sigstore bundle as a referrer, or under the fallback tag), cosign v3.1.3
 * cmd/cosign/cli/attest/attest.go.
 */
export function attestArgs(request: AttestRequest): string[] {
  if (!isAbsolute(request.predicate)) throw new Error(`the predicate must be an absolute path, got ${request.predicate}`);
  return keySigningArgs('attest', request, [`--type=${request.type}`, `--predicate=${request.predicate}`]);
}

/** `cosign verify-attestation --key=PUB --type=T --insecure-ignore-tlog=true -- REPO@DIGEST` */
export function verifyAttestationArgs(request: VerifyAttestationRequest): string[] {
  return keyVerifyingArgs('verify-attestation', request, [`--type=${request.type}`]);
}

/** A keyless attestation: the statement signed with the job's OIDC certificate (no key). */
export interface KeylessAttestRequest extends CosignRegistryOptions {
  reference: string;
  predicate: string;
  type: AttestationType;
}

/** `cosign attest --oidc-provider=github-actions --type=T --predicate=FILE --yes -- REPO@DIGEST` */
export function keylessAttestArgs(request: KeylessAttestRequest): string[] {
  checkDigestReference(request.reference);
  if (!isAbsolute(request.predicate)) throw new Error(`the predicate must be an absolute path, got ${request.predicate}`);
  return [
    'attest',
    '--oidc-provider=github-actions',
    `--type=${request.type}`,
    `--predicate=${request.predicate}`,
    '--yes=true',
    ...registryArgs(request),
    '--',
    request.reference,
  ];
}

/** `cosign verify-attestation --certificate-identity=URI --certificate-oidc-issuer=ISSUER --type=T -- REPO@DIGEST` */
export function keylessVerifyAttestationArgs(request: KeylessVerifyRequest & { type: AttestationType }): string[] {
  checkDigestReference(request.reference);
  checkIdentity(request);
  return [
    'verify-attestation',
    `--certificate-identity=${request.identity}`,
    `--certificate-oidc-issuer=${request.issuer}`,
    `--type=${request.type}`,
    ...registryArgs(request),
    '--',
    request.reference,
  ];
}

/** The predicate type URI each `--type` stands for (cosign v3.1.3 pkg/cosign/attestation). */
export const PREDICATE_TYPES: Record<AttestationType, string> = {
  spdxjson: 'https://spdx.dev/Document',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
};

/**
 * The in-toto statements of verify-attestation's stdout: one JSON object a line, a DSSE envelope
 * whose base64 `payload` is the statement (verify/verify_attestation.go PrintVerification).
 */
export function parseAttestations(stdout: string): Array<{ predicateType?: string; subjects: string[] }> {
  const statements: Array<{ predicateType?: string; subjects: string[] }> = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const envelope = JSON.parse(line) as { payload?: string };
      if (typeof envelope.payload !== 'string') continue;
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
        predicateType?: string;
        subject?: Array<{ digest?: Record<string, string> }>;
      };
      statements.push({
        predicateType: statement.predicateType,
        subjects: (statement.subject ?? []).flatMap((s) => Object.entries(s.digest ?? {}).map(([a, h]) => `${a}:${h}`)),
      });
    } catch {
      // not an envelope: another line of output
    }
  }
  return statements;
}

/** The command a user runs to check a signature made here, as one line (for the summary). */
export function verifyCommandLine(publicKey: string, reference: string, options: CosignRegistryOptions = {}): string {
  return ['cosign', 'verify', `--key=${publicKey}`, '--insecure-ignore-tlog=true', ...registryArgs(options), reference].join(' ');
}

/** The command a user runs to check one attestation made here, as one line (for the summary). */
export function verifyAttestationCommandLine(
  publicKey: string,
  reference: string,
  type: AttestationType,
  options: CosignRegistryOptions = {},
): string {
  return [
    'cosign',
    'verify-attestation',
    `--key=${publicKey}`,
    `--type=${type}`,
    '--insecure-ignore-tlog=true',
    ...registryArgs(options),
    reference,
  ].join(' ');
}

/** `cosign public-key --key=K --outfile=FILE`: the public half of a private key file. */
export function publicKeyArgs(key: string, outfile: string): string[] {
  checkKeyPath(key, 'signing');
  return ['public-key', `--key=${key}`, `--outfile=${outfile}`];
}

/** One verified signature: what cosign's JSON says it signs. */
export interface VerifiedSignature {
  /** critical.image.docker-manifest-digest */
  digest: string;
  /** critical.identity.docker-reference */
  reference?: string;
  /** critical.type */
  type?: string;
}

/**
 * cosign verify's stdout: a JSON array of payloads (verify/common.go PrintVerification, json).
 * @throws Error when it is not that array, or a payload names no digest.
 */
export function parseVerifyOutput(stdout: string): VerifiedSignature[] {
  const text = stdout
    .trim()
    .split('\n')
    .filter((line) => line.trim().startsWith('['))
    .pop();
  let data: unknown;
  try {
    data = JSON.parse(text ?? '');
  } catch (error) {
    throw new Error(`cosign verify printed no JSON array (${messageOf(error)}): ${stdout.slice(0, 200)}`);
  }
  if (!Array.isArray(data)) throw new Error(`cosign verify printed no JSON array: ${stdout.slice(0, 200)}`);
  return data.map((item: unknown) => {
    const critical = (item as { critical?: Record<string, Record<string, unknown> | string> })?.critical;
    const image = typeof critical?.image === 'object' ? critical.image : undefined;
    const identity = typeof critical?.identity === 'object' ? critical.identity : undefined;
    const digest = image?.['docker-manifest-digest'];
    if (!isDigest(digest)) throw new Error(`cosign verify: a verified payload names no digest: ${JSON.stringify(item).slice(0, 200)}`);
    const reference = identity?.['docker-reference'];
    return {
      digest,
      ...(typeof reference === 'string' ? { reference } : {}),
      ...(typeof critical?.type === 'string' ? { type: critical.type } : {}),
    };
  });
}

/** The outcome of one verification: verified, or why not (cosign's own last error line). */
export type VerifyResult = { verified: true; signatures: VerifiedSignature[]; durationMs: number } | { verified: false; reason: string };

/**
 * cosign's error, without its usage text: the last line that says `Error:`, else its last line.
 * A wrapper whose cause is empty (`no matching attestations: ` when a digest has no attestation
 * at all, cosign v3 pkg/cosign/verify.go joins no errors) loses its dangling colon; nothing at all
 * left is `no output`.
 */
export function cosignReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.filter((l) => /^Error:/.test(l)).pop() ?? lines.pop() ?? '';
  return error.replace(/^Error:\s*/, '').replace(/:\s*$/, '') || 'no output';
}

/** cosign verify-attestation's reason when the digest has no attestation of any type. */
const NO_MATCHING_ATTESTATIONS = 'no matching attestations';

export interface CosignContext {
  env: NodeJS.ProcessEnv;
  /** The key's password; set as COSIGN_PASSWORD (empty when the key has none), and masked. */
  password?: string;
  secrets?: string[];
  timeoutMs?: number;
}

function cosignEnv(context: CosignContext): NodeJS.ProcessEnv {
  return { ...context.env, COSIGN_PASSWORD: context.password ?? '' };
}

function secretsOf(context: CosignContext): string[] {
  return [...(context.secrets ?? []), ...(context.password ? [context.password] : [])];
}

/** Writes the offline signing config and trusted root into a new temporary directory. */
export function offlineMaterial(): OfflineMaterial & { dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hephy-cosign-'));
  const signingConfig = join(dir, 'signing-config.json');
  const trustedRoot = join(dir, 'trusted-root.json');
  writeFileSync(signingConfig, `${JSON.stringify(OFFLINE_SIGNING_CONFIG)}\n`);
  writeFileSync(trustedRoot, `${JSON.stringify(OFFLINE_TRUSTED_ROOT)}\n`);
  return { signingConfig, trustedRoot, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Cosign {
  /** Signs; @returns its duration in ms. @throws Error with cosign's own reason. */
  sign(request: SignRequest, context: CosignContext): Promise<number>;
  verify(request: VerifyRequest, context: CosignContext): Promise<VerifyResult>;
  /** Signs keyless with the job's GitHub OIDC token; @returns its duration in ms. @throws Error (no token: before running cosign). */
  signKeyless(request: KeylessSignRequest, context: CosignContext): Promise<number>;
  verifyKeyless(request: KeylessVerifyRequest, context: CosignContext): Promise<VerifyResult>;
  /** Writes the public key of `key` to `outfile`. @throws Error (a wrong password says so). */
  publicKey(key: string, outfile: string, context: CosignContext): Promise<void>;
  /** Attaches a signed attestation; @returns its duration in ms. @throws Error with cosign's reason. */
  attest(request: AttestRequest, context: CosignContext): Promise<number>;
  /** Verifies the attestations of one type on a digest: verified when one names that digest. */
  verifyAttestation(request: VerifyAttestationRequest, context: CosignContext): Promise<VerifyResult>;
  /** Attaches an attestation signed keyless (the job's OIDC token). @throws Error (no token: before running cosign). */
  attestKeyless(request: KeylessAttestRequest, context: CosignContext): Promise<number>;
  /** verifyAttestation, for statements signed keyless by `identity`. */
  verifyAttestationKeyless(request: KeylessVerifyRequest & { type: AttestationType }, context: CosignContext): Promise<VerifyResult>;
}

/** An attestation check's outcome from cosign's exit code and statements, checked to name this digest and type. */
function checkedAttestation(
  result: { code: number; stdout: string; stderr: string; durationMs: number },
  reference: string,
  type: AttestationType,
): VerifyResult {
  const { digest } = checkDigestReference(reference);
  if (result.code !== 0) {
    const reason = cosignReason(result.stderr);
    // cosign names no cause when it found no statement at all: say what that means.
    if (reason === NO_MATCHING_ATTESTATIONS)
      return { verified: false, reason: `${reason}: no attestation of any type is attached to this digest` };
    return { verified: false, reason };
  }
  const statements = parseAttestations(result.stdout);
  // cosign checked signature, type and subject; we check it says so for this digest and type.
  const matching = statements.filter((s) => s.predicateType === PREDICATE_TYPES[type] && s.subjects.includes(digest));
  if (!matching.length)
    return { verified: false, reason: `cosign verified ${statements.length} attestation(s), none a ${type} of ${digest}` };
  return { verified: true, signatures: matching.map(() => ({ digest, type: PREDICATE_TYPES[type] })), durationMs: result.durationMs };
}

/** A verification's outcome from cosign's exit code and JSON, checked to name the digest asked about. */
function checkedVerify(result: { code: number; stdout: string; stderr: string; durationMs: number }, reference: string): VerifyResult {
  if (result.code !== 0) return { verified: false, reason: cosignReason(result.stderr) };
  const signatures = parseVerifyOutput(result.stdout);
  const { digest } = checkDigestReference(reference);
  // cosign checked the claims; we check it says so for the digest we asked about.
  if (!signatures.some((s) => s.digest === digest))
    return {
      verified: false,
      reason: `cosign verified signatures of ${signatures.map((s) => s.digest).join(', ')}, none of ${digest}`,
    };
  return { verified: true, signatures, durationMs: result.durationMs };
}

/** The token that requests the OIDC token is a secret: masked in anything cosign prints. */
function keylessContext(context: CosignContext): CosignContext {
  const token = context.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  return token ? { ...context, secrets: [...(context.secrets ?? []), token] } : context;
}

export function createCosign(runner: Runner = run): Cosign {
  const runCosign = async (args: string[], context: CosignContext, allowFailure = false) => {
    try {
      return await runner('cosign', args, {
        env: cosignEnv(context),
        secrets: secretsOf(context),
        timeoutMs: context.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        allowFailure,
      });
    } catch (error) {
      // The tool's own error in one line, not its command line.
      if (error instanceof ToolError) throw new Error(`cosign ${args[0]}: ${cosignReason(error.stderr || error.message)}`);
      throw error;
    }
  };
  return {
    async sign(request, context) {
      return (await runCosign(signArgs(request), context)).durationMs;
    },
    async signKeyless(request, context) {
      const problem = keylessEnvironmentProblem(context.env);
      if (problem) throw new Error(`cosign sign: ${problem}`);
      return (await runCosign(keylessSignArgs(request), keylessContext(context))).durationMs;
    },
    async verifyKeyless(request, context) {
      return checkedVerify(await runCosign(keylessVerifyArgs(request), context, true), request.reference);
    },
    async verify(request, context) {
      return checkedVerify(await runCosign(verifyArgs(request), context, true), request.reference);
    },
    async publicKey(key, outfile, context) {
      await runCosign(publicKeyArgs(key, outfile), context);
    },
    async attest(request, context) {
      return (await runCosign(attestArgs(request), context)).durationMs;
    },
    async verifyAttestation(request, context) {
      return checkedAttestation(await runCosign(verifyAttestationArgs(request), context, true), request.reference, request.type);
    },
    async attestKeyless(request, context) {
      const problem = keylessEnvironmentProblem(context.env);
      if (problem) throw new Error(`cosign attest: ${problem}`);
      return (await runCosign(keylessAttestArgs(request), keylessContext(context))).durationMs;
    },
    async verifyAttestationKeyless(request, context) {
      return checkedAttestation(await runCosign(keylessVerifyAttestationArgs(request), context, true), request.reference, request.type);
    },
  };
}

export const defaultCosign: Cosign = createCosign();
