// Typed wrapper of `ko build` for one platform. ko can only push under a tag (its publisher
// always writes `:latest` or the --tags it is given, and `--tags ''` pushes nothing at all), so
// ko writes an OCI layout and we push that layout by digest ourselves (src/tools/crane.ts): no tag
// is created or moved, and the push is timed on its own.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { UserError, messageOf } from '../core/problem.js';
import { REGISTRY_TOOL_ENV_NAMES, run, toolRunOptions, type RunResult, type ToolContext } from './exec.js';
import { layoutImageDigest } from './ociLayout.js';

export interface KoBuildOptions extends ToolContext {
  /** Go package to build: `./cmd/app`, `.`, or a full import path. */
  importPath: string;
  /** Directory ko runs in: inside the Go module, where a relative importPath starts. */
  cwd: string;
  platform: string;
  /** Repository the image is named after (KO_DOCKER_REPO); nothing is pushed by ko itself. */
  repo: string;
  /** Base image; when absent ko resolves its own (KO_DEFAULTBASEIMAGE, .ko.yaml, ko's default). */
  baseImage?: string;
  /** Environment of `go build`, KEY=VALUE (ko's defaultEnv). */
  goEnv?: string[];
  ldflags?: string[];
  /** Extra `go build` flags, e.g. -tags=netgo (ko's defaultFlags). */
  flags?: string[];
  /** Scratch directory for the generated .ko.yaml and the OCI layout; must be ours alone. */
  workDir: string;
  /** ko's cache of built binaries (KOCACHE). */
  koCache?: string;
  /** Labels of the image config (`--image-label`), keys already checked (core/annotations.ts). */
  labels?: Record<string, string>;
  /** Annotations of the image manifest (`--image-annotation`), keys already checked. */
  annotations?: Record<string, string>;
  /**
   * Where ko writes its own SPDX SBOM of the image (`--sbom=spdx --sbom-dir=DIR`); absent: none.
   * ko attaches it to the image in memory only: the layout still holds the one image, with the
   * same digest as without it (checked with ko v0.19.1 on examples/go-hello).
   */
  sbomDir?: string;
}

export interface KoBuildResult {
  /** sha256:... of the single-platform image manifest in the layout. */
  digest: string;
  /** OCI image layout holding exactly that image. */
  layoutDir: string;
  /** The layout is outside workDir (see koLayoutDir): the caller removes it after the push. */
  layoutIsTemporary: boolean;
  /** ko's SPDX JSON SBOM of the image (`<app>-<os>-<arch>.spdx.json` in sbomDir), when asked for. */
  sbomFile?: string;
  durationMs: number;
}

export interface KoInvocation {
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Path and text of the .ko.yaml ko reads (KO_CONFIG_PATH). */
  configPath: string;
  configText: string;
  layoutDir: string;
}

/** Names under which ko finds a config in its working directory (viper's `.ko` + extension). */
const USER_CONFIG_NAMES = ['.ko.yaml', '.ko.yml'];

/** The app's own .ko.yaml, if any, parsed; ko would read it from its working directory. */
export function readUserKoConfig(cwd: string): { file: string; config: Record<string, unknown> } | undefined {
  for (const name of USER_CONFIG_NAMES) {
    const file = join(cwd, name);
    if (!existsSync(file)) continue;
    let parsed: unknown;
    try {
      parsed = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      // The app's own file: the user fixes it, so a message without a stack trace.
      throw new UserError(`${file} is not valid YAML: ${messageOf(error)}`);
    }
    const config = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    return { file, config };
  }
  return undefined;
}

/**
 * The .ko.yaml ko should read: the app's own (builds, baseImageOverrides, ... kept as they are)
 * with ko_config's env/ldflags/flags as its defaults. A `builds` entry of the app's own file that
 * matches the import path still wins over these defaults: that is ko's rule.
 */
export function koConfigText(
  userConfig: Record<string, unknown> | undefined,
  opts: Pick<KoBuildOptions, 'goEnv' | 'ldflags' | 'flags'>,
): string {
  const config: Record<string, unknown> = { ...(userConfig ?? {}) };
  if (opts.goEnv?.length) config.defaultEnv = opts.goEnv;
  if (opts.ldflags?.length) config.defaultLdflags = opts.ldflags;
  if (opts.flags?.length) config.defaultFlags = opts.flags;
  return stringify(config);
}

