// An exclusive lock between processes on this machine: a file that holds the owner's pid, created
// whole (written aside, then hard-linked into place, which fails if it exists). Used where two
// local runs at once would otherwise write one shared directory.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Gives the lock back (removes the file). Calling it twice is harmless. */
export type Release = () => void;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock at `path` unless a live process holds it. A lock whose process is gone (a run
 * that was killed) is taken over; two processes taking over the same dead lock at the same
 * instant may both get it, which is the only case it does not cover. Never waits.
 * @returns `release` when taken; else `holder`, the pid of the live process that has it
 */
export function tryLock(path: string): { release: Release } | { holder: number } {
  mkdirSync(dirname(path), { recursive: true });
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(aside, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = holderOf(path);
        if (holder !== undefined && alive(holder)) return { holder };
        rmSync(path, { force: true });
        continue;
      }
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    }
    return { holder: holderOf(path) ?? 0 };
  } finally {
    rmSync(aside, { force: true });
  }
}
