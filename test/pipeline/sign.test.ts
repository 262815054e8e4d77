import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner, indexEntries, verifyImage } from '../../src/pipeline/sign.js';
import { UserError } from '../../src/core/problem.js';
import type { Cosign, VerifyRequest } from '../../src/tools/cosign.js';
import { parseImageArgument } from '../../src/cli/commands/verify.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const PUB = '-----BEGIN PUBLIC KEY-----\nMFkw...\n-----END PUBLIC KEY-----\n';

/** A cosign whose public-key writes `pub` (or fails as cosign does on a wrong password). */
function fakeCosign(pub: string, options: { wrongPassword?: boolean; signed?: string[] } = {}): Cosign & { verified: VerifyRequest[] } {
  const verified: VerifyRequest[] = [];
  return {
    verified,
    async sign() {
      return 1;
    },
    async signKeyless() {
      return 1;
    },
    async attestKeyless() {
      return 1;
    },
    async verifyAttestationKeyless() {
      return { verified: false, reason: 'no matching attestations' };
    },
    async verifyKeyless(request) {
      verified.push({ key: `keyless:${request.identity}|${request.issuer}`, reference: request.reference });
      const digest = request.reference.split('@')[1];
      return options.signed?.includes(digest)
        ? { verified: true, signatures: [{ digest }], durationMs: 1 }
        : { verified: false, reason: 'none of the expected identities matched what was in the certificate' };
    },
    async verify(request) {
      verified.push(request);
      const digest = request.reference.split('@')[1];
      return options.signed?.includes(digest)
        ? { verified: true, signatures: [{ digest }], durationMs: 1 }
        : { verified: false, reason: 'no signatures found' };
    },
    async publicKey(_key, outfile) {
      if (options.wrongPassword) throw new Error('cosign public-key: reading key: decrypt: encrypted: decryption failed');
      writeFileSync(outfile, pub);
    },
    async attest() {
      return 1;
    },
    async verifyAttestation() {
      return { verified: false, reason: 'no matching attestations' };
    },
  };
}

describe('createSigner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hephy-signer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the key pair .pub in the verify command when it is the public half of the key', async () => {
    writeFileSync(join(dir, 'cosign.key'), 'private');
    writeFileSync(join(dir, 'cosign.pub'), `${PUB}\n`);
    const signer = await createSigner({ keyFile: 'cosign.key', cwd: dir, env: {}, cosign: fakeCosign(PUB) });
    try {
      expect(signer.key).toBe(join(dir, 'cosign.key'));
      expect(signer.publicKeyShown).toBe(join(dir, 'cosign.pub'));
      expect(readFileSync(signer.publicKey, 'utf8')).toBe(PUB);
    } finally {
      signer.dispose();
    }
    expect(existsSync(signer.publicKey)).toBe(false);
    expect(existsSync(signer.material.signingConfig)).toBe(false);
  });

  it('writes the public key for the user when the .pub beside the key is another key', async () => {
    writeFileSync(join(dir, 'cosign.key'), 'private');
    writeFileSync(join(dir, 'cosign.pub'), 'another key');
    const out = join(dir, 'out.pub');
    const signer = await createSigner({ keyFile: 'cosign.key', cwd: dir, env: {}, publicKeyOut: out, cosign: fakeCosign(PUB) });
    signer.dispose();
    expect(signer.publicKeyShown).toBe(out);
    expect(readFileSync(out, 'utf8')).toBe(PUB);
  });

  it('stops on a missing key file or a wrong password, saying which', async () => {
    await expect(createSigner({ keyFile: 'nope.key', cwd: dir, env: {}, cosign: fakeCosign(PUB) })).rejects.toThrow(
      new UserError('--sign-key: no such file: nope.key'),
    );
    writeFileSync(join(dir, 'cosign.key'), 'private');
    await expect(
      createSigner({ keyFile: 'cosign.key', cwd: dir, env: {}, cosign: fakeCosign(PUB, { wrongPassword: true }) }),
    ).rejects.toThrow('--sign-key cosign.key: cosign public-key: reading key: decrypt: encrypted: decryption failed');
  });
});

describe('verifyImage', () => {
  const index = {
    schemaVersion: 2,
    manifests: [
      { digest: B, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: C, size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    ],
  };

  it('keyless: verifies each manifest with the certificate identity and issuer, no key', async () => {
    const cosign = fakeCosign(PUB, { signed: [A, B, C] });
    const keyless = {
      identity: 'https://github.com/o/r/.github/workflows/b.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    };
    const result = await verifyImage('r/app', A, index, { keyless, context: { env: {} }, cosign });
    expect(result.ok).toBe(true);
    expect(cosign.verified.map((v) => v.key)).toEqual(Array(3).fill(`keyless:${keyless.identity}|${keyless.issuer}`));
  });

  it('verifies the index and every manifest it lists, each by digest', async () => {
    const cosign = fakeCosign(PUB, { signed: [A, B] });
    const result = await verifyImage('r/app', A, index, { publicKey: '/k.pub', context: { env: {} }, cosign });
    expect(cosign.verified.map((v) => v.reference)).toEqual([`r/app@${A}`, `r/app@${B}`, `r/app@${C}`]);
    expect(result.manifests.map((m) => [m.what, m.result.verified])).toEqual([
      ['index', true],
      ['linux/amd64', true],
      ['linux/arm/v7', false],
    ]);
    expect(result.ok).toBe(false);
  });

  it('verifies a single manifest alone', async () => {
    const result = await verifyImage(
      'r/app',
      B,
      { schemaVersion: 2, layers: [] },
      { publicKey: '/k.pub', context: { env: {} }, cosign: fakeCosign(PUB, { signed: [B] }) },
    );
    expect(result.manifests.map((m) => m.what)).toEqual(['manifest']);
    expect(result.ok).toBe(true);
  });

  it('lists an index entry without a platform as unknown', () => {
    expect(indexEntries({ manifests: [{ digest: A, size: 1 }] })).toEqual([{ platform: 'unknown', digest: A }]);
  });
});

describe('parseImageArgument (verify IMAGE)', () => {
  it('takes a tag or a digest reference, :latest when neither', () => {
    expect(parseImageArgument('127.0.0.1:5000/p/app:v1')).toEqual({
      repository: '127.0.0.1:5000/p/app',
      reference: '127.0.0.1:5000/p/app:v1',
    });
    expect(parseImageArgument(`127.0.0.1:5000/p/app@${A}`)).toEqual({
      repository: '127.0.0.1:5000/p/app',
      reference: `127.0.0.1:5000/p/app@${A}`,
    });
    expect(parseImageArgument('127.0.0.1:5000/p/app').reference).toBe('127.0.0.1:5000/p/app:latest');
  });

  it('refuses what is not a reference, such as an option', () => {
    expect(() => parseImageArgument('--insecure:x')).toThrow(UserError);
    expect(() => parseImageArgument('Registry/App:v1')).toThrow(UserError);
  });
});
