// Which backend builds a directory, and why, in the seed's order: an explicit build_backend, then
// go.mod + cmd/ (ko), then spin.toml (spin), then a Dockerfile (kaniko, or buildkit when the
// Dockerfile uses features Kaniko cannot build), then go.mod with a main package at its root (ko,
// building `.`: a Dockerfile wins there, a library module must not become an image). For local builds it also checks that the files
// the backend needs are there, so a missing Dockerfile is a Problem at plan time rather than a
// failed leg ten minutes later.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { BACKENDS, backendsWhere, traitsOf, type BackendName } from './backendTraits.js';
import type { BuildConfig } from './config/schema.js';
import { CONFIG_FILE_NAME } from './config/schema.js';
import { suggest } from './config/didYouMean.js';
import {
  scanDockerfile,
  stageNamed,
  SYNTAX_DIRECTIVE_FEATURE,
  unsetFromArgs,
  type BuildkitOnlyUse,
  type DockerfileScan,
} from './dockerfile.js';
import { AUTOMATIC_PLATFORM_ARGS } from './platformArgs.js';
import { needBuildArg } from './imageGraph.js';
import { commandPackages, defaultGoPackage, holdsMainPackage, stripKoScheme } from './goPackages.js';
import type { Problem } from './problem.js';
import { readRegularFile, resolveDockerInputs, resolveInRepository, outsideProblem, repositoryDirectory } from './repoPath.js';

import type { ConfigPath } from './config/locator.js';
export type { ConfigPath };
export type Locate = (path: ConfigPath) => { line: number; column: number };

export interface DetectOptions {
  /** The config file as Problems name it, e.g. `examples/go-hello/build-config.yaml`. */
  configFile?: string;
  /** The directory as messages name it (repo-relative, '.' for the root). Default: `dir`. */
  displayDir?: string;
  /**
   * Repository root: go.mod is looked for from `dir` up to here (Go finds it the same way), and
   * every path the config names (context, Dockerfile, manifest, package) must really lead inside
   * it. Default: `dir` itself (never no check).
   */
  root?: string;
}

export interface Detection {
  backend?: BackendName;
  /** One line saying why, e.g. "go.mod and cmd/ found". */
  reason: string;
  problems: Problem[];
}

const DEFAULT_DOCKERFILE = 'Dockerfile';
/** Who builds what Kaniko cannot, for hints: buildkit. */
const BUILDKIT_SYNTAX_BACKENDS = backendsWhere((t) => t.buildkitSyntax === true).join(' or ');
const DEFAULT_SPIN_MANIFEST = 'spin.toml';

function statOrUndefined(p: string) {
  try {
    // throwIfNoEntry: false avoids building an exception per missing file (most checks miss).
    return statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES: not there as far as building goes
  }
}
const isDir = (p: string) => statOrUndefined(p)?.isDirectory() ?? false;
const isFile = (p: string) => statOrUndefined(p)?.isFile() ?? false;

/** `./x/y` style path for messages, always with forward slashes. */
function shown(...parts: string[]): string {
  return posix.normalize(parts.filter((p) => p && p !== '.').join('/') || '.');
}

function describeUse(use: BuildkitOnlyUse, dockerfile: string, builder = traitsOf('kaniko').title): string {
  return `${dockerfile} line ${use.line} uses ${use.feature}, which ${builder} cannot build`;
}

