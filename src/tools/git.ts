// A small typed wrapper over the git CLI: what the planner needs (changed files, ignored paths,
// the repo's name) and what upstream builds need (a shallow checkout of a remote ref).
import { existsSync, mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { parseLsRemote, type AdvertisedRef } from '../core/upstreamRef.js';
import { maskSecrets, run, ToolError, type RunOptions } from './exec.js';

// Never wait on a credential prompt in CI or in a test.
const gitEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GIT_TERMINAL_PROMPT: '0' });

async function git(cwd: string, args: string[], options: Omit<RunOptions, 'cwd' | 'env'> = {}) {
  return run('git', args, { ...options, cwd, env: gitEnv() });
}

const ZERO_SHA = /^0+$/;

/** Everything changed, or the list of changed paths relative to root. */
export type ChangedFiles = 'all' | string[];

export interface ChangedFilesOptions {
  /** Also count uncommitted and untracked files (a local `--since` run). */
  workingTree?: boolean;
}

/**
 * Files changed on HEAD since `sinceRev`.
 *
 * Three-dot semantics (`REV...HEAD`: from the merge base of REV and HEAD): for a PR base sha it
 * yields the PR's own changes even when the base branch moved on; for a push's `before` it yields
 * the pushed commits, and after a force-push everything since the common ancestor. An all-zeros
 * `before` (a new branch) has nothing to compare with: 'all'. In a shallow clone without a merge
 * base, it fetches the rev and compares the two trees directly, which for a PR merge commit or a
 * fast-forward push is the same set.
 */
export async function changedFiles(root: string, sinceRev: string, options: ChangedFilesOptions = {}): Promise<ChangedFiles> {
  if (!sinceRev || ZERO_SHA.test(sinceRev)) return 'all';
  if (!(await hasCommit(root, sinceRev))) {
    // A shallow CI checkout may not hold the base commit yet.
    await git(root, ['fetch', '--no-tags', '--depth=1', '--end-of-options', 'origin', sinceRev], { allowFailure: true });
    if (!(await hasCommit(root, sinceRev))) {
      throw new ToolError(
        `git: ${sinceRev} is not a commit of this repository (is the checkout shallow? use fetch-depth: 0)`,
        `git diff ${sinceRev}...HEAD`,
        null,
        '',
        '',
      );
    }
  }
  const mergeBase = await git(root, ['merge-base', sinceRev, 'HEAD'], { allowFailure: true });
  const from = mergeBase.code === 0 ? mergeBase.stdout.trim() : sinceRev;
  // --no-renames: a moved file counts as changed in both the old and the new directory.
  // --relative: paths relative to root, which may be a subdirectory of the repository.
  const diff = await git(root, ['diff', '--name-only', '--no-renames', '--relative', '-z', from, 'HEAD']);
  const files = new Set(diff.stdout.split('\0').filter(Boolean));
  if (options.workingTree) {
    const local = await git(root, ['diff', '--name-only', '--no-renames', '--relative', '-z', 'HEAD']);
    const untracked = await git(root, ['ls-files', '--others', '--exclude-standard', '-z']);
    for (const file of [...local.stdout.split('\0'), ...untracked.stdout.split('\0')]) if (file) files.add(file);
  }
  return [...files].sort();
}

async function hasCommit(root: string, rev: string): Promise<boolean> {
  const result = await git(root, ['cat-file', '-e', `${rev}^{commit}`], { allowFailure: true });
  return result.code === 0;
}

/**
 * The subset of `paths` (relative to root, returned as given) that .gitignore rules exclude, in one
 * git call. Pass a directory with a trailing `/`: a `dir/` rule matches only paths git knows to be
 * directories. Tracked files are never reported (they are committed whatever the rules say).
 * Outside a git repository nothing is ignored.
 */
export async function isIgnored(root: string, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const result = await git(root, ['check-ignore', '--stdin', '-z'], { input: paths.join('\0') + '\0', allowFailure: true });
  // 0: some ignored, 1: none ignored, 128: not a repository (or a real error: treat as none).
  if (result.code !== 0) return new Set();
  return new Set(result.stdout.split('\0').filter(Boolean));
}

/** True when root is inside a git work tree (the top or any subdirectory). */
export async function isInsideWorkTree(root: string): Promise<boolean> {
  const result = await git(root, ['rev-parse', '--is-inside-work-tree'], { allowFailure: true });
  return result.code === 0 && result.stdout.trim() === 'true';
}

/** The repository's name: the last segment of origin's URL, else the top-level directory's name. */
export async function repoName(root: string): Promise<string> {
  const origin = await git(root, ['config', '--get', 'remote.origin.url'], { allowFailure: true });
  const fromUrl = origin.code === 0 ? nameFromUrl(origin.stdout.trim()) : undefined;
  if (fromUrl) return fromUrl;
  const top = await git(root, ['rev-parse', '--show-toplevel'], { allowFailure: true });
  return basename(top.code === 0 ? top.stdout.trim() : root);
}

