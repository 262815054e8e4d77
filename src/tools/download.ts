// Downloads of pinned tool releases. A release is trusted only by the SHA-256 pinned in our code,
// never by where it came from: the bytes stream to a temp file beside the destination while being
// hashed, and only a matching file is renamed into place (atomically, so a cache never holds half
// a file). A destination that already has the pinned hash is a cache hit and is not fetched again.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { messageOf } from '../core/problem.js';

const SHA256 = /^[a-f0-9]{64}$/;

export interface DownloadOptions {
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Thrown when the downloaded bytes are not the pinned ones; the partial file is already gone. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`checksum mismatch for ${url}: expected sha256 ${expected}, got ${got}`);
    this.name = 'ChecksumMismatchError';
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Resolves to dest once it holds the bytes whose SHA-256 is `sha256` (lowercase hex). */
export async function downloadVerified(url: string, sha256: string, dest: string, options: DownloadOptions = {}): Promise<string> {
  const expected = sha256.toLowerCase();
  if (!SHA256.test(expected)) throw new Error(`downloadVerified ${url}: "${sha256}" is not a SHA-256 (64 hex digits)`);
  if (existsSync(dest) && (await sha256File(dest)) === expected) {
    options.log?.(`${basename(dest)}: cached, checksum ok`);
    return dest;
  }

  mkdirSync(dirname(dest), { recursive: true });
  // Same directory as dest, so the final rename never crosses filesystems.
  const partial = join(dirname(dest), `.${basename(dest)}.${process.pid}.${Date.now()}.partial`);
  const doFetch = options.fetch ?? fetch;
  const signal = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
  try {
    options.log?.(`downloading ${url}`);
    const response = await doFetch(url, { redirect: 'follow', signal }).catch((error: unknown) => {
      throw new Error(`GET ${url} failed: ${messageOf(error)}`);
    });
    if (!response.ok || !response.body) throw new Error(`GET ${url} failed: HTTP ${response.status} ${response.statusText}`.trimEnd());

    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), hashing, createWriteStream(partial));
    const got = hash.digest('hex');
    if (got !== expected) throw new ChecksumMismatchError(url, expected, got);
    renameSync(partial, dest);
    return dest;
  } finally {
    rmSync(partial, { force: true });
  }
}
