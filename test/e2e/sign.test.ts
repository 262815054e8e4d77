// Key-based signatures, end to end with the real cosign (v3.1.3, tool-pins.json) against the local
// registry: `hephy-builder run --sign-key` over a ko app for two platforms signs the published
// index and, recursively, both platform manifests; `hephy-builder verify` and the very cosign
// command the summary prints accept them; signing the unchanged digest again adds no signature;
// and a tag moved to another image's manifest fails verification.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, toolEnv } from '../../src/tools/paths.js';
import { run } from '../../src/tools/exec.js';
import { createSigner, signImage } from '../../src/pipeline/sign.js';
import type { RunReport } from '../../src/core/report/runReport.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { indexEntries, rawManifest, runCli, services, tempDir, type CliRun } from './harness.js';

const RUN_TIMEOUT_MS = 20 * 60 * 1000;
const CHECK_TIMEOUT_MS = 3 * 60 * 1000;
const PASSWORD = 'e2e-key-Pa55word';

/** The signatures cosign stored for a digest: the fallback tag `sha256-<hex>` lists one manifest per bundle (distribution 2.8 has no referrers API). */
async function signatureCount(repository: string, digest: string): Promise<number> {
  const index = await rawManifest(`${repository}:${digest.replace(':', '-')}`);
  return (index.manifests ?? []).length;
}

describe('key-based signatures with cosign (e2e)', () => {
  const svc = services();
  const prefix = `e2e-sign-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const repository = `${svc.registry}/${prefix}/signed-ko`;
  const keys = tempDir('sign-keys');
  const out = tempDir('sign-out');
  let repo: TempRepo;
  let result: CliRun;
  let report: RunReport;
  const savedPassword = process.env.HEPHY_COSIGN_PASSWORD;

  beforeAll(async () => {
    // A password-protected key pair, as a user makes it (cosign.key, cosign.pub).
    await run('cosign', ['generate-key-pair'], { cwd: keys, env: { ...toolEnv(), COSIGN_PASSWORD: PASSWORD }, secrets: [PASSWORD] });
    repo = tempRepo();
    cpSync(join(packageRoot(), 'examples', 'go-hello'), join(repo.root, 'signed-ko'), { recursive: true });
    repo.commit('a ko app to sign');
    process.env.HEPHY_COSIGN_PASSWORD = PASSWORD;
    result = await runCli([
      'run',
      '--root',
      repo.root,
      '--registry',
      svc.registry,
      '--image-prefix',
      prefix,
      '--out',
      out,
      '--sign-key',
      join(keys, 'cosign.key'),
    ]);
    if (result.code !== 0) process.stderr.write(`hephy-builder run exited ${result.code}\n${result.stdout}\n${result.stderr}\n`);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  }, RUN_TIMEOUT_MS);

  afterAll(() => {
    repo?.remove();
    if (savedPassword === undefined) delete process.env.HEPHY_COSIGN_PASSWORD;
    else process.env.HEPHY_COSIGN_PASSWORD = savedPassword;
  });

  it('publishes the image signed (key) and prints the cosign command that verifies it, without the password', () => {
    expect(result.code).toBe(0);
    const [outcome] = report.outcomes;
    expect(outcome).toMatchObject({ image: 'signed-ko', status: 'published', signature: { method: 'key', status: 'signed' } });
    const command = `cosign verify --key=${join(keys, 'cosign.pub')} --insecure-ignore-tlog=true ${repository}@${outcome.digest}`;
    expect(outcome.signature?.verifyCommand).toBe(command);
    expect(result.stdout).toContain(`signed (key); verify: ${command}`);
    expect(result.stdout).not.toContain('no --sign-key');
    expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
    process.stderr.write(`cosign: merge signing of 1 index + 2 platform manifests took ${outcome.signature?.durationMs} ms\n`);
  });

  it(
    'the printed cosign command verifies the index, and each platform manifest by its digest',
    async () => {
      const outcome = report.outcomes[0];
      const index = await rawManifest(`${repository}@${outcome.digest}`);
      const platforms = indexEntries(index);
      expect(platforms.map((p) => p.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
      const pub = join(keys, 'cosign.pub');
      for (const digest of [outcome.digest!, ...platforms.map((p) => p.digest)]) {
        const started = Date.now();
        const verified = await run('cosign', ['verify', `--key=${pub}`, '--insecure-ignore-tlog=true', `${repository}@${digest}`], {
          env: toolEnv(),
        });
        process.stderr.write(`cosign verify ${digest.slice(0, 19)}: ${Date.now() - started} ms\n`);
        expect(JSON.parse(verified.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest);
      }
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    '`hephy-builder verify` reports the index and every platform signed',
    async () => {
      const verified = await runCli(['verify', `${repository}:latest`, '--key', join(keys, 'cosign.pub')]);
      expect(verified.stderr).toBe('');
      expect(verified.code).toBe(0);
      expect(verified.stdout).toMatch(/^\s+index\s+sha256:[0-9a-f]{64}\s+signed$/m);
      expect(verified.stdout).toMatch(/^\s+linux\/amd64\s+sha256:[0-9a-f]{64}\s+signed$/m);
      expect(verified.stdout).toMatch(/^\s+linux\/arm64\s+sha256:[0-9a-f]{64}\s+signed$/m);
      expect(verified.stdout).toContain('verified: 3 manifest(s) signed');
      // --insecure adds cosign's --allow-http-registry and --allow-insecure-registry: still verified.
      const insecure = await runCli(['verify', `${repository}:latest`, '--key', join(keys, 'cosign.pub'), '--insecure']);
      expect([insecure.code, insecure.stdout]).toEqual([0, verified.stdout]);
      // Another key pair's public key does not verify them.
      const other = tempDir('sign-other');
      await run('cosign', ['generate-key-pair'], { cwd: other, env: { ...toolEnv(), COSIGN_PASSWORD: '' } });
      const wrongKey = await runCli(['verify', `${repository}:latest`, '--key', join(other, 'cosign.pub')]);
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stdout).toMatch(/index\s+sha256:\S+\s+NOT signed: /);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'signing the unchanged digest again adds no second signature',
    async () => {
      const outcome = report.outcomes[0];
      const platforms = indexEntries(await rawManifest(`${repository}@${outcome.digest}`)).map((p) => p.digest);
      const before = await signatureCount(repository, outcome.digest!);
      expect(before).toBe(1);
      const signer = await createSigner({ keyFile: join(keys, 'cosign.key'), cwd: '/', password: PASSWORD, env: toolEnv() });
      try {
        const again = await signImage(signer, repository, outcome.digest!, platforms);
        expect(again.status).toBe('already signed');
      } finally {
        signer.dispose();
      }
      expect(await signatureCount(repository, outcome.digest!)).toBe(before);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'a tag moved to another image (copied over it with crane) fails verification',
    async () => {
      const tampered = `${repository}:tampered`;
      // The tag first serves the signed index, then another image's manifest is copied over it.
      await run('crane', ['copy', '--insecure', `${repository}:latest`, tampered]);
      expect((await runCli(['verify', tampered, '--key', join(keys, 'cosign.pub')])).code).toBe(0);
      await run('crane', ['copy', '--insecure', svc.busybox, tampered]);
      const verified = await runCli(['verify', tampered, '--key', join(keys, 'cosign.pub')]);
      expect(verified.code).toBe(1);
      expect(verified.stdout).toMatch(/NOT signed: /);
      expect(verified.stdout).toContain('FAILED:');
    },
    CHECK_TIMEOUT_MS,
  );
});
