// The cosign command lines, as cosign v3.1.3 reads them (cmd/cosign/cli/options/sign.go,
// verify.go, registry.go; cmd/cosign/cli/signcommon/common.go for the signing config).
import {
  attestArgs,
  checkDigestReference,
  parseAttestations,
  PREDICATE_TYPES,
  verifyAttestationArgs,
  cosignReason,
  createCosign,
  GITHUB_OIDC_ISSUER,
  keylessEnvironmentProblem,
  keylessAttestArgs,
  keylessSignArgs,
  keylessVerifyAttestationArgs,
  keylessVerifyArgs,
  parseVerifyOutput,
  publicKeyArgs,
  signArgs,
  verifyArgs,
  verifyCommandLine,
  keylessVerifyCommandLine,
  verifyAttestationCommandLine,
} from '../../src/tools/cosign.js';
import { ToolError, type RunOptions, type RunResult, type Runner } from '../../src/tools/exec.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const REF = `127.0.0.1:5000/hephy/app@${A}`;
const material = { signingConfig: '/tmp/m/signing-config.json', trustedRoot: '/tmp/m/trusted-root.json' };

function fakeRunner(answer: (args: string[]) => Partial<RunResult> = () => ({})): {
  runner: Runner;
  calls: Array<{ cmd: string; args: string[]; options: RunOptions }>;
} {
  const calls: Array<{ cmd: string; args: string[]; options: RunOptions }> = [];
  const runner: Runner = async (cmd, args, options = {}) => {
    calls.push({ cmd, args: [...args], options });
    return { code: 0, stdout: '', stderr: '', durationMs: 7, ...answer([...args]) };
  };
  return { runner, calls };
}

describe('signArgs', () => {
  it('signs by digest, recursively, offline (a signing config with no service), the reference after --', () => {
    expect(signArgs({ key: '/keys/cosign.key', reference: REF, recursive: true, material })).toEqual([
      'sign',
      '--key=/keys/cosign.key',
      '--recursive=true',
      '--yes=true',
      '--signing-config=/tmp/m/signing-config.json',
      '--trusted-root=/tmp/m/trusted-root.json',
      '--',
      REF,
    ]);
  });

  it('never passes --tlog-upload=false (v3 refuses it with a signing config)', () => {
    expect(signArgs({ key: '/k', reference: REF, recursive: false, material }).join(' ')).not.toMatch(/tlog-upload/);
  });

  it('allows plain http and unverified TLS only when insecure', () => {
    const args = signArgs({ key: '/k', reference: REF, recursive: true, material, insecure: true });
    expect(args).toContain('--allow-http-registry=true');
    expect(args).toContain('--allow-insecure-registry=true');
    expect(args.indexOf('--')).toBe(args.length - 2);
  });

  it('refuses a tag, an option-like reference and a relative key', () => {
    expect(() => signArgs({ key: '/k', reference: '127.0.0.1:5000/hephy/app:latest', recursive: true, material })).toThrow(
      'not a repository@sha256:<digest> reference',
    );
    expect(() => signArgs({ key: '/k', reference: `--upload=false@${A}`, recursive: true, material })).toThrow('not a repository@sha256');
    expect(() => signArgs({ key: 'cosign.key', reference: REF, recursive: true, material })).toThrow('absolute path');
  });
});

describe('verifyArgs', () => {
  it('verifies with the public key, no transparency log, JSON out, the reference after --', () => {
    expect(verifyArgs({ key: '/keys/cosign.pub', reference: REF })).toEqual([
      'verify',
      '--key=/keys/cosign.pub',
      '--insecure-ignore-tlog=true',
      '--output=json',
      '--',
      REF,
    ]);
  });

  it('prints the command a user runs', () => {
    expect(verifyCommandLine('cosign.pub', REF)).toBe(`cosign verify --key=cosign.pub --insecure-ignore-tlog=true ${REF}`);
  });
});

describe('publicKeyArgs', () => {
  it('writes the public half to a file', () => {
    expect(publicKeyArgs('/keys/cosign.key', '/tmp/x/cosign.pub')).toEqual([
      'public-key',
      '--key=/keys/cosign.key',
      '--outfile=/tmp/x/cosign.pub',
    ]);
  });
});

