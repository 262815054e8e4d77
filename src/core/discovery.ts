// Finds the apps of a repository (every directory holding a build-config.yaml, plus a config-less
// root that detection can build) and selects the ones a run builds. The git-ignore check is
// injected so this stays pure; the adapter passes git.isIgnored, which answers for every
// candidate in one git call.
import { CONFIG_FILE_NAME } from './config/schema.js';
import { suggest } from './config/didYouMean.js';
import { detectBackend } from './detect.js';
import { describeExclusion, loadExcludes } from './exclude.js';
import type { SkippedDir } from './model.js';
import type { Problem } from './problem.js';
import { normalizeDir } from './rebuildList.js';
import { walkFiles } from './walk.js';

/** Given repo-relative paths, returns those that .gitignore excludes. */
export type IgnoreCheck = (paths: string[]) => Promise<Set<string>> | Set<string>;

export interface DiscoveredApp {
  /** Relative to the repo root with `/` separators; '.' for the root. */
  dir: string;
  /** Relative to the repo root; absent for a config-less root app. */
  configFile?: string;
}

export interface Discovery {
  apps: DiscoveredApp[];
  /** Directories that are no app, and apps `.hephyignore` excludes, each with the reason. */
  skipped: SkippedDir[];
  /** Warnings about `.hephyignore` itself. */
  problems: Problem[];
}

/**
 * Never apps, and often huge, so not walked at all: git's own directory, and the dependency trees
 * of npm (node_modules) and Go/PHP/Ruby vendoring (vendor). Every other directory is walked,
 * hidden ones and build outputs included: an app there is an app; a generated one is left out by
 * the ignore check, which knows what this repository ignores.
 */
export const REPOSITORY_SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', 'vendor']);

export function configFileOf(dir: string): string {
  return dir === '.' ? CONFIG_FILE_NAME : `${dir}/${CONFIG_FILE_NAME}`;
}

/** Every directory below root (and root itself) that holds a build-config.yaml, sorted. */
export function findConfigDirs(root: string): string[] {
  const configs = walkFiles(root, {
    skipDirNames: REPOSITORY_SKIPPED_DIRS,
    include: (name) => name === CONFIG_FILE_NAME,
    specialFiles: true,
  });
  return configs.map((file) => file.dir).sort(compareDirs);
}

/**
 * The directories whose build-config.yaml a plan reads: every one found, less those git ignores.
 * The config file, not the directory, is checked: a tracked config is never ignored, and a config
 * inside an ignored directory is. The root's own config always counts.
 */
export async function findAppConfigDirs(root: string, isIgnored?: IgnoreCheck): Promise<string[]> {
  const configDirs = findConfigDirs(root);
  const nested = configDirs.filter((dir) => dir !== '.');
  if (!isIgnored || nested.length === 0) return configDirs;
  const ignored = await isIgnored(nested.map(configFileOf));
  return configDirs.filter((dir) => !ignored.has(configFileOf(dir)));
}

/** Root first, then by path, so listings read top-down. */
export function compareDirs(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '.') return -1;
  if (b === '.') return 1;
  return a < b ? -1 : 1;
}

/**
 * The apps of a repository: every directory with a build-config.yaml that git does not ignore and
 * `.hephyignore` does not exclude (core/exclude.ts; excluded ones are listed in `skipped` with the
 * line that excludes them), and the root when detection can build it without a config.
 */
export async function discoverApps(root: string, options: { isIgnored?: IgnoreCheck } = {}): Promise<Discovery> {
  const excludes = loadExcludes(root);
  const skipped: SkippedDir[] = [];
  const configDirs = (await findAppConfigDirs(root, options.isIgnored)).filter((dir) => {
    const exclusion = excludes.excluded(dir);
    if (exclusion) skipped.push({ dir, reason: describeExclusion(exclusion) });
    return !exclusion;
  });
  const apps: DiscoveredApp[] = configDirs.map((dir) => ({ dir, configFile: configFileOf(dir) }));
  if (configDirs[0] !== '.') {
    // Only the root may go without a config: an app repo with just a Dockerfile or go.mod + cmd/.
    const detection = detectBackend(root, undefined, undefined, { displayDir: '.', root });
    if (detection.backend) apps.unshift({ dir: '.' });
    else if (apps.length === 0) skipped.push({ dir: '.', reason: `no ${CONFIG_FILE_NAME} and nothing buildable detected` });
  }
  return { apps, skipped, problems: excludes.problems };
}

/** The app that owns a repo-relative path: the deepest app directory containing it. */
export function ownerOf(path: string, appDirs: ReadonlySet<string>): string | undefined {
  let dir = path;
  for (;;) {
    const slash = dir.lastIndexOf('/');
    if (slash < 0) return appDirs.has('.') ? '.' : undefined;
    dir = dir.slice(0, slash);
    if (appDirs.has(dir)) return dir;
  }
}

/**
 * The apps with a changed file. A file belongs to the deepest app directory above it only, so a
 * change in a nested app does not rebuild the app around it; a change to the root's own files
 * (its config included) selects the root app.
 */
export function selectChanged(appDirs: readonly string[], changedFiles: readonly string[]): Set<string> {
  const dirs = new Set(appDirs);
  const selected = new Set<string>();
  for (const file of changedFiles) {
    const owner = ownerOf(file.replace(/^\.\//, ''), dirs);
    if (owner !== undefined) selected.add(owner);
  }
  return selected;
}

/** The apps asked for by name; an unknown name is a Problem with the app that was probably meant. */
export function selectDirs(
  appDirs: readonly string[],
  asked: readonly string[],
  source = 'dirs',
  skipped: readonly SkippedDir[] = [],
): { selected: Set<string>; problems: Problem[] } {
  const known = new Set(appDirs);
  const why = new Map(skipped.map((s) => [s.dir, s.reason]));
  const selected = new Set<string>();
  const problems: Problem[] = [];
  asked.forEach((raw, index) => {
    const dir = normalizeDir(raw);
    if (known.has(dir)) {
      selected.add(dir);
      return;
    }
    const meant = suggest(dir, appDirs);
    problems.push({
      file: source,
      line: 1,
      column: 1,
      path: `${source}[${index}]`,
      message: `${raw} is not an app directory (${why.get(dir) ?? `no ${CONFIG_FILE_NAME} there`})`,
      hint: meant ? `did you mean \`${meant}\`?` : undefined,
      severity: 'error',
    });
  });
  return { selected, problems };
}
