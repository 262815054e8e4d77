// Repository-relative paths with `/` separators, as git prints them and as input rules compare
// them: the one place that turns a directory on disk into such a path and back.
import { lstatSync } from 'node:fs';
import { posix, relative, resolve, sep } from 'node:path';

/** `root`-relative path of `abs` with `/` separators; '.' for root itself; undefined outside root. */
export function repoPath(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${sep}`) || resolve(root, rel) !== resolve(abs)) return undefined;
  return rel.split(sep).join('/');
}

/** `dir/name` of two repo paths, '.' being the root. */
export function joinRepoPath(dir: string, name: string): string {
  return posix.normalize(dir === '.' ? name : `${dir}/${name}`);
}

/** True when repo path `path` is `dir` or inside it ('.' holds everything). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '.' || path === dir || path.startsWith(`${dir}/`);
}

/** `path` relative to the repo directory `dir` that holds it (see isWithin). */
export function relativeTo(path: string, dir: string): string {
  return dir === '.' ? path : path === dir ? '.' : path.slice(dir.length + 1);
}

/** True when the repo path names something on disk (a symlink counts, even a dangling one). */
export function existsInRepo(root: string, path: string): boolean {
  try {
    return lstatSync(resolve(root, path), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