export function detectBackend(dir: string, config: BuildConfig = {}, locate?: Locate, options: DetectOptions = {}): Detection {
  const displayDir = options.displayDir ?? dir;
  const configFile = options.configFile ?? shown(displayDir, CONFIG_FILE_NAME);
  const at: Locate = locate ?? (() => ({ line: 1, column: 1 }));
  const problems: Problem[] = [];
  const problem = (path: ConfigPath, message: string, hint?: string, severity: Problem['severity'] = 'error') =>
    problems.push({ file: configFile, ...at(path), path: path.join('.'), message, hint, severity });

  const contextPath = config.context_path ?? '.';
  const dockerfileName = config.dockerfile_path ?? DEFAULT_DOCKERFILE;
  const dockerfile = join(dir, contextPath, dockerfileName);
  const dockerfileShown = shown(displayDir, contextPath, dockerfileName);
  const manifestName = config.spin_config?.manifest_path ?? DEFAULT_SPIN_MANIFEST;
  const manifest = join(dir, manifestName);
  const upstream = config.upstream_repo !== undefined;

  // --- 0. local paths stay inside the repository, symlinks followed (core/repoPath.ts); an upstream
  // clone is checked by its leg. Nothing is detected or read past a path that leaves.
  if (options.root && !upstream) {
    const outside = pathsOutside(options.root, dir, config);
    for (const { key, value, via } of outside) {
      problem(
        key,
        `${value} ${outsideProblem(via)}`,
        `paths are relative to the directory of ${CONFIG_FILE_NAME} and stay inside the repository`,
      );
    }
    if (outside.length) return { backend: undefined, reason: 'a path leads outside the repository', problems };
  }

  // --- 1. explicit build_backend: check what it builds from (core/backendTraits.ts)
  const explicit = config.build_backend;
  if (explicit) {
    const reason = `build_backend: ${explicit} in ${CONFIG_FILE_NAME}`;
    // The upstream source is not here at plan time; the leg checks it after cloning.
    if (upstream) return { backend: explicit, reason, problems };
    const traits = traitsOf(explicit);
    switch (traits.input) {
      case 'dockerfile': {
        const scan = checkDockerfile(dir, options.root ?? dir, config, dockerfileShown, problem);
        if (scan && !traits.buildkitSyntax) {
          const [hard] = scan.buildkitOnly.filter((u) => u.feature !== SYNTAX_DIRECTIVE_FEATURE);
          if (hard) {
            problem(
              ['build_backend'],
              `build_backend is ${explicit}, but ${describeUse(hard, dockerfileShown, traits.title)}: ${hard.text}`,
              `use build_backend: ${BUILDKIT_SYNTAX_BACKENDS}`,
            );
          } else if (scan.buildkitOnly.length > 0) {
            const [syntax] = scan.buildkitOnly;
            problem(
              ['build_backend'],
              `${dockerfileShown} line ${syntax.line} asks for a Dockerfile frontend (${syntax.text}); ${traits.title} ignores it and uses its built-in parser`,
              `use build_backend: ${BUILDKIT_SYNTAX_BACKENDS} to build with that frontend`,
              'warning',
            );
          }
        }
        break;
      }
      case 'go-module':
        checkKo(dir, config, displayDir, options.root, problem);
        break;
      case 'spin-manifest': {
        const where = resolveInRepository(options.root ?? dir, dir, manifestName);
        if (where.kind === 'outside' || (where.kind === 'inside' && !where.stats.isFile())) {
          problem(
            config.spin_config?.manifest_path ? ['spin_config', 'manifest_path'] : ['build_backend'],
            where.kind === 'outside'
              ? `${manifestName} ${outsideProblem(where.via)}`
              : `the Spin manifest ${shown(displayDir, manifestName)} is not a regular file`,
          );
        } else if (!isFile(manifest)) {
          problem(
            config.spin_config?.manifest_path ? ['spin_config', 'manifest_path'] : ['build_backend'],
            `build_backend is ${explicit}, but there is no Spin manifest ${shown(displayDir, manifestName)}`,
            config.spin_config?.manifest_path ? undefined : 'add spin.toml, or set spin_config.manifest_path',
          );
        }
        break;
      }
      default: {
        // A new kind of input (core/backendTraits.ts) needs its plan-time check here.
        const unchecked: never = traits.input;
        throw new Error(`no plan-time check for input ${String(unchecked)}`);
      }
    }
    return { backend: explicit, reason, problems };
  }

  if (upstream) {
    // Detection needs the sources, which only the leg clones. Kaniko is the seed's fallback.
    problem(
      ['upstream_repo'],
      'build_backend is not set, and an upstream source cannot be inspected at plan time: building it with kaniko',
      `set build_backend (${BACKENDS.slice(0, -1).join(', ')} or ${BACKENDS[BACKENDS.length - 1]}) to choose`,
      'warning',
    );
    return { backend: 'kaniko', reason: 'upstream source, no build_backend: kaniko (the fallback)', problems };
  }

  const hasDockerfile = isFile(dockerfile);
  // --- 2. go.mod + cmd/ -> ko
  // Unless ko could not tell which command to build while a Dockerfile says how: then the
  // Dockerfile builds, and the reason says why ko was passed over.
  let passedOverKo = '';
  if (isFile(join(dir, 'go.mod')) && isDir(join(dir, 'cmd'))) {
    const commands = commandPackages(dir);
    if (commands.length > 1 && !config.ko_config?.import_path && hasDockerfile) {
      passedOverKo = `go.mod and cmd/ found, but cmd/ holds ${commands.length} packages (${commands.join(', ')}) and ko_config.import_path names none; `;
    } else {
      checkKo(dir, config, displayDir, options.root, problem);
      const also = hasDockerfile ? `; ${dockerfileShown} is ignored (set build_backend: kaniko to use it)` : '';
      return { backend: 'ko', reason: `go.mod and cmd/ found${also}`, problems };
    }
  }
  // --- 3. spin manifest -> spin
  if (isFile(manifest)) return { backend: 'spin', reason: `${passedOverKo}${manifestName} found`, problems };
  // --- 4. Dockerfile -> kaniko, or buildkit for what Kaniko cannot build
  if (hasDockerfile) {
    const scan = checkDockerfile(dir, options.root ?? dir, config, dockerfileShown, problem);
    const [first] = scan?.buildkitOnly ?? [];
    if (first) return { backend: 'buildkit', reason: `${passedOverKo}${describeUse(first, dockerfileName)}`, problems };
    return { backend: 'kaniko', reason: `${passedOverKo}${dockerfileName} found`, problems };
  }
  // --- 5. go.mod and a main package at its root, no Dockerfile: ko builds `.`
  if (isFile(join(dir, 'go.mod')) && holdsMainPackage(dir)) {
    checkKo(dir, config, displayDir, options.root, problem);
    return { backend: 'ko', reason: 'go.mod and a main package at the root found', problems };
  }
  // --- 6. nothing buildable
  if (config.context_path) {
    const context = repositoryDirectory(options.root ?? dir, dir, config.context_path);
    if ('problem' in context) {
      problem(
        ['context_path'],
        context.code === 'missing'
          ? `context_path ${shown(displayDir, config.context_path)} does not exist`
          : `context_path ${config.context_path} ${context.problem}`,
      );
    }
  }
  problems.push({
    file: isFile(join(dir, CONFIG_FILE_NAME)) ? configFile : displayDir,
    line: 1,
    column: 1,
    path: '',
    message: `nothing to build in ${displayDir}: ${isFile(join(dir, CONFIG_FILE_NAME)) ? `no build_backend in ${CONFIG_FILE_NAME}, ` : ''}no go.mod with cmd/ or a main package, no ${manifestName}, no ${shown(contextPath, dockerfileName)}`,
    hint: 'add a Dockerfile, or set build_backend',
    severity: 'error',
  });
  return { backend: undefined, reason: 'nothing buildable found', problems };
}

