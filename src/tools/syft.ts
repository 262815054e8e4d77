// syft (anchore/syft v1.57.1, pinned in tool-pins.json): an SPDX JSON SBOM of one platform image,
// for the legs whose tool writes none itself (Kaniko, BuildKit), or of a Spin app's sources. The argv is built apart from
// running it, so tests read it exactly.
//
// What syft v1.57.1 does, read in its source:
// - `syft scan SOURCE` takes a scheme: `oci-dir:PATH` reads an OCI image layout, `registry:REF`
//   pulls from a registry with the docker config's login (stereoscope pkg/image/source.go;
//   syft/source/sourceproviders/source_providers.go).
// - `--output=FORMAT=FILE` writes the document to FILE; `--source-name`/`--source-version` name
//   the described image instead of the layout's path (cmd/syft/internal/options/catalog.go).
// - Settings also come from SYFT_* variables and from .syft.yaml in the working directory, the
//   home and XDG directories (anchore/clio): syft runs with a scrubbed environment in the leg's
//   own scratch directory, so neither the app's files nor the leg's variables reach it.
//   SYFT_CHECK_FOR_APP_UPDATE=false keeps it off the network at start (options/update_check.go);
//   SYFT_REGISTRY_INSECURE_USE_HTTP=true reads a plain-http registry (options/registry.go).
// Options take their values after `=` and the source is one argument after `--` (cobra/pflag).
import { readFileSync } from 'node:fs';
import { REGISTRY_TOOL_ENV_NAMES, run, ToolError, type Runner } from './exec.js';

/**
 * What syft describes: an OCI layout on disk, a pushed image by digest, or a directory of sources
 * (a Spin app, whose OCI artifact syft cannot read), read only inside `basePath` (the directory
 * itself, or one above it).
 */
export type SyftSource =
  | { kind: 'oci-dir'; path: string }
  | { kind: 'registry'; reference: string; insecure?: boolean }
  | { kind: 'dir'; path: string; basePath: string };

/**
 * What a source directory scan leaves out: installed copies of what the lock files declare
 * (`node_modules`: syft skips the package-lock.json files in it, javascript/parse_package_lock.go,
 * but not the Cargo.lock or go.mod an npm package may ship; and walking it is most of the time)
 * and git's store.
 */
export const SOURCE_SCAN_EXCLUDES = ['./**/node_modules', './**/.git'];

export interface SyftScan {
  source: SyftSource;
  /** Where the SPDX JSON document goes. */
  outputFile: string;
  /** The image's name in the document (its repository). */
  name: string;
  /** The image's version in the document (its digest). */
  version: string;
}

const SYFT_TIMEOUT_MS = 15 * 60 * 1000;

/** Variables syft may see, by exact name: those of every registry tool (tools/exec.ts). */
const SYFT_ENV_NAMES = REGISTRY_TOOL_ENV_NAMES;

/** The environment syft runs with: SYFT_ENV_NAMES of `env`, nothing else, plus our settings. */
export function syftEnv(env: NodeJS.ProcessEnv, source: SyftSource): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(SYFT_ENV_NAMES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
  return {
    ...kept,
    SYFT_CHECK_FOR_APP_UPDATE: 'false',
    ...(source.kind === 'registry' && source.insecure ? { SYFT_REGISTRY_INSECURE_USE_HTTP: 'true' } : {}),
  };
}

/**
 * `syft scan --output=spdx-json=FILE --source-name=N --source-version=V --quiet -- SCHEME:WHAT`; a
 * directory adds `--base-path=B`, `--exclude=P` (SOURCE_SCAN_EXCLUDES) and
 * `--select-catalogers=declared`.
 *
 * A directory scan (syft v1.57.1): `dir:PATH` (source_providers.go). syft follows symbolic links,
 * even to targets above the scanned directory, which it indexes as further roots
 * (syft/internal/fileresolver/directory_indexer.go indexAllRoots); with a base path every link
 * target is resolved inside the base instead, an absolute one under it and a relative one with no
 * way above it (addSymlinkToIndex). syft's own default base is the scanned directory
 * (directorysource/directory_source_provider.go basePath); it is passed explicitly all the same. `--exclude` takes globs relative to the scanned directory, a matched directory is
 * not walked (directorysource/directory_source.go GetDirectoryExclusionFunctions).
 * `--select-catalogers=declared` keeps the catalogers of what sources declare: lock files and
 * manifests such as Cargo.lock, go.mod/go.sum and package-lock.json (the `declared` tag,
 * internal/task/package_tasks.go), not the binaries a build left beside them.
 */
export function syftScanArgs(scan: SyftScan): string[] {
  const source = scan.source;
  const what =
    source.kind === 'oci-dir' ? `oci-dir:${source.path}` : source.kind === 'dir' ? `dir:${source.path}` : `registry:${source.reference}`;
  if (/[\s]/.test(what)) throw new Error(`syft: a source with white space: ${what}`);
  const directory =
    source.kind === 'dir'
      ? [`--base-path=${source.basePath}`, ...SOURCE_SCAN_EXCLUDES.map((p) => `--exclude=${p}`), '--select-catalogers=declared']
      : [];
  return [
    'scan',
    `--output=spdx-json=${scan.outputFile}`,
    `--source-name=${scan.name}`,
    `--source-version=${scan.version}`,
    ...directory,
    '--quiet',
    '--',
    what,
  ];
}

/** syft's own error: its last non-empty stderr line. */
function syftReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.filter((l) => /error/i.test(l)).pop() ?? lines.pop() ?? 'no output').replace(/^\[\d+\]\s*/, '');
}

/**
 * Runs one scan in `cwd` (the leg's scratch directory); resolves to the document's text and the ms
 * it took. @throws Error with syft's own reason.
 */
export async function syftScan(
  scan: SyftScan,
  context: { env: NodeJS.ProcessEnv; secrets?: string[]; cwd: string },
  runner: Runner = run,
): Promise<{ text: string; durationMs: number }> {
  try {
    const result = await runner('syft', syftScanArgs(scan), {
      cwd: context.cwd,
      env: syftEnv(context.env, scan.source),
      secrets: context.secrets,
      timeoutMs: SYFT_TIMEOUT_MS,
    });
    return { text: readFileSync(scan.outputFile, 'utf8'), durationMs: result.durationMs };
  } catch (error) {
    if (error instanceof ToolError) throw new Error(`syft: ${syftReason(error.stderr || error.message)}`);
    throw error;
  }
}

/** `syft version` prints `Version: v1.57.1` among other lines. */
export async function syftVersion(env: NodeJS.ProcessEnv, runner: Runner = run): Promise<string> {
  const { stdout } = await runner('syft', ['version'], { env: syftEnv(env, { kind: 'oci-dir', path: '.' }) });
  return /^Version:\s*(\S+)/m.exec(stdout)?.[1] ?? stdout.trim();
}
