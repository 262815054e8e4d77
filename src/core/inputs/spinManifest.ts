// The inputs of a Spin app: its manifest, and the sources of its components. `spin build` runs
// each component's build commands in its `build.workdir` (default: the manifest's directory), and
// `spin registry push` packs each component's `source` and `files`, all relative to the manifest
// (Spin v3 manifest, spin_manifest_version = 2). So the inputs are every file below the manifest's
// directory and below each workdir and `files` source elsewhere in the repository, less what git
// ignores (build outputs, node_modules): those are made by the build, not given to it.
import { readFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { BuildConfig } from '../config/schema.js';
import type { IgnoreCheck } from '../discovery.js';
import { walkFiles } from '../walk.js';
import type { AppInputs } from './appInputs.js';
import { existsInRepo, isWithin, joinRepoPath, repoPath } from './paths.js';

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The component tables of a Spin manifest: `[component.<id>]` tables (manifest version 2) or the
 * `[[component]]` array (version 1).
 * @throws the TOML parser's error on a manifest that is not TOML (spin build refuses it first).
 */
function spinComponents(manifestText: string): Table[] {
  const manifest = parseToml(manifestText) as Table;
  const components = isTable(manifest.component)
    ? Object.values(manifest.component)
    : Array.isArray(manifest.component)
      ? manifest.component
      : [];
  return components.filter(isTable);
}

/**
 * The local `source` file of each component, relative to the manifest's directory. A table source
 * (`{ url, digest }`) is a remote component, which Spin fetches and checks against its digest.
 */
export function spinComponentSources(manifestText: string): string[] {
  return spinComponents(manifestText).flatMap((component) => (typeof component.source === 'string' ? [component.source] : []));
}

/** Directories and files (relative to the manifest's directory) that components build from or pack. */
export function spinComponentPaths(manifestText: string): string[] {
  const paths: string[] = [];
  for (const component of spinComponents(manifestText)) {
    if (typeof component.source === 'string') paths.push(component.source);
    if (isTable(component.build) && typeof component.build.workdir === 'string') paths.push(component.build.workdir);
    for (const file of Array.isArray(component.files) ? component.files : []) {
      if (typeof file === 'string') paths.push(file);
      else if (isTable(file) && typeof file.source === 'string') paths.push(file.source);
    }
  }
  return paths;
}

const NOT_WALKED: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export function spinManifestInputs(root: string, appDir: string, config: BuildConfig, isIgnored?: IgnoreCheck): AppInputs {
  const manifest = joinRepoPath(appDir, config.spin_config?.manifest_path ?? 'spin.toml');
  const manifestDir = posix.dirname(manifest);
  const warnings: string[] = [];
  let extra: string[] = [];
  try {
    extra = spinComponentPaths(readFileSync(resolve(root, manifest), 'utf8'))
      .map((path) => repoPath(root, resolve(root, manifestDir, path)))
      .filter((path): path is string => path !== undefined && !isWithin(path, manifestDir));
  } catch (error) {
    warnings.push(
      `${manifest}: not read (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); only its directory counts as an input`,
    );
  }
  const roots = [manifestDir, ...extra];
  return {
    covers: (path) => roots.some((dir) => isWithin(path, dir)),
    async files() {
      const found = new Set<string>();
      for (const dir of roots) {
        let walked: { path: string }[];
        try {
          walked = walkFiles(resolve(root, dir), { skipDirNames: NOT_WALKED });
        } catch {
          if (dir !== manifestDir) found.add(dir); // a single file named by `source` or `files`
          continue;
        }
        for (const file of walked) found.add(joinRepoPath(dir, file.path));
      }
      const candidates = [...found];
      const ignored = isIgnored ? await isIgnored(candidates) : new Set<string>();
      return candidates.filter((path) => !ignored.has(path) && existsInRepo(root, path)).sort();
    },
    warnings,
  };
}
