// The Go packages a ko app can build without an import_path: the commands under cmd/ (the layout
// that makes detection pick ko), else the module directory itself. Detection (plan time) and the
// ko backend (leg time) both ask here, so a choice the plan accepts is the one the leg builds.
import { closeSync, openSync, readSync, readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './problem.js';

/** ko's prefix for "this must be a Go import path" (ko pkg/build/strict.go, StrictScheme). */
export const KO_STRICT_SCHEME = 'ko://';

/**
 * The import path ko builds from an import_path as written: ko strips `ko://` before it resolves
 * the path (ko v0.19.1 pkg/build/strict.go newRef, pkg/build/gobuilds.go builder), so
 * `ko://./cmd/app` names the package `./cmd/app`.
 */
export function stripKoScheme(importPath: string): string {
  return importPath.startsWith(KO_STRICT_SCHEME) ? importPath.slice(KO_STRICT_SCHEME.length) : importPath;
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A file the go command compiles into the package (test files are not). */
const isGoSource = (entry: Dirent) => entry.isFile() && entry.name.endsWith('.go') && !entry.name.endsWith('_test.go');

/**
 * The go command skips directories whose name starts with `.` or `_`, and `testdata`
 * (`go help packages`).
 */
const goSkips = (name: string) => name.startsWith('.') || name.startsWith('_') || name === 'testdata';

/** True when `dir` itself holds Go source files (it is a package). */
export function holdsGoFiles(dir: string): boolean {
  return entries(dir).some(isGoSource);
}

/** The first 4 KiB of a file: where a Go file's package clause is (after its comments). */
function head(file: string): string {
  const buffer = Buffer.alloc(4096);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// The package clause (Go spec, "Package clause"): the first token after comments and blank lines.
const PACKAGE_CLAUSE = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*package\s+([\p{L}_][\p{L}\p{Nd}_]*)/u;

/** True when `dir` holds a Go source file of `package main`: a command the go command can build. */
export function holdsMainPackage(dir: string): boolean {
  return entries(dir)
    .filter(isGoSource)
    .some((entry) => PACKAGE_CLAUSE.exec(head(join(dir, entry.name)))?.[1] === 'main');
}

/**
 * The packages directly under `<dir>/cmd/`, as paths relative to `dir` (`cmd/cli`, `cmd/server`),
 * sorted: each subdirectory of cmd/ holding a Go source file, and cmd/ itself when it holds one.
 * Empty when there is no cmd/ or nothing in it is a package.
 */
export function commandPackages(dir: string): string[] {
  const cmd = join(dir, 'cmd');
  const found = entries(cmd)
    .filter((entry) => entry.isDirectory() && !goSkips(entry.name) && holdsGoFiles(join(cmd, entry.name)))
    .map((entry) => `cmd/${entry.name}`)
    .sort();
  return holdsGoFiles(cmd) ? ['cmd', ...found] : found;
}

/**
 * What ko builds when ko_config.import_path is unset: the one package under cmd/, else the
 * directory itself when it holds Go files. `{ choices }` when cmd/ holds several packages (the
 * config must pick one); `{}` when there is nothing to build.
 */
export function defaultGoPackage(dir: string): { importPath?: string; choices?: string[] } {
  const commands = commandPackages(dir);
  if (commands.length === 1) return { importPath: `./${commands[0]}` };
  if (commands.length > 1) return { choices: commands };
  return holdsGoFiles(dir) ? { importPath: '.' } : {};
}

/**
 * defaultGoPackage as the one import path to build, for the ko backend (leg time) and the app's
 * inputs (plan time). The plan refuses the other cases already (core/detect.ts); a leg built
 * without a plan gets them as errors.
 * @throws UserError when cmd/ holds several packages, or there is nothing to build.
 */
export function defaultImportPath(dir: string): string {
  const { importPath, choices } = defaultGoPackage(dir);
  if (importPath) return importPath;
  if (choices) {
    throw new UserError(
      `ko_config.import_path is not set and cmd/ holds ${choices.length} packages: set it to one of ${choices.map((p) => `./${p}`).join(', ')}`,
    );
  }
  throw new UserError(`ko_config.import_path is not set and ${dir} has neither cmd/<package> nor Go files: set ko_config.import_path`);
}
