import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveAdvertisedRef } from '../../src/core/upstreamRef.js';
import { changedFiles, headSha, isIgnored, lsRemote, nameFromUrl, repoName, resolveRef, shallowClone } from '../../src/tools/git.js';
import { tempDir, tempRepo, type TempRepo } from '../helpers/gitRepo.js';

describe('git', () => {
  let repo: TempRepo;
  let first: string;
  beforeEach(() => {
    repo = tempRepo({ 'a/x.txt': '1', 'b/y.txt': '1', '.gitignore': 'build/\n*.log\n' });
    first = repo.commit('first');
  });
  afterEach(() => repo.remove());

  describe('changedFiles', () => {
    it('lists the files changed since a rev', async () => {
      repo.write({ 'b/y.txt': '2', 'c/z.txt': '1' });
      repo.commit('second');
      expect(await changedFiles(repo.root, first)).toEqual(['b/y.txt', 'c/z.txt']);
    });

    it('counts a rename in both the old and the new directory', async () => {
      repo.git('mv', 'a', 'c');
      repo.commit('move');
      expect(await changedFiles(repo.root, first)).toEqual(['a/x.txt', 'c/x.txt']);
    });

    it('uses the merge base, so changes on the base branch after the fork do not count', async () => {
      repo.git('checkout', '-q', '-b', 'feature');
      repo.write({ 'a/x.txt': 'feature' });
      repo.commit('feature change');
      repo.git('checkout', '-q', 'main');
      repo.write({ 'b/y.txt': 'main moved on' });
      const baseTip = repo.commit('main change');
      repo.git('checkout', '-q', 'feature');
      expect(await changedFiles(repo.root, baseTip)).toEqual(['a/x.txt']);
    });

    it('treats the all-zeros before of a new branch as everything', async () => {
      expect(await changedFiles(repo.root, '0'.repeat(40))).toBe('all');
    });

    it('adds uncommitted and untracked files on request', async () => {
      repo.write({ 'a/x.txt': 'dirty', 'd/new.txt': 'n', 'build/out.txt': 'ignored' });
      expect(await changedFiles(repo.root, 'HEAD')).toEqual([]);
      expect(await changedFiles(repo.root, 'HEAD', { workingTree: true })).toEqual(['a/x.txt', 'd/new.txt']);
    });

    it('says clearly when the rev is unknown', async () => {
      await expect(changedFiles(repo.root, 'f'.repeat(40))).rejects.toThrow(/is not a commit of this repository/);
    });
  });

  it('reports the ignored paths in one call', async () => {
    // `build/` in .gitignore matches only directories: a directory is passed with a trailing slash.
    const ignored = await isIgnored(repo.root, ['build/', 'build/x', 'a/', 'node.log', 'b/y.txt']);
    expect([...ignored].sort()).toEqual(['build/', 'build/x', 'node.log']);
    expect(await isIgnored(repo.root, [])).toEqual(new Set());
  });

  it('ignores nothing outside a repository', async () => {
    const plain = tempDir();
    try {
      expect(await isIgnored(plain, ['x'])).toEqual(new Set());
    } finally {
      rmSync(plain, { recursive: true });
    }
  });

  it('names the repo from origin, else from its directory', async () => {
    expect(await repoName(repo.root)).toBe(repo.root.split('/').pop());
    repo.git('remote', 'add', 'origin', 'git@example.com:org/my-service.git');
    expect(await repoName(repo.root)).toBe('my-service');
  });

  it.each([
    ['https://example.com/org/app.git', 'app'],
    ['git@example.com:org/app.git', 'app'],
    ['/srv/git/app/', 'app'],
    ['app', 'app'],
  ])('nameFromUrl(%s) = %s', (url, name) => {
    expect(nameFromUrl(url)).toBe(name);
  });

  it('resolves refs and HEAD', async () => {
    repo.git('tag', 'v1');
    expect(await resolveRef(repo.root, 'v1')).toBe(first);
    expect(await headSha(repo.root)).toBe(first);
    await expect(resolveRef(repo.root, 'nope')).rejects.toThrow(/nope does not name a commit/);
  });

  describe('shallowClone', () => {
    let second: string;
    let target: string;
    beforeEach(() => {
      repo.git('tag', 'v1');
      repo.write({ 'a/x.txt': '2' });
      second = repo.commit('second');
      target = tempDir();
    });
    afterEach(() => rmSync(target, { recursive: true, force: true }));

    it.each([
      ['a branch', () => 'main', () => second],
      ['a tag', () => 'v1', () => first],
      ['a full sha', () => first, () => first],
    ])('checks out %s and returns the commit', async (_what, ref, expected) => {
      const dir = join(target, 'src');
      expect(await shallowClone(`file://${repo.root}`, ref(), dir)).toBe(expected());
      expect(await headSha(dir)).toBe(expected());
    });

    it('falls back to a full fetch for an abbreviated sha', async () => {
      expect(await shallowClone(`file://${repo.root}`, first.slice(0, 10), target)).toBe(first);
    });

    // The plan resolves upstream refs from ls-remote (core/upstreamRef.ts); the legs used to fetch
    // the ref itself. Both must pick the same commit, whatever the ref: checked against git fetch.
    it('resolves refs from ls-remote to the commit git fetch checks out', async () => {
      repo.git('tag', '-a', '-m', 'annotated', 'v2', first);
      repo.git('branch', 'same', first);
      repo.git('tag', 'same', second);
      const url = `file://${repo.root}`;
      const advertised = await lsRemote(url, target);
      for (const ref of ['main', 'HEAD', 'v1', 'v2', 'same', 'heads/same', 'tags/same', 'refs/heads/same']) {
        const dir = join(target, ref.replace(/\//g, '-'));
        expect([ref, resolveAdvertisedRef(ref, advertised, url)]).toEqual([
          ref,
          expect.objectContaining({ commit: await shallowClone(url, ref, dir) }),
        ]);
      }
      // Eight real clones: a shared machine can take longer than jest's default 5 s.
    }, 60_000);

    it("says why a repository cannot be listed, in git's words", async () => {
      await expect(lsRemote(`file://${target}/missing`, target)).rejects.toThrow(/^git ls-remote file:.*missing: fatal: .*/);
    });

    // git-fetch(1): --upload-pack runs its value as a command for local and ssh transports, and git
    // reads options after positional arguments unless --end-of-options comes first (git >= 2.24).
    it('never reads a ref or repo as an option: a ref `--upload-pack=CMD` runs nothing', async () => {
      const marker = join(target, 'ran');
      const ref = `--upload-pack=touch ${marker}; git-upload-pack`;
      await expect(shallowClone(repo.root, ref, join(target, 'src'))).rejects.toThrow();
      expect(existsSync(marker)).toBe(false);
      await expect(shallowClone(`--upload-pack=touch ${marker}`, 'main', join(target, 'src2'))).rejects.toThrow();
      expect(existsSync(marker)).toBe(false);
    });

    it('fails with the ref and repo named', async () => {
      await expect(shallowClone(`file://${repo.root}`, 'no-such-branch', target)).rejects.toThrow(
        /no-such-branch is not a branch, tag or commit of file:/,
      );
    });
  });
});
