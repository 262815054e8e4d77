// The go command as a tool installer: download a pinned module (the Go checksum database verifies
// it), build its packages, and read a built binary's build info back, so a binary restored from a
// cache is only run when its build info names the pinned module.
//
// Formats, from Go 1.26 (src/cmd/go/internal/modcmd/download.go: the JSON of `go mod download
// -json`, fields Path, Version, Dir, Sum, Origin.Hash; src/runtime/debug/mod.go, BuildInfo.String:
// the lines `go version -m` prints under the file name, each tab-indented: `path P`, `mod P V SUM`,
// `dep P V SUM`, `=> P V SUM` (a replacement), `build KEY=VALUE`, the value quoted with
// strconv.Quote when it holds a space, tab, quote or `=`).
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goPackagePath, type GoToolPin } from '../core/toolPins.js';
import { run, type Runner } from './exec.js';

/** What `go mod download -json MODULE@VERSION` reports. */
export interface ModuleDownload {
  path: string;
  version: string;
  /** The extracted module source, read-only, in the module cache. */
  dir: string;
  /** `h1:` checksum of the module zip, verified against go.sum or the Go checksum database. */
  sum: string;
  /** The tag's commit, when the proxy knows it. */
  commit?: string;
}

export interface GoModuleVersion {
  path: string;
  /** `(devel)` for the main module of a build inside its own source. */
  version: string;
  /** `h1:...`; Go records none for a `(devel)` main module. */
  sum?: string;
}

/** A Go binary's build info, as `go version -m` prints it. */
export interface GoBuildInfo {
  /** The Go release that built it, e.g. go1.26.8. */
  goVersion: string;
  /** The main package's import path. */
  path: string;
  /** The main module. */
  main?: GoModuleVersion;
  deps: GoModuleVersion[];
  /** `build` lines: -ldflags, CGO_ENABLED, GOOS, GOARCH, ... */
  settings: Record<string, string>;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value;
  }
}

/** Parses the output of `go version -m FILE` (one file). */
export function parseGoBuildInfo(text: string): GoBuildInfo {
  const lines = text.split('\n');
  const goVersion = /:\s+(go\S+)\s*$/.exec(lines[0] ?? '')?.[1] ?? '';
  const info: GoBuildInfo = { goVersion, path: '', deps: [], settings: {} };
  for (const line of lines.slice(1)) {
    const fields = line.replace(/^\t/, '').split('\t');
    const [kind, ...rest] = fields;
    const module = (): GoModuleVersion => ({ path: rest[0] ?? '', version: rest[1] ?? '', ...(rest[2] ? { sum: rest[2] } : {}) });
    if (kind === 'path') info.path = rest[0] ?? '';
    else if (kind === 'mod') info.main = module();
    else if (kind === 'dep') info.deps.push(module());
    else if (kind === 'build') {
      const setting = rest.join('\t');
      const eq = setting.indexOf('=');
      if (eq > 0) info.settings[setting.slice(0, eq)] = unquote(setting.slice(eq + 1));
    }
  }
  return info;
}

/** The build info of a Go binary; rejects (without running it) when the file is not one. */
export async function readGoBuildInfo(binary: string, env: NodeJS.ProcessEnv, runner: Runner = run): Promise<GoBuildInfo> {
  const result = await runner('go', ['version', '-m', binary], { env, allowFailure: true, timeoutMs: 60_000 });
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n').pop() || `go version -m exited with code ${result.code}`;
    throw new Error(`${binary} is not a Go binary with build info (${why.replace(/^.*?: /, '')})`);
  }
  return parseGoBuildInfo(result.stdout);
}

/** The version flag the pin's ldflags template sets first, e.g. `-X github.com/.../version.version=v1.25.5`. */
export function versionLdflag(pin: Pick<GoToolPin, 'ldflags' | 'version'>): string | undefined {
  const first = pin.ldflags?.split(/\s+(?=-X\s)/)[0];
  return first?.replace(/@V@/g, pin.version);
}

/**
 * Why `info` is not the pinned build of package `pkg` (relative to the module), or undefined when it
 * is. `go install M/P@V` records the module with its version and checksum; a build inside the
 * module's source records `(devel)` and no checksum, so there the version is read from the
 * version ldflag. CGO_ENABLED is checked when the pin sets it.
 */
export function buildInfoMismatch(info: GoBuildInfo, pin: GoToolPin, pkg: string): string | undefined {
  const wantPath = goPackagePath(pin, pkg);
  if (info.path !== wantPath) return `its main package is ${info.path || 'unknown'}, not ${wantPath}`;
  const main = info.main;
  if (!main || main.path !== pin.module) return `its main module is ${main?.path ?? 'unknown'}, not ${pin.module}`;
  if (pin.build === 'install') {
    if (main.version !== pin.version) return `it was built from ${pin.module} ${main.version}, not ${pin.version}`;
    if (main.sum !== pin.sum) return `its module checksum is ${main.sum ?? 'missing'}, not the pinned ${pin.sum}`;
  } else {
    const flag = versionLdflag(pin);
    if (main.version !== '(devel)') return `it was built from ${pin.module} ${main.version}, not from the pinned module's source`;
    if (flag && !(info.settings['-ldflags'] ?? '').split(/\s+(?=-X\s)/).includes(flag)) {
      return `its -ldflags do not set ${flag.replace(/^-X\s+/, '')}`;
    }
  }
  if (pin.cgo !== undefined && info.settings.CGO_ENABLED !== pin.cgo) {
    return `it was built with CGO_ENABLED=${info.settings.CGO_ENABLED ?? 'unknown'}, not ${pin.cgo}`;
  }
  return undefined;
}