/**
 * The config's local paths (context_path, dockerfile_path under it, spin_config.manifest_path, a
 * relative ko_config.import_path) that lead outside `root`, resolved from `dir` as the backends
 * resolve them, every symbolic link followed.
 */
function pathsOutside(root: string, dir: string, config: BuildConfig): { key: ConfigPath; value: string; via: 'path' | 'link' }[] {
  const out: { key: ConfigPath; value: string; via: 'path' | 'link' }[] = [];
  const check = (key: ConfigPath, value: string | undefined, from: string, path: string) => {
    if (value === undefined) return;
    const where = resolveInRepository(root, from, path);
    if (where.kind === 'outside') out.push({ key, value, via: where.via });
  };
  check(['context_path'], config.context_path, dir, config.context_path ?? '.');
  const context = resolve(dir, config.context_path ?? '.');
  check(['dockerfile_path'], config.dockerfile_path, context, config.dockerfile_path ?? '');
  const manifest = config.spin_config?.manifest_path;
  check(['spin_config', 'manifest_path'], manifest, dir, manifest ?? '');
  const importPath = config.ko_config?.import_path && stripKoScheme(config.ko_config.import_path);
  if (importPath && /^\.\.?(\/|$)/.test(importPath)) check(['ko_config', 'import_path'], config.ko_config?.import_path, dir, importPath);
  return out;
}

