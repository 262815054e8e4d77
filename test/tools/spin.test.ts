import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChecksumMismatchError } from '../../src/tools/download.js';
import {
  installSpin,
  parsePushedDigest,
  parseSpinVersion,
  pinnedChecksum,
  spinArch,
  spinPushArgs,
  spinReleaseUrl,
} from '../../src/tools/spin.js';

describe('spin tool', () => {
  it('pins a checksum per release and arch, and says when there is none', () => {
    expect(pinnedChecksum('v3.4.0', 'amd64')).toBe('d8286b5feaa9c17eca4fd173d14cb9a4783a40bbb9c40fe8a80c33dcc19f9fd2');
    expect(() => pinnedChecksum('v9.9.9', 'amd64')).toThrow('no pinned checksum for spin v9.9.9 on amd64');
  });

  it('maps Node architectures to release names', () => {
    expect(spinArch('x64')).toBe('amd64');
    expect(spinArch('arm64')).toBe('aarch64');
    expect(() => spinArch('riscv64')).toThrow('(riscv64)');
    expect(spinReleaseUrl('v3.4.0', 'amd64')).toBe(
      'https://github.com/spinframework/spin/releases/download/v3.4.0/spin-v3.4.0-linux-amd64.tar.gz',
    );
  });

  it('reads the version and the pushed digest from Spin output', () => {
    expect(parseSpinVersion('spin 3.4.0 (1a2b3c4 2025-09-01)\n')).toBe('3.4.0');
    const digest = `sha256:${'d'.repeat(64)}`;
    expect(parsePushedDigest(`Pushing app to the Registry...\nPushed with digest ${digest}\n`)).toBe(digest);
    expect(parsePushedDigest('Pushed; the registry did not return the digest\n')).toBeUndefined();
  });

  it('puts --insecure before the reference only for plain-http registries', () => {
    expect(spinPushArgs('spin.toml', 'r.example.com/a:t', false)).toEqual(['registry', 'push', '--from', 'spin.toml', 'r.example.com/a:t']);
    expect(spinPushArgs('spin.toml', '127.0.0.1:5000/a:t', true)).toEqual([
      'registry',
      'push',
      '--from',
      'spin.toml',
      '--insecure',
      '127.0.0.1:5000/a:t',
    ]);
  });

  it('passes each annotation as one --annotation=KEY=VALUE argument, so a value is never read as an option', () => {
    expect(
      spinPushArgs('spin.toml', 'r.example.com/a:t', false, [
        ['org.opencontainers.image.created', '2026-11-30T10:00:00Z'],
        ['org.example.note', '--insecure=a=b'],
      ]),
    ).toEqual([
      'registry',
      'push',
      '--from',
      'spin.toml',
      '--annotation=org.opencontainers.image.created=2026-11-30T10:00:00Z',
      '--annotation=org.example.note=--insecure=a=b',
      'r.example.com/a:t',
    ]);
    expect(() => spinPushArgs('spin.toml', 'r/a:t', false, [['a=b', 'c']])).toThrow('annotation key "a=b"');
  });
});

// The pinned release download on runners, against a STAND-IN FOR GITHUB'S RELEASE HOST: a local
// HTTP server serving a made-up release archive (the real one cannot be downloaded here). The
// archive is laid out like Spin's release tarballs: the `spin` binary at the top, beside docs.
describe("installSpin from a stand-in for GitHub's release host (local HTTP server, made-up archive)", () => {
  let root: string;
  let server: Server;
  let base: string;
  let requests: string[];
  let archive: Buffer;

  function madeUpArchive(versionLine: string): Buffer {
    const staging = mkdtempSync(join(root, 'release-'));
    writeFileSync(join(staging, 'spin'), `#!/bin/sh\necho '${versionLine}'\n`, { mode: 0o755 });
    writeFileSync(join(staging, 'README.md'), 'made-up release archive for a test\n');
    const tarball = join(staging, 'spin.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', staging, 'spin', 'README.md']);
    return readFileSync(tarball);
  }

  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const release = () => ({
    url: `${base}/spinframework/spin/releases/download/v3.4.0/spin-v3.4.0-linux-amd64.tar.gz`,
    sha256: sha(archive),
  });
  const install = (dir: string, pinned = release()) => installSpin({ dir, arch: 'amd64', release: pinned });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hephy-spin-install-'));
    archive = madeUpArchive('spin 3.4.0 (made-up release archive)');
    requests = [];
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url?.endsWith('/spin-v3.4.0-linux-amd64.tar.gz')) response.end(archive);
      else response.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    requests.length = 0;
  });

  it('downloads, checks the SHA-256 and installs the binary, which then runs', async () => {
    const dir = mkdtempSync(join(root, 'cache-'));
    const binary = await install(dir);
    expect(binary).toBe(join(dir, 'spin-v3.4.0-linux-amd64', 'spin'));
    expect(execFileSync(binary, ['--version'], { encoding: 'utf8' })).toBe('spin 3.4.0 (made-up release archive)\n');
    expect(requests).toEqual(['/spinframework/spin/releases/download/v3.4.0/spin-v3.4.0-linux-amd64.tar.gz']);
    expect(existsSync(join(dir, 'spin-v3.4.0-linux-amd64', 'README.md'))).toBe(false);
  });

  it('refuses an archive whose SHA-256 is not the pinned one, and leaves nothing behind', async () => {
    const dir = mkdtempSync(join(root, 'cache-'));
    const pinned = { ...release(), sha256: 'd8286b5feaa9c17eca4fd173d14cb9a4783a40bbb9c40fe8a80c33dcc19f9fd2' };
    await expect(install(dir, pinned)).rejects.toThrow(ChecksumMismatchError);
    await expect(install(dir, pinned)).rejects.toThrow(`expected sha256 ${pinned.sha256}, got ${sha(archive)}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('checks a restored cache again before the binary runs: a good one is used without a download', async () => {
    const dir = mkdtempSync(join(root, 'cache-'));
    await install(dir);
    requests.length = 0;
    // A restored cache whose binary was swapped: it is unpacked again from the verified tarball.
    writeFileSync(join(dir, 'spin-v3.4.0-linux-amd64', 'spin'), '#!/bin/sh\necho tampered\n');
    const binary = await install(dir);
    expect(requests).toEqual([]);
    expect(execFileSync(binary, ['--version'], { encoding: 'utf8' })).toBe('spin 3.4.0 (made-up release archive)\n');
  });

  it('checks a restored cache again: a tarball that fails the hash is downloaded again', async () => {
    const dir = mkdtempSync(join(root, 'cache-'));
    await install(dir);
    requests.length = 0;
    writeFileSync(join(dir, 'spin-v3.4.0-linux-amd64.tar.gz'), madeUpArchive('tampered'));
    const binary = await install(dir);
    expect(requests).toHaveLength(1);
    expect(sha(readFileSync(join(dir, 'spin-v3.4.0-linux-amd64.tar.gz')))).toBe(sha(archive));
    expect(execFileSync(binary, ['--version'], { encoding: 'utf8' })).toBe('spin 3.4.0 (made-up release archive)\n');
  });
});
