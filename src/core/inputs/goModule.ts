// The inputs of a ko build: the packages the main package depends on that live in this repository
// (its own module, and any module a `replace` or go.work points at on disk), their source and
// embedded files, and the go.mod/go.sum (and go.work) that pin everything else. Which packages
// those are is Go's answer (`go list -deps`, run by src/tools/goList.ts), per platform, since
// build constraints (`_arm64.go`, `//go:build`) choose files and imports per GOOS/GOARCH.
import { existsSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import type { BuildConfig } from '../config/schema.js';
import { parsePlatform, isPlatformError } from '../platform.js';
import { defaultImportPath, stripKoScheme } from '../goPackages.js';
import { walkFiles } from '../walk.js';
import type { AppInputs } from './appInputs.js';
import { isWithin, joinRepoPath, repoPath } from './paths.js';

/** One package as `go list -json` describes it (the fields the inputs need). */
export interface GoPackage {
  importPath: string;
  /** Absolute directory of the package. */
  dir: string;
  /** Part of the standard library. */
  standard: boolean;
  /**
   * Every file of the package the build may read, relative to `dir`: Go, cgo, C/C++/assembly,
   * syso and embedded files, and the Go and other files that build constraints excluded on this
   * platform (a change to them is still a change to the package's sources).
   */
  files: string[];
  /** Absolute path of the go.mod of the package's module, when it has one. */
  goMod?: string;
}

export interface GoListRequest {
  /** Where `go list` runs: the app's directory (as ko runs there). */
  cwd: string;
  /** Package patterns, e.g. `./cmd/server`. */
  patterns: string[];
  /** GOOS, GOARCH and GOARM of the platform, and CGO_ENABLED. */
  env: Record<string, string>;
}

/** Answers `go list -deps` for a request; throws with Go's own message when it cannot. */
export type GoPackageLister = (request: GoListRequest) => Promise<GoPackage[]>;

/**
 * Go's environment for a platform: GOOS/GOARCH(/GOARM), and CGO_ENABLED=0 unless the config's
 * ko_config.env sets it literally (ko builds with cgo off by default).
 */
export function goPlatformEnv(platform: string, config: BuildConfig): Record<string, string> {
  const parsed = parsePlatform(platform);
  const env: Record<string, string> = { CGO_ENABLED: '0' };
  if (!isPlatformError(parsed)) {
    env.GOOS = parsed.os;
    env.GOARCH = parsed.arch;
    if (parsed.arch === 'arm' && parsed.variant) env.GOARM = parsed.variant.replace(/^v/, '');
  }
  for (const entry of config.ko_config?.env ?? []) {
    const match = /^(CGO_ENABLED)=([01])$/.exec(entry);
    if (match) env[match[1]] = match[2];
  }
  return env;
}

/** Extensions of files a Go package may compile (go/build's list), for deleted files. */
const GO_SOURCE = /\.(go|c|cc|cpp|cxx|h|hh|hpp|hxx|m|s|S|sx|f|F|for|f90|swig|swigcxx|syso)$/;

/** The nearest go.mod from `dir` up to `root`, as a repo path. */
export function nearestGoMod(root: string, dir: string): string | undefined {
  for (let at = resolve(root, dir); ; at = dirname(at)) {
    if (repoPath(root, at) === undefined) return undefined;
    if (existsSync(join(at, 'go.mod'))) return repoPath(root, join(at, 'go.mod'));
    if (at === dirname(at)) return undefined;
  }
}

/** go.work (and go.work.sum) from a module's directory up to root: it chooses module versions too. */
export function workspaceFiles(root: string, moduleDir: string): string[] {
  const found: string[] = [];
  for (let at = resolve(root, moduleDir); repoPath(root, at) !== undefined; at = dirname(at)) {
    for (const name of ['go.work', 'go.work.sum']) if (existsSync(join(at, name))) found.push(repoPath(root, join(at, name))!);
    if (found.length > 0 || at === dirname(at)) break;
  }
  return found;
}

/** What ko reads besides Go: the app's .ko.yaml (its base image, flags, ldflags). */
function koConfigFiles(root: string, appDir: string): string[] {
  return ['.ko.yaml', '.ko.yml'].map((name) => joinRepoPath(appDir, name)).filter((path) => existsSync(resolve(root, path)));
}

/**
 * The inputs of a ko app on the given platforms (the union: a change to any platform's input
 * selects the app; the digest of one platform hashes that platform's files only, see
 * goPlatformInputs). When Go cannot list the packages (no go on PATH, a broken module), the
 * inputs are the whole module's directory, and a warning says why.
 */
export async function goModuleInputs(
  root: string,
  appDir: string,
  config: BuildConfig,
  platforms: readonly string[],
  lister: GoPackageLister | undefined,
): Promise<AppInputs & { perPlatform: Map<string, string[]> }> {
  const perPlatform = new Map<string, string[]>();
  const extra = koConfigFiles(root, appDir);
  try {
    if (!lister) throw new Error('no Go package lister was given');
    // ko strips its ko:// scheme before it builds (core/goPackages.ts stripKoScheme); go list never knew it.
    const importPath = config.ko_config?.import_path
      ? stripKoScheme(config.ko_config.import_path)
      : defaultImportPath(resolve(root, appDir));
    const packageDirs = new Set<string>();
    const all = new Set<string>(extra);
    for (const platform of platforms) {
      const packages = await lister({ cwd: resolve(root, appDir), patterns: [importPath], env: goPlatformEnv(platform, config) });
      const files = new Set<string>(extra);
      for (const pkg of packages) {
        if (pkg.standard) continue;
        const dir = repoPath(root, pkg.dir);
        if (dir === undefined) continue; // a dependency from the module cache: go.sum pins it
        packageDirs.add(dir);
        for (const name of pkg.files) files.add(joinRepoPath(dir, name));
        const goMod = pkg.goMod ? repoPath(root, pkg.goMod) : undefined;
        if (goMod) {
          const moduleDir = posix.dirname(goMod);
          files.add(goMod);
          const goSum = joinRepoPath(moduleDir, 'go.sum');
          if (existsSync(resolve(root, goSum))) files.add(goSum);
          for (const work of workspaceFiles(root, moduleDir)) files.add(work);
        }
      }
      const sorted = [...files].sort();
      perPlatform.set(platform, sorted);
      for (const file of sorted) all.add(file);
    }
    const allFiles = [...all].sort();
    const known = new Set(allFiles);
    return {
      covers: (path) => known.has(path) || (packageDirs.has(posix.dirname(path)) && GO_SOURCE.test(path)),
      files: async () => allFiles,
      warnings: [],
      perPlatform,
    };
  } catch (error) {
    const goMod = nearestGoMod(root, appDir);
    const moduleDir = goMod ? posix.dirname(goMod) : appDir;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const files = () =>
      walkFiles(resolve(root, moduleDir), { skipDirNames: new Set(['.git']) })
        .map((file) => joinRepoPath(moduleDir, file.path))
        .sort();
    return {
      covers: (path) => isWithin(path, moduleDir) || extra.includes(path),
      files: async () => [...new Set([...files(), ...extra])].sort(),
      warnings: [`${appDir}: Go could not list the packages (${reason}); every file of ${moduleDir} counts as an input`],
      perPlatform,
    };
  }
}