describe('checkDigestReference', () => {
  it('splits repository and digest', () => {
    expect(checkDigestReference(REF)).toEqual({ repository: '127.0.0.1:5000/hephy/app', digest: A });
  });
});

describe('parseVerifyOutput', () => {
  // The shape of verify/common.go PrintVerification (json) after transformOutput (new bundle format).
  const payload = (digest: string) => ({
    critical: {
      identity: { 'docker-reference': '127.0.0.1:5000/hephy/app' },
      image: { 'docker-manifest-digest': digest },
      type: 'https://sigstore.dev/cosign/sign/v1',
    },
    optional: {},
  });

  it('reads the digest each verified payload signs', () => {
    expect(parseVerifyOutput(`${JSON.stringify([payload(A)])}\n`)).toEqual([
      { digest: A, reference: '127.0.0.1:5000/hephy/app', type: 'https://sigstore.dev/cosign/sign/v1' },
    ]);
  });

  it('refuses output that is not the array, or a payload without a digest', () => {
    expect(() => parseVerifyOutput('Verification for x --')).toThrow('cosign verify printed no JSON array');
    expect(() => parseVerifyOutput('[{"critical":{}}]')).toThrow('names no digest');
  });
});

describe('cosignReason', () => {
  it("is cosign's Error line, without the prefix", () => {
    expect(cosignReason('Usage: ...\nError: no signatures found\nmain.go:74: error during command execution: no signatures found\n')).toBe(
      'no signatures found',
    );
  });

  it('is never empty, nor ends in a colon with nothing after it', () => {
    expect(cosignReason('Error: \n')).toBe('no output');
    expect(cosignReason('')).toBe('no output');
    expect(cosignReason('Error: no matching attestations: \n')).toBe('no matching attestations');
  });
});

describe('createCosign', () => {
  const verifyRequest = { key: '/keys/cosign.pub', reference: REF };

  it('passes the password as COSIGN_PASSWORD, masked, never in argv; empty when there is none', async () => {
    const { runner, calls } = fakeRunner();
    const cosign = createCosign(runner);
    await cosign.sign(
      { key: '/keys/cosign.key', reference: REF, recursive: true, material },
      { env: { PATH: '/bin' }, password: 's3cret' },
    );
    expect(calls[0].cmd).toBe('cosign');
    expect(calls[0].options.env?.COSIGN_PASSWORD).toBe('s3cret');
    expect(calls[0].options.secrets).toContain('s3cret');
    expect(calls[0].args.join(' ')).not.toContain('s3cret');
    await cosign.publicKey('/keys/cosign.key', '/tmp/p.pub', { env: {} });
    // Set even when empty: else cosign reads the password from stdin.
    expect(calls[1].options.env).toHaveProperty('COSIGN_PASSWORD', '');
  });

  it('reports verified only when a payload names the digest asked about', async () => {
    const answer = (digest: string) => () => ({ stdout: JSON.stringify([{ critical: { image: { 'docker-manifest-digest': digest } } }]) });
    expect(await createCosign(fakeRunner(answer(A)).runner).verify(verifyRequest, { env: {} })).toMatchObject({ verified: true });
    expect(await createCosign(fakeRunner(answer(B)).runner).verify(verifyRequest, { env: {} })).toEqual({
      verified: false,
      reason: `cosign verified signatures of ${B}, none of ${A}`,
    });
  });

  it("says cosign's own reason when verification fails", async () => {
    const { runner } = fakeRunner(() => ({
      code: 1,
      stderr: 'Error: no signatures found\nmain.go:74: error during command execution: no signatures found',
    }));
    expect(await createCosign(runner).verify(verifyRequest, { env: {} })).toEqual({ verified: false, reason: 'no signatures found' });
  });

  it('turns a failed signing into one line with the tool error', async () => {
    const runner: Runner = async () => {
      throw new ToolError(
        'cosign sign ... exited with code 1',
        'cosign sign',
        1,
        '',
        'Error: signing [x]: reading key: decrypt: encrypted: decryption failed\n',
      );
    };
    await expect(createCosign(runner).sign({ key: '/k', reference: REF, recursive: true, material }, { env: {} })).rejects.toThrow(
      'cosign sign: signing [x]: reading key: decrypt: encrypted: decryption failed',
    );
  });
});

