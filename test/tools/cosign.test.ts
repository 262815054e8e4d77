// The cosign command lines, as cosign v3.1.3 reads them (cmd/cosign/cli/options/sign.go,
// verify.go, registry.go; cmd/cosign/cli/signcommon/common.go for the signing config).
import {
  checkDigestReference,
  cosignReason,
  createCosign,
  parseVerifyOutput,
  publicKeyArgs,
  signArgs,
  verifyArgs,
  verifyCommandLine,
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
