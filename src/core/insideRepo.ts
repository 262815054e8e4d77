// The paths of a build-config.yaml stay inside the repository: a context, Dockerfile or manifest
// outside it would put files of the machine that builds into an image (promise 3 of the product).
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { BuildConfig } from './config/schema.js';
import type { ConfigPath } from './config/locator.js';

export interface OutsidePath {
  /** The key holding the path, e.g. ['context_path']. */
  key: ConfigPath;
  /** The value as written. */
  value: string;
}

/** The real path of `p` (symlinks followed) when it exists; the lexical path otherwise. */
function realOrLexical(p: string): string {
  return existsSync(p) ? realpathSync(p) : p;
}

function isInside(root: string, p: string): boolean {
  const rel = relative(realOrLexical(resolve(root)), realOrLexical(p));
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${'/'}`));
}

/**
 * The config's local paths (context_path, dockerfile_path under it, spin_config.manifest_path, a
 * relative ko_config.import_path) that lead outside `root`, resolved from the app directory `dir`
 * the way the backends resolve them, symlinks followed. Empty when all stay inside.
 */
export function pathsOutside(root: string, dir: string, config: BuildConfig): OutsidePath[] {
  const out: OutsidePath[] = [];
  const check = (key: ConfigPath, value: string | undefined, at: string) => {
    if (value !== undefined && !isInside(root, at)) out.push({ key, value });
  };
  const context = resolve(dir, config.context_path ?? '.');
  check(['context_path'], config.context_path, context);
  if (config.dockerfile_path !== undefined) check(['dockerfile_path'], config.dockerfile_path, resolve(context, config.dockerfile_path));
  const manifest = config.spin_config?.manifest_path;
  if (manifest !== undefined) check(['spin_config', 'manifest_path'], manifest, resolve(dir, manifest));
  const importPath = config.ko_config?.import_path;
  if (importPath !== undefined && /^\.\.?(\/|$)/.test(importPath))
    check(['ko_config', 'import_path'], importPath, resolve(dir, importPath));
  return out;
}