// cosign v3.1.3 cmd/cosign/cli/options/attest.go (--type, --predicate, --signing-config,
// --trusted-root), predicate.go (spdxjson, slsaprovenance1), verify.go (verify-attestation).
describe('attestArgs and verifyAttestationArgs', () => {
  it('attests a predicate file on one digest with the key, every value after =, the reference after --', () => {
    expect(attestArgs({ key: '/k/cosign.key', reference: REF, predicate: '/r/leg.spdx.json', type: 'spdxjson', material })).toEqual([
      'attest',
      '--key=/k/cosign.key',
      '--type=spdxjson',
      '--predicate=/r/leg.spdx.json',
      '--yes=true',
      '--signing-config=/tmp/m/signing-config.json',
      '--trusted-root=/tmp/m/trusted-root.json',
      '--',
      REF,
    ]);
    expect(() => attestArgs({ key: '/k/cosign.key', reference: REF, predicate: 'leg.json', type: 'spdxjson', material })).toThrow(
      /absolute/,
    );
    expect(() =>
      attestArgs({ key: '/k/cosign.key', reference: '127.0.0.1:5000/app:latest', predicate: '/p', type: 'spdxjson', material }),
    ).toThrow(/not a repository@sha256/);
  });

  it('verifies the attestations of one type by digest, without a transparency log', () => {
    expect(verifyAttestationArgs({ key: '/k/cosign.pub', reference: REF, type: 'slsaprovenance1', insecure: true })).toEqual([
      'verify-attestation',
      '--key=/k/cosign.pub',
      '--type=slsaprovenance1',
      '--insecure-ignore-tlog=true',
      '--allow-http-registry=true',
      '--allow-insecure-registry=true',
      '--',
      REF,
    ]);
  });

  it('reads the statements of verify-attestation (DSSE envelopes, one a line) and checks type and subject', async () => {
    const statement = (digest: string, predicateType: string) =>
      JSON.stringify({
        payloadType: 'application/vnd.in-toto+json',
        payload: Buffer.from(
          JSON.stringify({
            _type: 'https://in-toto.io/Statement/v0.1',
            predicateType,
            subject: [{ name: 'r', digest: { sha256: digest.slice(7) } }],
          }),
        ).toString('base64'),
        signatures: [],
      });
    expect(parseAttestations(`${statement(A, PREDICATE_TYPES.spdxjson)}\nnot json\n`)).toEqual([
      { predicateType: 'https://spdx.dev/Document', subjects: [A] },
    ]);
    const good = fakeRunner(() => ({ stdout: `${statement(A, PREDICATE_TYPES.spdxjson)}\n` }));
    expect(
      await createCosign(good.runner).verifyAttestation({ key: '/k.pub', reference: REF, type: 'spdxjson' }, { env: {} }),
    ).toMatchObject({ verified: true });
    // A statement about another digest does not count for this one.
    const other = fakeRunner(() => ({ stdout: `${statement(B, PREDICATE_TYPES.spdxjson)}\n` }));
    expect(await createCosign(other.runner).verifyAttestation({ key: '/k.pub', reference: REF, type: 'spdxjson' }, { env: {} })).toEqual({
      verified: false,
      reason: `cosign verified 1 attestation(s), none a spdxjson of ${A}`,
    });
    const none = fakeRunner(() => ({
      code: 1,
      stderr: 'Error: none of the attestations matched the predicate type: slsaprovenance1, found: https://spdx.dev/Document\nmore',
    }));
    expect(
      await createCosign(none.runner).verifyAttestation({ key: '/k.pub', reference: REF, type: 'slsaprovenance1' }, { env: {} }),
    ).toEqual({
      verified: false,
      reason: 'none of the attestations matched the predicate type: slsaprovenance1, found: https://spdx.dev/Document',
    });
    // What cosign v3.1.3 prints, byte for byte, for a digest with no attestation at all (run here
    // against a local registry): its cause is empty, and `verify` printed "none: no matching attestations:".
    const nothing = fakeRunner(() => ({
      code: 1,
      stderr:
        'WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the attestation.\nError: no matching attestations: \nerror during command execution: no matching attestations: \n',
    }));
    expect(await createCosign(nothing.runner).verifyAttestation({ key: '/k.pub', reference: REF, type: 'spdxjson' }, { env: {} })).toEqual({
      verified: false,
      reason: 'no matching attestations: no attestation of any type is attached to this digest',
    });
  });

  it('passes the key password in COSIGN_PASSWORD only, masked', async () => {
    const { runner, calls } = fakeRunner();
    await createCosign(runner).attest(
      { key: '/k/cosign.key', reference: REF, predicate: '/p.json', type: 'slsaprovenance1', material },
      { env: {}, password: 'pw-123' },
    );
    expect(calls[0].options.env?.COSIGN_PASSWORD).toBe('pw-123');
    expect(calls[0].options.secrets).toContain('pw-123');
    expect(calls[0].args.join(' ')).not.toContain('pw-123');
  });
});

