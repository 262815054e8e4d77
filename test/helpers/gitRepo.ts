// Real git repositories in temp dirs for tests: write files, commit, and get the sha back.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const identity = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];

export interface TempRepo {
  root: string;
  git(...args: string[]): string;
  write(files: Record<string, string>): void;
  /** Stages everything and commits; returns the new HEAD sha. */
  commit(message: string): string;
  remove(): void;
}

export function tempDir(prefix = 'hephy-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tempRepo(files: Record<string, string> = {}): TempRepo {
  const root = tempDir('hephy-repo-');
  const git = (...args: string[]) =>
    execFileSync('git', [...identity, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  git('init', '-q', '-b', 'main');
  const repo: TempRepo = {
    root,
    git,
    write(more) {
      for (const [path, text] of Object.entries(more)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
    },
    commit(message) {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  repo.write(files);
  return repo;
}
