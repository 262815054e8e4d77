import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChecksumMismatchError, downloadVerified } from '../../src/tools/download.js';

// A release-sized payload in several chunks, so streaming and hashing across chunks is exercised.
const payload = Buffer.concat(Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * 1024, i)));
const payloadSha = createHash('sha256').update(payload).digest('hex');

let server: Server;
let base: string;
let requests: string[];
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/release.tar.gz') {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      for (let i = 0; i < payload.length; i += 100_000) res.write(payload.subarray(i, i + 100_000));
      res.end();
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/release.tar.gz' });
      res.end();
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  dir = mkdtempSync(join(tmpdir(), 'hephy-download-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('downloadVerified', () => {
  it('writes the file when the checksum matches, following redirects', async () => {
    const dest = join(dir, 'tools', 'release.tar.gz');
    await expect(downloadVerified(`${base}/moved`, payloadSha, dest)).resolves.toBe(dest);
    expect(readFileSync(dest).equals(payload)).toBe(true);
    expect(readdirSync(join(dir, 'tools'))).toEqual(['release.tar.gz']);
  });

  it('deletes the download and names both hashes when the checksum does not match', async () => {
    const dest = join(dir, 'release.tar.gz');
    const wrong = 'ab'.repeat(32);
    const failure = downloadVerified(`${base}/release.tar.gz`, wrong, dest);
    await expect(failure).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(failure).rejects.toThrow(`expected sha256 ${wrong}, got ${payloadSha}`);
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not fetch again when the destination already has the pinned hash', async () => {
    const dest = join(dir, 'release.tar.gz');
    writeFileSync(dest, payload);
    await downloadVerified(`${base}/release.tar.gz`, payloadSha, dest);
    expect(requests).toEqual([]);
  });

  it('replaces a cached file whose hash is not the pinned one', async () => {
    const dest = join(dir, 'release.tar.gz');
    writeFileSync(dest, 'stale');
    await downloadVerified(`${base}/release.tar.gz`, payloadSha, dest);
    expect(requests).toEqual(['/release.tar.gz']);
    expect(readFileSync(dest).equals(payload)).toBe(true);
  });

  it('reports an HTTP error with the URL and status, leaving nothing behind', async () => {
    const dest = join(dir, 'release.tar.gz');
    await expect(downloadVerified(`${base}/missing`, payloadSha, dest)).rejects.toThrow(`GET ${base}/missing failed: HTTP 404`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a checksum that is not 64 hex digits', async () => {
    await expect(downloadVerified(`${base}/release.tar.gz`, 'abc', join(dir, 'x'))).rejects.toThrow('is not a SHA-256');
    expect(requests).toEqual([]);
  });
});