/** The URL of the `origin` remote as git has it (credentials and all: never log it), or undefined. */
export async function originUrl(root: string): Promise<string | undefined> {
  const origin = await git(root, ['config', '--get', 'remote.origin.url'], { allowFailure: true }).catch(() => undefined);
  return origin?.code === 0 ? origin.stdout.trim() || undefined : undefined;
}

/** `https://host/org/app.git`, `git@host:org/app.git`, `/srv/app/` -> `app`. */
export function nameFromUrl(url: string): string | undefined {
  const last =
    url
      .replace(/[/\\]+$/, '')
      .split(/[/:\\]/)
      .pop() ?? '';
  const name = last.replace(/\.git$/, '');
  return name || undefined;
}

/** The full commit sha a ref (branch, tag, sha, HEAD~1 ...) names in the repo at root. */
export async function resolveRef(root: string, ref: string): Promise<string> {
  const result = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFailure: true });
  if (result.code !== 0) throw new ToolError(`git: ${ref} does not name a commit in ${root}`, `git rev-parse ${ref}`, result.code, '', '');
  return result.stdout.trim();
}

export async function headSha(root: string): Promise<string> {
  return resolveRef(root, 'HEAD');
}

/**
 * Committer time of `commit` in the repo at root, in seconds since the epoch: the
 * SOURCE_DATE_EPOCH (reproducible-builds.org) of an image built from it, so the same commit
 * gives the same `created` time, and so the same digest.
 */
export async function commitTime(root: string, commit: string): Promise<number> {
  const result = await git(root, ['show', '-s', '--format=%ct', commit]);
  const seconds = Number(result.stdout.trim());
  if (!Number.isSafeInteger(seconds)) throw new Error(`git: no commit time for ${commit} (got "${result.stdout.trim()}")`);
  return seconds;
}

/**
 * Checks out `ref` of the remote `repo` into `dir` (created if needed) and returns the commit it
 * resolved to. Fetches only that ref at depth 1; when the server refuses (a sha it does not
 * advertise, an abbreviated sha), falls back to fetching all branches and tags and resolving the
 * ref locally.
 */
export async function shallowClone(repo: string, ref: string, dir: string): Promise<string> {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const secrets = urlSecrets(repo);
  await git(dir, ['init', '-q']);
  // --end-of-options (git >= 2.24): a repo or ref from a build-config.yaml is never read as an
  // option; git reads options after positional arguments, and a ref `--upload-pack=CMD` would make
  // `git fetch` run CMD on the build host (git-fetch(1), --upload-pack).
  await git(dir, ['remote', 'add', '--end-of-options', 'origin', repo], { secrets });
  const shallow = await git(dir, ['fetch', '--no-tags', '--depth=1', '--end-of-options', 'origin', ref], { allowFailure: true, secrets });
  if (shallow.code === 0) {
    await git(dir, ['checkout', '-q', '--detach', 'FETCH_HEAD']);
    return headSha(dir);
  }
  await git(dir, ['fetch', '--tags', 'origin', '+refs/heads/*:refs/remotes/origin/*'], { secrets });
  for (const candidate of [ref, `origin/${ref}`, `refs/tags/${ref}`]) {
    const found = await git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${candidate}^{commit}`], { allowFailure: true });
    if (found.code === 0) {
      const commit = found.stdout.trim();
      await git(dir, ['checkout', '-q', '--detach', commit]);
      return commit;
    }
  }
  throw new ToolError(
    maskSecrets(`git: ${ref} is not a branch, tag or commit of ${repo}`, secrets),
    `git fetch origin ${ref}`,
    shallow.code,
    shallow.stdout,
    shallow.stderr,
  );
}

/**
 * The refs a remote advertises that could match `ref` (`git ls-remote`; no clone, one round trip),
 * to resolve it at plan time (core/upstreamRef.ts). Asks for every ref: git's pattern matching
 * would miss `HEAD` variants and the `^{}` lines of annotated tags only by name.
 * @throws ToolError with git's own message when the remote cannot be reached.
 */
export async function lsRemote(repo: string, cwd: string): Promise<AdvertisedRef[]> {
  const secrets = urlSecrets(repo);
  const result = await git(cwd, ['ls-remote', '--', repo], { secrets, allowFailure: true });
  if (result.code !== 0) {
    // git's own reason (`fatal: repository '...' not found`), not its command line.
    const lines = result.stderr.trim().split('\n').filter(Boolean);
    const reason = lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.pop() ?? `exit code ${result.code}`;
    throw new ToolError(
      maskSecrets(`git ls-remote ${repo}: ${reason}`, secrets),
      `git ls-remote ${repo}`,
      result.code,
      result.stdout,
      result.stderr,
    );
  }
  return parseLsRemote(result.stdout);
}

/** Credentials embedded in a clone URL (https://user:token@host/...), to mask in logs. */
function urlSecrets(repo: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/@]+)@/i.exec(repo);
  if (!match) return [];
  const [user, password] = match[1].split(':');
  return [password ?? user].filter((s): s is string => !!s);
}