type Report = (path: ConfigPath, message: string, hint?: string, severity?: Problem['severity']) => void;

/**
 * Reads and scans the Dockerfile, reporting a context or Dockerfile that is missing, leads outside
 * the repository or is no regular file (never quoting what the file holds), and an unknown target.
 */
function checkDockerfile(
  dir: string,
  root: string,
  config: BuildConfig,
  dockerfileShown: string,
  problem: Report,
): DockerfileScan | undefined {
  const inputs = resolveDockerInputs(root, dir, config);
  if ('message' in inputs) {
    if (inputs.code === 'missing' && inputs.key === 'context_path') {
      problem(['context_path'], `context_path ${config.context_path} does not exist in this directory`);
    } else if (inputs.code === 'missing' && inputs.key === 'dockerfile_path') {
      const where: ConfigPath = config.dockerfile_path ? ['dockerfile_path'] : ['build_backend'];
      problem(
        where,
        `${config.build_backend ?? 'this backend'} needs a Dockerfile, but ${dockerfileShown} does not exist`,
        config.dockerfile_path ? 'dockerfile_path is relative to context_path' : 'add a Dockerfile, or set dockerfile_path',
      );
    } else {
      const key = inputs.key === '.dockerignore' ? (config.context_path ? 'context_path' : 'build_backend') : inputs.key;
      const configured = key === 'build_backend' ? false : config[key] !== undefined;
      problem(
        configured ? [key] : ['build_backend'],
        inputs.message,
        inputs.code === 'outside' ? 'every file a build reads must be inside the repository' : undefined,
      );
    }
    return undefined;
  }
  const text = inputs.dockerfileText;
  const scan = scanDockerfile(text);
  // FROM ${BASE_IMAGE} with nothing setting it fails in the builder with an empty reference.
  // An image's needs arrive as NAME_IMAGE build args (core/imageGraph.ts), set by the run.
  const given = new Set([
    ...AUTOMATIC_PLATFORM_ARGS,
    ...(config.build_args ?? []).map((arg) => arg.slice(0, arg.indexOf('='))),
    ...(config.needs ?? []).map(needBuildArg),
  ]);
  for (const unset of unsetFromArgs(scan, given)) {
    problem(
      config.build_args ? ['build_args'] : config.build_backend ? ['build_backend'] : [],
      `${dockerfileShown} line ${unset.line} (${unset.text}) reads the build argument ${unset.name}, which has no default there and no build_args entry: the image reference would be empty`,
      `add \`${unset.name}=<image>\` to build_args, or a default: ARG ${unset.name}=<image>`,
    );
  }
  // Stage names compare without case, as both builders do (see stageNamed).
  if (config.target && !stageNamed(scan, config.target)) {
    const names = scan.stages.map((s) => s.name).filter((n): n is string => !!n);
    // No stage matches even without case, so a suggestion is never the refused word re-cased.
    const meant = suggest(config.target, names);
    problem(
      ['target'],
      `target ${config.target} is not a stage of ${dockerfileShown}${names.length ? ` (stages: ${names.join(', ')})` : ' (it names no stages)'}`,
      meant ? `did you mean \`${meant}\`?` : undefined,
    );
  }
  return scan;
}

