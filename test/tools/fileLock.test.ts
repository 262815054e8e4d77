import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tryLock } from '../../src/tools/fileLock.js';

const lockPath = () => join(mkdtempSync(join(tmpdir(), 'hephy-lock-')), 'sub', 'x.lock');

describe('tryLock', () => {
  it('is taken once at a time and free again after release', () => {
    const path = lockPath();
    const first = tryLock(path);
    expect('release' in first).toBe(true);
    expect(tryLock(path)).toEqual({ holder: process.pid });
    if ('release' in first) first.release();
    expect(existsSync(path)).toBe(false);
    const again = tryLock(path);
    expect('release' in again).toBe(true);
    if ('release' in again) {
      again.release();
      again.release();
    }
  });

  it('takes over a lock whose process is gone', () => {
    const path = lockPath();
    mkdirSync(dirname(path), { recursive: true });
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(path, `${gone}\n`);
    const taken = tryLock(path);
    expect('release' in taken).toBe(true);
  });

  it('leaves no file behind but the lock itself', () => {
    const path = lockPath();
    const taken = tryLock(path);
    tryLock(path);
    expect(readdirSync(dirname(path))).toEqual(['x.lock']);
    if ('release' in taken) taken.release();
  });
});