// ko names what it saved `LAYOUT_PATH@sha256:...` and parses that as an image reference, so a
// layout path with any other character (an upper-case letter from mkdtemp's suffix) fails the
// build after the layout was written.
const KO_LAYOUT_PATH = /^[a-z0-9_\-./]+$/;

/**
 * Where ko may write its layout: under workDir when ko accepts that path, else a fresh dir under
 * the temp dir, else under /tmp (a TMPDIR with upper case, as macOS's `/var/folders/.../T/`).
 * @throws Error saying which characters ko accepts, when none of them does.
 */
export function koLayoutDir(
  workDir: string,
  temp = tmpdir(),
  fallbacks: readonly string[] = ['/tmp'],
): { dir: string; temporary: boolean } {
  const inWorkDir = join(workDir, 'ko', 'oci-layout');
  if (KO_LAYOUT_PATH.test(inWorkDir)) return { dir: inWorkDir, temporary: false };
  const name = `hephy-ko-layout-${randomBytes(6).toString('hex')}`;
  for (const base of [temp, ...fallbacks]) {
    const outside = join(base, name);
    if (KO_LAYOUT_PATH.test(outside)) return { dir: outside, temporary: true };
  }
  throw new Error(
    `ko cannot write an OCI layout to ${inWorkDir} or under ${[temp, ...fallbacks].join(' or ')}: ko accepts only a-z 0-9 _ - . / in that path; set TMPDIR to such a directory`,
  );
}

/**
 * One `--image-label`/`--image-annotation` value. Both are pflag StringSlice flags (ko v0.19.1
 * pkg/commands/options/build.go), whose value pflag reads as one CSV record (pflag v1.0.10
 * string_slice.go readAsCSV, encoding/csv): an unquoted `,` would split a value in two and a `"`
 * would fail the parse. Quoting the entry as one CSV field keeps it whole; ko then splits it at
 * the first `=` (pkg/commands/resolver.go).
 */
export function koSliceEntry(key: string, value: string): string {
  return `"${`${key}=${value}`.replace(/"/g, '""')}"`;
}

function metadataFlags(flag: string, map: Record<string, string> | undefined): string[] {
  return Object.entries(map ?? {}).map(([key, value]) => `--${flag}=${koSliceEntry(key, value)}`);
}

/**
 * Variables of the caller's environment that ko (and the `go` it runs) may see, by exact name:
 * the search path and home (go's default GOPATH and cache), the temp and cache directories, the
 * docker config holding the login ko may need to pull a private base image, the network's proxy
 * and CA settings, and the reproducible-build dates ko reads (SOURCE_DATE_EPOCH,
 * KO_DATA_DATE_EPOCH: ko v0.19.1 pkg/build/gobuild.go).
 */
const KO_ENV_NAMES = new Set([...REGISTRY_TOOL_ENV_NAMES, 'USER', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'SOURCE_DATE_EPOCH', 'KOCACHE']);
/**
 * ...and by pattern: go's own settings (go help environment: GOCACHE, GOFLAGS, GOPROXY,
 * GOTOOLCHAIN, GOAMD64 ..., all GO and capitals or digits, so not GOOGLE_APPLICATION_CREDENTIALS)
 * and ko's (KO_DOCKER_REPO, KO_DEFAULTBASEIMAGE, KO_CONFIG_PATH, KO_DATA_DATE_EPOCH ...).
 */
const KO_ENV_PATTERN = /^(?:GO[A-Z0-9]+|KO_[A-Z0-9_]+)$/;

/**
 * The environment ko and go run with: only KO_ENV_NAMES and the GO* and KO_* variables of `env`.
 * Everything else stays out, above all registry credentials (HEPHY_REGISTRY_*, a token), the
 * action's own INPUT_* and the runner's ACTIONS_* values: ko's `{{.Env.X}}` templates in a
 * .ko.yaml, and a compiler named by ko_config.env (cgo's CC), see only what is passed on purpose
 * (the expanded ko_config.env reaches go through the generated .ko.yaml's defaultEnv).
 */