// Keyless signing as cosign v3 does it on a GitHub runner (read at v3.1.2: internal/auth/auth.go
// ReadIDToken, pkg/providers/github/github.go, pkg/cosign/env/env.go, cmd/cosign/cli/options/oidc.go,
// sign.go, certificate.go). It needs GitHub's OIDC token service and the public Fulcio and Rekor,
// none of which exist here: these tests read the argv and environment only (no stand-in token
// endpoint: Fulcio would refuse any token but GitHub's, so cosign could not get past it anyway).
describe('keyless signing', () => {
  const IDENTITY = 'https://github.com/hephy/builder/.github/workflows/build.yml@refs/tags/v1';
  const TOKEN_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/req?x=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req-t0ken' };

  it('signs by digest with the github-actions provider: no key, no signing config (Fulcio and Rekor from TUF), the reference after --', () => {
    expect(keylessSignArgs({ reference: REF, recursive: true })).toEqual([
      'sign',
      '--oidc-provider=github-actions',
      '--recursive=true',
      '--yes=true',
      '--',
      REF,
    ]);
    const args = keylessSignArgs({ reference: REF, recursive: true, insecure: true });
    expect(args.some((a) => a.startsWith('--key') || a.startsWith('--signing-config') || a.startsWith('--trusted-root'))).toBe(false);
    expect(args).toContain('--allow-http-registry=true');
  });

  it('verifies by certificate identity and issuer', () => {
    expect(keylessVerifyArgs({ reference: REF, identity: IDENTITY, issuer: GITHUB_OIDC_ISSUER })).toEqual([
      'verify',
      `--certificate-identity=${IDENTITY}`,
      '--certificate-oidc-issuer=https://token.actions.githubusercontent.com',
      '--output=json',
      '--',
      REF,
    ]);
    expect(() => keylessVerifyArgs({ reference: REF, identity: '--key=/x', issuer: GITHUB_OIDC_ISSUER })).toThrow(/https:\/\/ URI/);
    expect(() => keylessVerifyArgs({ reference: REF, identity: `${IDENTITY} x`, issuer: GITHUB_OIDC_ISSUER })).toThrow(/https:\/\/ URI/);
  });

  it('says which token variables are missing (a job without id-token: write)', () => {
    expect(keylessEnvironmentProblem(TOKEN_ENV)).toBeUndefined();
    expect(keylessEnvironmentProblem({})).toMatch(
      /ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: the job needs `permissions: id-token: write`/,
    );
    expect(keylessEnvironmentProblem({ ACTIONS_ID_TOKEN_REQUEST_URL: 'u' })).toMatch(/ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set/);
  });

  it('never runs cosign without the token variables (it would wait for an interactive login)', async () => {
    const { runner, calls } = fakeRunner();
    await expect(createCosign(runner).signKeyless({ reference: REF, recursive: true }, { env: {} })).rejects.toThrow(
      /cosign sign: keyless signing needs the job's GitHub OIDC token/,
    );
    expect(calls).toEqual([]);
  });

  it('hands cosign the token variables and masks the request token', async () => {
    const { runner, calls } = fakeRunner();
    await createCosign(runner).signKeyless({ reference: REF, recursive: true }, { env: { PATH: '/bin', ...TOKEN_ENV } });
    expect(calls[0].args).toEqual(keylessSignArgs({ reference: REF, recursive: true }));
    expect(calls[0].options.env).toMatchObject(TOKEN_ENV);
    expect(calls[0].options.secrets).toContain('req-t0ken');
    expect(calls[0].args.join(' ')).not.toContain('req-t0ken');
  });

  it('verifyKeyless checks the payload names the digest, as verify does', async () => {
    const { runner } = fakeRunner(() => ({ stdout: JSON.stringify([{ critical: { image: { 'docker-manifest-digest': B } } }]) }));
    expect(
      await createCosign(runner).verifyKeyless({ reference: REF, identity: IDENTITY, issuer: GITHUB_OIDC_ISSUER }, { env: {} }),
    ).toEqual({
      verified: false,
      reason: `cosign verified signatures of ${B}, none of ${A}`,
    });
  });

  it('attests keyless with the github-actions provider (no key, no signing config) and verifies a statement by identity and issuer', () => {
    expect(keylessAttestArgs({ reference: REF, predicate: '/r/leg.spdx.json', type: 'spdxjson' })).toEqual([
      'attest',
      '--oidc-provider=github-actions',
      '--type=spdxjson',
      '--predicate=/r/leg.spdx.json',
      '--yes=true',
      '--',
      REF,
    ]);
    expect(() => keylessAttestArgs({ reference: REF, predicate: 'leg.json', type: 'spdxjson' })).toThrow(/absolute/);
    expect(
      keylessVerifyAttestationArgs({ reference: REF, identity: IDENTITY, issuer: GITHUB_OIDC_ISSUER, type: 'slsaprovenance1' }),
    ).toEqual([
      'verify-attestation',
      `--certificate-identity=${IDENTITY}`,
      `--certificate-oidc-issuer=${GITHUB_OIDC_ISSUER}`,
      '--type=slsaprovenance1',
      '--',
      REF,
    ]);
    expect(() =>
      keylessVerifyAttestationArgs({ reference: REF, identity: '--x', issuer: GITHUB_OIDC_ISSUER, type: 'slsaprovenance1' }),
    ).toThrow(/https:\/\//);
  });

  it('refuses to attest keyless without the OIDC token request variables, before cosign runs', async () => {
    const { runner, calls } = fakeRunner();
    await expect(
      createCosign(runner).attestKeyless({ reference: REF, predicate: '/p.json', type: 'spdxjson' }, { env: {} }),
    ).rejects.toThrow(/cosign attest: keyless signing needs the job's GitHub OIDC token/);
    expect(calls).toEqual([]);
    await createCosign(runner).attestKeyless({ reference: REF, predicate: '/p.json', type: 'spdxjson' }, { env: TOKEN_ENV });
    expect(calls[0].options.secrets).toContain('req-t0ken');
  });

  it('prints the commands a user verifies with: signature and, when attached, SBOM and provenance attestations', () => {
    const keyless = { identity: IDENTITY, issuer: GITHUB_OIDC_ISSUER };
    const trust = `--certificate-identity ${IDENTITY} --certificate-oidc-issuer https://token.actions.githubusercontent.com`;
    expect(keylessVerifyCommandLine(keyless, REF)).toBe(`cosign verify ${trust} ${REF}`);
    expect(keylessVerifyCommandLine(keyless, REF, 'spdxjson')).toBe(`cosign verify-attestation --type spdxjson ${trust} ${REF}`);
    expect(keylessVerifyCommandLine(keyless, REF, 'slsaprovenance1')).toBe(
      `cosign verify-attestation --type slsaprovenance1 ${trust} ${REF}`,
    );
    // With a key, the summary prints these (pipeline/sign.ts, pipeline/attest.ts).
    expect(verifyCommandLine('cosign.pub', REF)).toBe(`cosign verify --key=cosign.pub --insecure-ignore-tlog=true ${REF}`);
    expect(verifyAttestationCommandLine('cosign.pub', REF, 'slsaprovenance1')).toBe(
      `cosign verify-attestation --key=cosign.pub --type=slsaprovenance1 --insecure-ignore-tlog=true ${REF}`,
    );
  });
});
