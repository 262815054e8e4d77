// --sign-key on merge and verify's arguments: checked before any registry is contacted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { tempDir, tempRepo } from '../helpers/gitRepo.js';
import { leg } from '../helpers/summaryRuns.js';

async function cli(args: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd, env });
  return { code, stdout, stderr };
}

/** A plan of one ko app and its two pushed leg records, in a fresh directory. */
async function mergeInputs(): Promise<string> {
  const dir = tempDir('hephy-cli-sign-');
  const repo = tempRepo({
    'app/build-config.yaml': 'build_backend: ko\nplatforms: [linux/amd64, linux/arm64]\n',
    'app/go.mod': 'module x\n',
  });
  writeFileSync(join(dir, 'plan.json'), (await cli(['plan', '--root', repo.root, '--json'])).stdout);
  mkdirSync(join(dir, 'records'));
  for (const platform of ['linux/amd64', 'linux/arm64']) {
    const r = leg({ image: 'app', platform });
    writeFileSync(join(dir, 'records', `${r.legId}.json`), JSON.stringify(r));
  }
  return dir;
}

describe('merge --sign-key', () => {
  // 127.0.0.1:9 (discard) has no registry: an attempt to publish would fail with another error.
  const args = ['merge', '--plan', 'plan.json', '--records', 'records', '--registry', '127.0.0.1:9', '--insecure'];

  it('stops on a key file that is not there, before anything is published', async () => {
    const dir = await mergeInputs();
    const r = await cli([...args, '--sign-key', 'missing.key'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('hephy-builder: --sign-key: no such file: missing.key\n');
    expect(r.stdout).toBe('');
  });

  it('plan and run refuse a key file that is not there in one line, as merge does, before any work', async () => {
    const repo = tempRepo({ 'app/build-config.yaml': 'build_backend: ko\nplatforms: [linux/amd64]\n', 'app/go.mod': 'module x\n' });
    for (const command of [
      ['plan', '--root', repo.root, '--sign-key', 'missing.key'],
      ['plan', '--root', repo.root, '--json', '--sign-key', repo.root],
      ['run', '--root', repo.root, '--registry', '127.0.0.1:9', '--sign-key', 'missing.key'],
    ]) {
      const r = await cli(command, tempDir('hephy-cli-sign-'));
      const key = command.at(-1);
      expect([command[0], r.code, r.stderr, r.stdout]).toEqual([command[0], 1, `hephy-builder: --sign-key: no such file: ${key}\n`, '']);
    }
  });

  it('is in the help of merge and run, with the password variable', async () => {
    for (const command of ['merge', 'run'])
      expect((await cli([command, '--help'])).stdout).toMatch(/--sign-key FILE[\s\S]*HEPHY_COSIGN_PASSWORD/);
  });
});

describe('verify', () => {
  it('needs one image and --key, and refuses a missing key file', async () => {
    expect((await cli(['verify', '--key', 'k.pub'])).stderr).toContain('verify takes exactly one image');
    expect((await cli(['verify', '127.0.0.1:9/a:b'])).stderr).toContain(
      '--key FILE (the public key) or --certificate-identity URI (keyless) is required',
    );
    const r = await cli(['verify', '127.0.0.1:9/a:b', '--key', 'nope.pub'], tempDir('hephy-cli-verify-'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('hephy-builder: --key: no such file: nope.pub\n');
  });
});

describe('verify keyless', () => {
  const identity = 'https://github.com/hephy/builder/.github/workflows/build.yml@refs/tags/v1';
  it('takes a certificate identity (the issuer defaults to GitHub Actions) instead of a key, never both', async () => {
    const both = await cli(['verify', '127.0.0.1:9/a:b', '--key', 'k.pub', '--certificate-identity', identity]);
    expect(both.stderr).toContain('give one of them');
    const issuerOnly = await cli(['verify', '127.0.0.1:9/a:b', '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com']);
    expect(issuerOnly.stderr).toContain('--certificate-oidc-issuer goes with --certificate-identity URI');
    const option = await cli(['verify', '127.0.0.1:9/a:b', '--certificate-identity=--key=/etc/passwd']);
    expect(option.stderr).toBe('hephy-builder: --certificate-identity: expected an https:// URI, got `--key=/etc/passwd`\n');
    expect((await cli(['verify', '--help'])).stdout).toMatch(/--certificate-identity URI[\s\S]*--certificate-oidc-issuer URI/);
  });
});