export function koEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) => value !== undefined && (KO_ENV_NAMES.has(name) || KO_ENV_PATTERN.test(name))),
  );
}

/** The exact command line and environment of one `ko build`, without touching the disk. */
export function koInvocation(opts: KoBuildOptions, layoutDir: string, userConfig?: Record<string, unknown>): KoInvocation {
  const configPath = join(opts.workDir, 'ko', '.ko.yaml');
  const env: NodeJS.ProcessEnv = {
    ...koEnvironment(opts.env),
    KO_DOCKER_REPO: opts.repo,
    // Never the user's dir: our merged copy of their .ko.yaml lives in workDir.
    KO_CONFIG_PATH: configPath,
  };
  // ko reads KO_DEFAULTBASEIMAGE before .ko.yaml (viper: environment beats file).
  if (opts.baseImage) env.KO_DEFAULTBASEIMAGE = opts.baseImage;
  if (opts.koCache) env.KOCACHE = opts.koCache;
  const args = [
    'build',
    '--bare',
    '--push=false',
    '--oci-layout-path',
    layoutDir,
    // ko would push an SBOM as one more artifact (under a tag): it only writes it to sbomDir here,
    // and the merge attaches it as a signed attestation.
    ...(opts.sbomDir ? ['--sbom=spdx', `--sbom-dir=${opts.sbomDir}`] : ['--sbom=none']),
    `--platform=${opts.platform}`,
    ...metadataFlags('image-label', opts.labels),
    ...metadataFlags('image-annotation', opts.annotations),
    // ko's flags are cobra/pflag, which reads flags after positional arguments: after `--` the
    // import path is an operand even when it looks like a flag (`--push=true` would push);
    // core/grammar/goImportPath.ts refuses it first.
    '--',
    opts.importPath,
  ];
  return { args, env, configPath, configText: koConfigText(userConfig, opts), layoutDir };
}

/** ko log lines start with Go's log timestamp, which the leg's own log already carries. */
export function stripGoLogTime(line: string): string {
  return line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(\.\d+)? /, '');
}

export async function koBuild(opts: KoBuildOptions): Promise<KoBuildResult> {
  const user = readUserKoConfig(opts.cwd);
  const layout = koLayoutDir(opts.workDir);
  const inv = koInvocation(opts, layout.dir, user?.config);
  mkdirSync(join(opts.workDir, 'ko'), { recursive: true });
  // ko appends to an existing layout; a fresh one holds only this build.
  rmSync(inv.layoutDir, { recursive: true, force: true });
  writeFileSync(inv.configPath, inv.configText);
  if (opts.koCache) mkdirSync(opts.koCache, { recursive: true });
  try {
    const result: RunResult = await run('ko', inv.args, { ...toolRunOptions({ ...opts, env: inv.env }, stripGoLogTime), cwd: opts.cwd });
    const sbomFile = opts.sbomDir ? koSbomFile(opts.sbomDir) : undefined;
    return {
      digest: layoutImageDigest(inv.layoutDir, 'ko'),
      layoutDir: inv.layoutDir,
      ...(sbomFile ? { sbomFile } : {}),
      layoutIsTemporary: layout.temporary,
      durationMs: result.durationMs,
    };
  } catch (error) {
    if (layout.temporary) rmSync(layout.dir, { recursive: true, force: true });
    throw error;
  }
}

/** The one SPDX document ko wrote into sbomDir (pkg/build/gobuild.go writeSBOM: `<app>-<os>-<arch>.spdx.json`). */
export function koSbomFile(sbomDir: string): string {
  const found = existsSync(sbomDir) ? readdirSync(sbomDir).filter((name) => name.endsWith('.spdx.json')) : [];
  if (found.length !== 1) throw new Error(`ko wrote ${found.length} SPDX SBOM(s) into ${sbomDir}, expected one`);
  return join(sbomDir, found[0]);
}

/** `ko version` prints a bare version, e.g. v0.19.1. */
export async function koVersion(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('ko', ['version'], { env: koEnvironment(env) });
  return stdout.trim();
}
