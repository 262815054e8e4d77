// rebuild-weekly.txt: the directories a scheduled run rebuilds (base images that must pick up
// upstream security fixes even when nothing in the repo changed). One directory per line;
// `#` starts a comment; blank lines, trailing slashes and a leading ./ are fine.
import { suggest } from './config/didYouMean.js';
import { CONFIG_FILE_NAME } from './config/schema.js';
import type { SkippedDir } from './model.js';
import type { Problem } from './problem.js';

export interface ListedDir {
  dir: string;
  line: number;
  column: number;
}

export function normalizeDir(text: string): string {
  const trimmed = text
    .trim()
    .replace(/\\/g, '/')
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/');
  const withoutDot = trimmed.replace(/^(\.\/)+/, '');
  return withoutDot === '' ? '.' : withoutDot;
}

export function parseRebuildList(text: string, file: string): { dirs: ListedDir[]; problems: Problem[] } {
  const dirs: ListedDir[] = [];
  const problems: Problem[] = [];
  const firstLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    // A `#` starts a comment anywhere on the line (directory names do not contain one).
    const content = raw.replace(/#.*$/, '');
    if (content.trim() === '') return;
    const column = content.length - content.trimStart().length + 1;
    const words = content.trim().split(/\s+/);
    const problem = (message: string, hint?: string, severity: Problem['severity'] = 'error') =>
      problems.push({ file, line, column, path: '', message, hint, severity });
    if (words.length > 1) {
      problem(`one directory per line, got ${words.length} words: ${content.trim()}`, 'put each directory on its own line');
      return;
    }
    const dir = normalizeDir(words[0]);
    if (dir.startsWith('/') || dir === '..' || dir.startsWith('../') || dir.includes('/../')) {
      problem(`${words[0]} is outside the repository; list directories relative to its root`);
      return;
    }
    const earlier = firstLine.get(dir);
    if (earlier !== undefined) {
      problem(`${dir} is already listed on line ${earlier}`, 'remove one of them', 'warning');
      return;
    }
    firstLine.set(dir, line);
    dirs.push({ dir, line, column });
  });
  return { dirs, problems };
}

/**
 * A warning for each listed directory that is not an app, suggesting the app meant. A stale line
 * (the app was removed, renamed or excluded since) skips that line only: the weekly run still
 * rebuilds every other listed app. `skipped` says why a directory is no app, when discovery knows.
 */
export function unknownListedDirs(
  listed: readonly ListedDir[],
  appDirs: readonly string[],
  file: string,
  skipped: readonly SkippedDir[] = [],
): Problem[] {
  const known = new Set(appDirs);
  const why = new Map(skipped.map((s) => [s.dir, s.reason]));
  return listed
    .filter((entry) => !known.has(entry.dir))
    .map((entry) => {
      const meant = suggest(entry.dir, appDirs);
      const reason = why.get(entry.dir) ?? `no ${CONFIG_FILE_NAME} there`;
      return {
        file,
        line: entry.line,
        column: entry.column,
        path: '',
        message: `${entry.dir} is not an app directory (${reason}); this line is skipped`,
        hint: meant ? `did you mean \`${meant}\`?` : 'remove the line, or restore the app',
        severity: 'warning' as const,
      };
    });
}