/** ko needs a Go module and the package it is asked to build. */
function checkKo(dir: string, config: BuildConfig, displayDir: string, root: string | undefined, problem: Report): void {
  const goMod = findGoMod(dir, root);
  if (!goMod) {
    problem(
      ['build_backend'],
      `ko builds Go modules, but there is no go.mod in ${displayDir}${root ? ' or above it' : ''}`,
      'run `go mod init` there',
    );
    return;
  }
  const written = config.ko_config?.import_path;
  if (!written) {
    checkDefaultPackage(dir, config, displayDir, problem);
    return;
  }
  // `ko://` only tells ko the path must be a Go package; the path after it is checked as any other.
  const importPath = stripKoScheme(written);
  const where: ConfigPath = ['ko_config', 'import_path'];
  let packageDir: string;
  if (importPath.startsWith('./') || importPath.startsWith('../') || importPath === '.') {
    packageDir = resolve(dir, importPath);
    const where = resolveInRepository(root ?? dir, dir, importPath);
    if (where.kind === 'outside') {
      problem(['ko_config', 'import_path'], `${importPath} ${outsideProblem(where.via)}`);
      return;
    }
  } else {
    const module = moduleName(goMod);
    if (!module || !(importPath === module || importPath.startsWith(`${module}/`))) {
      // Another module's package (ko can build dependencies): go resolves it, not the filesystem.
      return;
    }
    packageDir = join(dirname(goMod), importPath.slice(module.length));
  }
  if (!isDir(packageDir)) {
    const rel = relative(dir, packageDir).split(sep).join('/') || '.';
    problem(where, `import_path ${written} names ${shown(displayDir, rel)}, which does not exist`, suggestPackage(dir, rel, written));
  }
}

/**
 * Without ko_config.import_path ko builds the one package under cmd/, else the directory itself
 * (core/goPackages.ts): several packages under cmd/, or none anywhere, would fail every leg.
 */
function checkDefaultPackage(dir: string, config: BuildConfig, displayDir: string, problem: Report): void {
  const { importPath, choices } = defaultGoPackage(dir);
  if (importPath) return;
  const where: ConfigPath = config.ko_config ? ['ko_config'] : config.build_backend ? ['build_backend'] : [];
  if (choices) {
    problem(
      where,
      `ko_config.import_path is not set and ${shown(displayDir, 'cmd')}/ holds ${choices.length} packages: ${choices.join(', ')}`,
      `set ko_config.import_path to the one this image builds, e.g. ./${choices[0]}`,
    );
    return;
  }
  problem(
    where,
    `ko_config.import_path is not set, and neither ${shown(displayDir, 'cmd')}/ nor ${displayDir} holds a Go package to build`,
    'set ko_config.import_path, e.g. ./cmd/server',
  );
}

function suggestPackage(dir: string, rel: string, written: string): string | undefined {
  // The usual slip: a wrong name under cmd/.
  const parent = posix.dirname(rel);
  const name = posix.basename(rel);
  const parentDir = join(dir, parent);
  if (!isDir(parentDir)) return undefined;
  let entries: string[] = [];
  try {
    entries = readdirSync(parentDir);
  } catch {
    return undefined;
  }
  const meant = suggest(
    name,
    entries.filter((e) => isDir(join(parentDir, e))),
  );
  if (!meant) return undefined;
  // Suggested in the form it was written: with ko's prefix when it had one.
  const prefix = written.startsWith('ko://') ? 'ko://' : '';
  return `did you mean \`${prefix}./${shown(parent, meant)}\`?`;
}

function findGoMod(dir: string, root: string | undefined): string | undefined {
  let current = resolve(dir);
  const stop = root ? resolve(root) : current;
  for (;;) {
    const candidate = join(current, 'go.mod');
    if (isFile(candidate)) return candidate;
    if (current === stop || !current.startsWith(stop)) return undefined;
    const up = dirname(current);
    if (up === current) return undefined;
    current = up;
  }
}

function moduleName(goMod: string): string | undefined {
  const read = readRegularFile(goMod);
  if ('problem' in read) return undefined;
  const match = /^\s*module\s+("?)([^\s"]+)\1\s*$/m.exec(read.bytes.toString('utf8'));
  return match?.[2];
}

/**
 * The checks of an upstream source, run by the leg once it has the clone (the plan cannot see it):
 * those of a local app built with `backend` (its Dockerfile's BuildKit-only syntax for Kaniko, a
 * target stage, ko's import path...). Errors only; `shownDir` names the checkout in messages (e.g. `upstream`).
 */
export function checkUpstreamSource(checkout: string, config: BuildConfig, backend: BackendName, shownDir: string): Problem[] {
  const { upstream_repo: _repo, upstream_ref: _ref, ...local } = config;
  const { problems } = detectBackend(checkout, { ...local, build_backend: backend }, undefined, {
    displayDir: shownDir,
    configFile: CONFIG_FILE_NAME,
    root: checkout,
  });
  return problems.filter((p) => p.severity === 'error');
}
