// `.hephyignore` at the repository root: directories whose apps are never planned, built or
// written a starter for (a tracked `examples/`, fixtures, vendored trees). Its patterns are
// .gitignore's (https://git-scm.com/docs/gitignore), matched by the `ignore` package, which
// follows that spec and reports the matching rule as `git check-ignore -v` does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import type { Problem } from './problem.js';

export const EXCLUDE_FILE = '.hephyignore';

/** Why a directory is excluded: the file and line of the pattern that excludes it. */
export interface Exclusion {
  line: number;
  pattern: string;
}

export interface Excludes {
  /** The rule excluding a repo-relative directory (`apps/old`), or undefined; the root never is. */
  excluded(dir: string): Exclusion | undefined;
  problems: Problem[];
}

const NOTHING: Excludes = { excluded: () => undefined, problems: [] };

/** `excluded by .hephyignore:3 (examples/)`, for skipped-dir reasons and warnings. */
export function describeExclusion(exclusion: Exclusion): string {
  return `excluded by ${EXCLUDE_FILE}:${exclusion.line} (${exclusion.pattern})`;
}

/**
 * Reads `<root>/.hephyignore`; no file: nothing is excluded. A pattern the matcher cannot read
 * is a warning at its line and is left out; the other patterns still apply.
 */
export function loadExcludes(root: string): Excludes {
  let text: string;
  try {
    text = readFileSync(join(root, EXCLUDE_FILE), 'utf8');
  } catch {
    return NOTHING;
  }
  const matcher = ignore();
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    // Blank lines and comments: as in .gitignore (the matcher skips them too).
    if (raw.trim() === '' || raw.startsWith('#')) return;
    try {
      matcher.add({ pattern: raw, mark: String(line) });
    } catch (error) {
      problems.push({
        file: EXCLUDE_FILE,
        line,
        column: 1,
        path: '',
        message: `pattern ${JSON.stringify(raw)} is left out: ${error instanceof Error ? error.message : String(error)}`,
        severity: 'warning',
      });
    }
  });
  return {
    problems,
    excluded(dir) {
      if (dir === '.' || dir === '') return undefined;
      // A trailing slash makes a directory pattern (`examples/`) match the directory itself.
      const { ignored, rule } = matcher.checkIgnore(`${dir}/`);
      if (!ignored || !rule) return undefined;
      return { line: Number(rule.mark), pattern: rule.pattern };
    },
  };
}
