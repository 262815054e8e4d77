import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { walkFiles } from '../../src/core/walk.js';
import { tempDir } from '../helpers/gitRepo.js';

let root: string;
beforeEach(() => {
  root = tempDir('hephy-walk-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(...paths: string[]): void {
  for (const path of paths) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), 'x\n');
  }
}

const paths = (options?: Parameters<typeof walkFiles>[1]) => walkFiles(root, options).map((f) => f.path);

describe('walkFiles', () => {
  it('lists every file depth first, names in code-point order, with its directory', () => {
    write('b.txt', 'a/z.txt', 'a/B/c.txt', 'A.txt', '.hidden/x.txt');
    expect(paths()).toEqual(['.hidden/x.txt', 'A.txt', 'a/B/c.txt', 'a/z.txt', 'b.txt']);
    expect(walkFiles(root).find((f) => f.name === 'c.txt')).toEqual({ path: 'a/B/c.txt', dir: 'a/B', name: 'c.txt', symlink: false });
    expect(walkFiles(root).find((f) => f.name === 'b.txt')?.dir).toBe('.');
  });

  it('does not enter the directories it is told to skip, at any depth, and only those', () => {
    write('node_modules/x/f', 'web/node_modules/y/f', 'web/node_modules.txt', '.git/config', 'git/f');
    expect(paths({ skipDirNames: new Set(['node_modules', '.git']) })).toEqual(['git/f', 'web/node_modules.txt']);
  });

  it('does not list a symlink named as a skipped directory (a clone whose node_modules links to another checkout)', () => {
    const other = tempDir('hephy-walk-other-');
    try {
      write('app/main.go');
      symlinkSync(other, join(root, 'app', 'node_modules'));
      symlinkSync(join(root, 'app', 'main.go'), join(root, 'app', 'link.go'));
      expect(paths({ skipDirNames: new Set(['node_modules']) })).toEqual(['app/link.go', 'app/main.go']);
      expect(paths()).toEqual(['app/link.go', 'app/main.go', 'app/node_modules']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('never follows a symlinked directory: no loop, no file counted twice, nothing outside the tree', () => {
    const outside = tempDir('hephy-walk-outside-');
    try {
      writeFileSync(join(outside, 'secret.txt'), 'x\n');
      write('app/f');
      symlinkSync('..', join(root, 'app', 'loop'));
      symlinkSync(join(root, 'app'), join(root, 'alias'));
      symlinkSync(outside, join(root, 'out'));
      // Each link is listed as the link it is, and nothing behind it.
      expect(walkFiles(root).map((f) => [f.path, f.symlink])).toEqual([
        ['alias', true],
        ['app/f', false],
        ['app/loop', true],
        ['out', true],
      ]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('reports a symlinked file as a symlink, for the caller to accept or refuse', () => {
    write('real.yaml');
    symlinkSync('real.yaml', join(root, 'link.yaml'));
    expect(walkFiles(root).map((f) => [f.path, f.symlink])).toEqual([
      ['link.yaml', true],
      ['real.yaml', false],
    ]);
  });

  it('lists only the names asked for', () => {
    write('a/build-config.yaml', 'a/Dockerfile', 'b/c/build-config.yaml');
    expect(paths({ include: (name) => name === 'build-config.yaml' })).toEqual(['a/build-config.yaml', 'b/c/build-config.yaml']);
  });

  it('throws when the root itself cannot be read: a wrong path is the caller’s error, not an empty tree', () => {
    expect(() => walkFiles(join(root, 'absent'))).toThrow(/ENOENT/);
  });
});
