// The one walk of a directory tree: finding apps in a repository (discovery, and `init` asking
// whether a repository has any config yet) and leg records in a download directory. What it
// skips, and why, is decided here once:
// - symlinked directories are never entered: a link to `..` would loop, and a link to a sibling
//   would count its apps twice (and could lead out of the tree);
// - a directory that cannot be read is passed over: nothing can be built or read from it;
// - directories named in `skipDirNames` are not entered, at any depth (discovery names the
//   dependency and VCS directories of a repository: see REPOSITORY_SKIPPED_DIRS), nor listed when
//   they are symlinks.
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

export interface WalkedFile {
  /** Relative to the walked root, with `/` separators, e.g. `apps/api/build-config.yaml`. */
  path: string;
  /** The directory holding it, relative to the root; '.' for the root itself. */
  dir: string;
  name: string;
  /** A symbolic link (to a file, a directory or nothing): reported by its name, never followed. */
  symlink: boolean;
}

export interface WalkOptions {
  /** Directory names never entered, wherever they are. */
  skipDirNames?: ReadonlySet<string>;
  /** Keeps only the files whose name passes; the others are not even listed (big trees). */
  include?: (name: string) => boolean;
  /**
   * Also list FIFOs, sockets and devices whose name passes `include`, so that their reader can
   * refuse them by name (a FIFO named build-config.yaml is an error, not a silently empty app).
   */
  specialFiles?: boolean;
}

const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Every file below `root` (regular files and symlinks; sockets, FIFOs and devices only with `specialFiles`),
 * depth first, each directory's entries in code-point order of their names, so the same tree
 * always gives the same list.
 * @throws the fs error when `root` itself cannot be read (a caller's mistake, not the tree's).
 */
export function walkFiles(root: string, options: WalkOptions = {}): WalkedFile[] {
  const files: WalkedFile[] = [];
  const visit = (dir: string, entries: Dirent[]) => {
    for (const entry of entries.sort(byName)) {
      const path = dir === '.' ? entry.name : `${dir}/${entry.name}`;
      // Dirent describes the entry itself (lstat): a symlink to a directory is not a directory here.
      if (entry.isDirectory()) {
        if (options.skipDirNames?.has(entry.name)) continue;
        let children: Dirent[];
        try {
          children = readdirSync(join(root, path), { withFileTypes: true });
        } catch {
          continue;
        }
        visit(path, children);
      } else if (entry.isSymbolicLink() && options.skipDirNames?.has(entry.name)) {
        // A link named as a skipped directory stands for one (a clone's `node_modules` linked to
        // another checkout's): skipped too, else it would count as a file where a directory
        // would not (git's `node_modules/` ignore rule does not match a link either).
        continue;
      } else if ((entry.isFile() || entry.isSymbolicLink() || options.specialFiles) && (options.include?.(entry.name) ?? true)) {
        files.push({ path, dir, name: entry.name, symlink: entry.isSymbolicLink() });
      }
    }
  };
  visit('.', readdirSync(root, { withFileTypes: true }));
  return files;
}
