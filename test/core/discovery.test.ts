import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverApps, findConfigDirs, ownerOf, selectChanged, selectDirs } from '../../src/core/discovery.js';
import { isIgnored } from '../../src/tools/git.js';
import { tempDir } from '../helpers/gitRepo.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'repos');

let root: string;
beforeEach(() => {
  root = tempDir('hephy-discovery-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const MONOREPO_APPS = ['arm64-only', 'buildkit-only', 'invalid', 'kaniko', 'ko-explicit', 'nested/outer', 'nested/outer/inner', 'spin'];

describe('discoverApps', () => {
  it('finds every config dir at any depth, and skips node_modules, vendor and .git', async () => {
    cpSync(join(FIXTURES, 'monorepo'), root, { recursive: true });
    write({
      'node_modules/x/build-config.yaml': 'build_backend: kaniko\n',
      'web/vendor/y/build-config.yaml': 'build_backend: kaniko\n',
      '.git/z/build-config.yaml': 'build_backend: kaniko\n',
    });
    const { apps, skipped } = await discoverApps(root);
    expect(apps.map((a) => a.dir)).toEqual(MONOREPO_APPS);
    expect(apps[0]).toEqual({ dir: 'arm64-only', configFile: 'arm64-only/build-config.yaml' });
    // The monorepo root has no config and nothing buildable: not an app, and not worth a line.
    expect(skipped).toEqual([]);
  });

  it('finds configs in hidden and build-output dirs (ignored ones are the ignore check’s), never through a symlinked dir', async () => {
    write({
      '.deploy/api/build-config.yaml': 'build_backend: kaniko\n',
      'build/tool/build-config.yaml': 'build_backend: kaniko\n',
      'a/b/c/d/e/f/g/deep/build-config.yaml': 'build_backend: kaniko\n',
    });
    symlinkSync(join(root, 'build'), join(root, 'alias'));
    const { apps } = await discoverApps(root);
    expect(apps.map((a) => a.dir)).toEqual(['.deploy/api', 'a/b/c/d/e/f/g/deep', 'build/tool']);
  });

  it('skips git-ignored configs, asking the ignore check once for all of them', async () => {
    write({ 'a/build-config.yaml': '', 'generated/b/build-config.yaml': '', 'c/build-config.yaml': '' });
    const calls: string[][] = [];
    const { apps } = await discoverApps(root, {
      isIgnored: (paths) => {
        calls.push(paths);
        return new Set(paths.filter((p) => p.startsWith('generated/')));
      },
    });
    expect(apps.map((a) => a.dir)).toEqual(['a', 'c']);
    expect(calls).toEqual([['a/build-config.yaml', 'c/build-config.yaml', 'generated/b/build-config.yaml']]);
  });

  it('works with the real git check-ignore', async () => {
    cpSync(join(FIXTURES, 'monorepo'), root, { recursive: true });
    write({ '.gitignore': 'out/\n', 'out/copy/build-config.yaml': 'build_backend: kaniko\n' });
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['init', '-q'], { cwd: root });
    const { apps } = await discoverApps(root, { isIgnored: (paths) => isIgnored(root, paths) });
    expect(apps.map((a) => a.dir)).toEqual(MONOREPO_APPS);
  });

  it('counts a config-less root when detection finds something buildable', async () => {
    cpSync(join(FIXTURES, 'app-go'), root, { recursive: true });
    expect((await discoverApps(root)).apps).toEqual([{ dir: '.' }]);
  });

  it('counts a root with a config first, and never a config-less subdirectory', async () => {
    write({ 'build-config.yaml': 'build_backend: kaniko\n', Dockerfile: 'FROM scratch\n', 'sub/Dockerfile': 'FROM scratch\n' });
    expect((await discoverApps(root)).apps).toEqual([{ dir: '.', configFile: 'build-config.yaml' }]);
  });

  it('reports an empty repository root as skipped', async () => {
    write({ 'README.md': 'hi' });
    expect(await discoverApps(root)).toEqual({
      apps: [],
      skipped: [{ dir: '.', reason: 'no build-config.yaml and nothing buildable detected' }],
      problems: [],
    });
  });

  // .hephyignore patterns are .gitignore's (git-scm.com/docs/gitignore): `dir/` matches a
  // directory at any depth, a leading `/` anchors to the root, `!` re-includes, and a directory
  // excluded by its parent cannot be re-included. Checked against git itself below.
  it('leaves out the apps .hephyignore excludes, naming the line, even when git tracks them', async () => {
    write({
      '.hephyignore': '# the origin ships these as samples\nexamples/\n/legacy\nold-*\n!old-keep\n',
      'api/build-config.yaml': '',
      'examples/a/build-config.yaml': '',
      'tools/examples/b/build-config.yaml': '',
      'legacy/build-config.yaml': '',
      'tools/legacy/build-config.yaml': '',
      'old-web/build-config.yaml': '',
      'old-keep/build-config.yaml': '',
    });
    const { apps, skipped, problems } = await discoverApps(root);
    expect(apps.map((a) => a.dir)).toEqual(['api', 'old-keep', 'tools/legacy']);
    expect(skipped).toEqual([
      { dir: 'examples/a', reason: 'excluded by .hephyignore:2 (examples/)' },
      { dir: 'legacy', reason: 'excluded by .hephyignore:3 (/legacy)' },
      { dir: 'old-web', reason: 'excluded by .hephyignore:4 (old-*)' },
      { dir: 'tools/examples/b', reason: 'excluded by .hephyignore:2 (examples/)' },
    ]);
    expect(problems).toEqual([]);
    // The same patterns as a .gitignore: git excludes exactly the same config files.
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['init', '-q'], { cwd: root });
    const files = [...apps.map((a) => a.dir), ...skipped.map((s) => s.dir)].map((dir) => `${dir}/build-config.yaml`);
    const ignoredByGit = execFileSync(
      'git',
      ['-c', `core.excludesFile=${join(root, '.hephyignore')}`, 'check-ignore', '--no-index', ...files],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(ignoredByGit.trim().split('\n').sort()).toEqual(skipped.map((s) => `${s.dir}/build-config.yaml`).sort());
  });

  it('never excludes the root app', async () => {
    write({
      '.hephyignore': '*\n',
      'build-config.yaml': 'build_backend: kaniko\n',
      Dockerfile: 'FROM scratch\n',
      'sub/build-config.yaml': '',
    });
    const { apps, skipped } = await discoverApps(root);
    expect(apps.map((a) => a.dir)).toEqual(['.']);
    expect(skipped).toEqual([{ dir: 'sub', reason: 'excluded by .hephyignore:1 (*)' }]);
  });

  it('walks a 500-app monorepo quickly', () => {
    for (let i = 0; i < 500; i++) write({ [`group${i % 10}/app${i}/build-config.yaml`]: '' });
    const started = performance.now();
    expect(findConfigDirs(root)).toHaveLength(500);
    expect(performance.now() - started).toBeLessThan(300);
  });
});

describe('selectChanged', () => {
  const apps = ['.', 'a', 'a/nested', 'b'];

  it('selects the deepest app dir above each changed file', () => {
    expect(selectChanged(apps, ['a/nested/main.go'])).toEqual(new Set(['a/nested']));
    expect(selectChanged(apps, ['a/Dockerfile', 'b/x/y/z.txt'])).toEqual(new Set(['a', 'b']));
  });

  it('gives files outside nested apps to the root app, its config included', () => {
    expect(selectChanged(apps, ['build-config.yaml'])).toEqual(new Set(['.']));
    expect(selectChanged(apps, ['docs/readme.md'])).toEqual(new Set(['.']));
    expect(selectChanged(['a'], ['docs/readme.md', 'ab/x'])).toEqual(new Set());
  });

  it('finds owners by path segment, not by prefix', () => {
    expect(ownerOf('ab/file', new Set(['a']))).toBeUndefined();
    expect(ownerOf('a/file', new Set(['a']))).toBe('a');
  });
});

describe('selectDirs', () => {
  it('selects named dirs, normalising ./ and trailing slashes', () => {
    expect(selectDirs(['a', 'b/c'], ['./a/', 'b/c']).selected).toEqual(new Set(['a', 'b/c']));
  });

  it('reports unknown dirs with a suggestion', () => {
    const { selected, problems } = selectDirs(['curl', 'manifest-tool'], ['curl', 'manifest_tool', 'zzz']);
    expect(selected).toEqual(new Set(['curl']));
    expect(problems.map((p) => [p.path, p.message, p.hint])).toEqual([
      ['dirs[1]', 'manifest_tool is not an app directory (no build-config.yaml there)', 'did you mean `manifest-tool`?'],
      ['dirs[2]', 'zzz is not an app directory (no build-config.yaml there)', undefined],
    ]);
  });
});
