// Hashes an app's input files for its input digest (src/core/inputDigest.ts): content SHA-256,
// whether it is a symlink (then the link's target text is hashed, as Docker copies the link
// itself), and the executable bit (COPY keeps modes). Each file is read once per plan, however
// many images list it (a shared context): the cache is per reader.
import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { InputFile } from '../core/inputDigest.js';

export function fileDigester(root: string) {
  const cache = new Map<string, Promise<InputFile | undefined>>();
  const digestOne = async (path: string): Promise<InputFile | undefined> => {
    const abs = resolve(root, path);
    const stat = await lstat(abs).catch(() => undefined);
    if (!stat) return undefined; // gone between listing and hashing: not an input any more
    const symlink = stat.isSymbolicLink();
    const content = symlink ? Buffer.from(await readlink(abs), 'utf8') : await readFile(abs);
    return {
      path,
      sha256: createHash('sha256').update(content).digest('hex'),
      kind: symlink ? 'symlink' : 'file',
      executable: !symlink && (stat.mode & 0o100) !== 0,
    };
  };
  return async (paths: readonly string[]): Promise<InputFile[]> => {
    const files = await Promise.all(
      paths.map((path) => {
        let pending = cache.get(path);
        if (!pending) cache.set(path, (pending = digestOne(path)));
        return pending;
      }),
    );
    return files.filter((file): file is InputFile => file !== undefined);
  };
}