/** `go mod download -json MODULE@VERSION`: the module's source and checksum, verified by Go. */
export async function goModDownload(
  module: string,
  version: string,
  env: NodeJS.ProcessEnv,
  runner: Runner = run,
): Promise<ModuleDownload> {
  const result = await runner('go', ['mod', 'download', '-json', `${module}@${version}`], {
    env,
    allowFailure: true,
    timeoutMs: 30 * 60_000,
  });
  let json: { Path?: string; Version?: string; Dir?: string; Sum?: string; Error?: string; Origin?: { Hash?: string } } = {};
  try {
    json = JSON.parse(result.stdout) as typeof json;
  } catch {
    // Reported below with the command's own error.
  }
  if (result.code !== 0 || json.Error || !json.Dir || !json.Sum) {
    const why = json.Error || result.stderr.trim().split('\n').pop() || `exited with code ${result.code}`;
    throw new Error(`go mod download ${module}@${version}: ${why}`);
  }
  return { path: json.Path ?? module, version: json.Version ?? version, dir: json.Dir, sum: json.Sum, commit: json.Origin?.Hash };
}

/** The ldflags of a pin with its placeholders filled in: @V@ the version, @REV@ the tag's commit. */
export function pinLdflags(pin: Pick<GoToolPin, 'ldflags' | 'version'>, commit?: string): string | undefined {
  return pin.ldflags?.replace(/@V@/g, pin.version).replace(/@REV@/g, commit ?? 'unknown');
}

/**
 * The flags a pinned tool is built with, the same as scripts/install-tools.sh: the pin's -ldflags
 * only. Never -trimpath: with it the go command leaves -ldflags out of the build info (Go issue
 * 52372; cmd/go/internal/load/pkg.go, "only include ldflags if -trimpath is not set"), so a
 * source build's version ldflag, the one thing that proves it is the pinned version
 * (buildInfoMismatch), could not be read back and every such build was refused.
 */
export function goToolBuildFlags(ldflags: string | undefined): string[] {
  return ldflags ? ['-ldflags', ldflags] : [];
}

export interface GoToolBuild {
  pin: GoToolPin;
  /** Where the binaries go (GOBIN / -o). */
  binDir: string;
  env: NodeJS.ProcessEnv;
  runner?: Runner;
  log?: (line: string) => void;
}

/**
 * Installs the pinned Go tool into binDir, as scripts/install-tools.sh does: `go install M/P@V`, or
 * (build: src) `go build` inside a copy of the module's source. Either way the module is first
 * downloaded with `go mod download`, which checks it against the Go checksum database, and its
 * checksum must be the pinned one. The flags are goToolBuildFlags: those of install-tools.sh.
 */
export async function installGoTool(o: GoToolBuild): Promise<void> {
  const runner = o.runner ?? run;
  const { pin } = o;
  const download = await goModDownload(pin.module, pin.version, o.env, runner);
  if (download.sum !== pin.sum) {
    throw new Error(`${pin.module}@${pin.version}: go mod download reports checksum ${download.sum}, tool-pins.json pins ${pin.sum}`);
  }
  const ldflags = pinLdflags(pin, download.commit);
  const env: NodeJS.ProcessEnv = {
    ...o.env,
    GOBIN: o.binDir,
    GOFLAGS: '-buildvcs=false',
    ...(pin.cgo !== undefined ? { CGO_ENABLED: pin.cgo } : {}),
  };
  const flags = goToolBuildFlags(ldflags);
  const timeoutMs = 60 * 60_000;
  if (pin.build === 'install') {
    const targets = pin.packages.map((pkg) => `${goPackagePath(pin, pkg)}@${pin.version}`);
    await runner('go', ['install', ...flags, ...targets], { env, timeoutMs, onLine: (_s, line) => o.log?.(line) });
    return;
  }
  const work = mkdtempSync(join(tmpdir(), `hephy-go-src-`));
  try {
    cpSync(download.dir, work, { recursive: true });
    makeWritable(work);
    const packages = pin.packages.map((pkg) => (pkg === '.' ? '.' : `./${pkg}`));
    await runner('go', ['build', ...flags, '-o', `${o.binDir}/`, ...packages], {
      cwd: work,
      env,
      timeoutMs,
      onLine: (_s, line) => o.log?.(line),
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The module cache is read-only, and so is a copy of it: go build and the removal need it writable. */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    chmodSync(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
  }
}
