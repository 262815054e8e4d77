// Pinned tools on GitHub runners, each verified before it runs:
// - Go tools (ko and crane for ko legs; the Kaniko executor for Kaniko legs without a
//   `kaniko-image`; syft for the legs whose SBOM it makes) are built from their pinned module: `go mod download` checks it against the
//   Go checksum database, and its checksum must equal the one tool-pins.json pins. The binaries
//   are cached with @actions/cache under a key that carries that checksum; a binary found in the
//   cache (or left on a self-hosted runner) runs only when `go version -m` shows the pinned module
//   path, version and checksum (for a build from the module's source, which Go records as
//   `(devel)`, the version ldflag). One that does not is refused, never run, and built again.
// - The Kaniko executor then runs in an image assembled from that binary, as
//   scripts/kaniko-image.sh does locally (tools/kanikoExecutorImage.ts), by its image ID.
// - QEMU for a leg whose platform the runner cannot run natively: the distribution's package,
//   pinned, installed with apt (tools/qemu.ts).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir, arch, platform } from 'node:os';
import { join } from 'node:path';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { traitsOf, type BackendOptions } from '../core/backendTraits.js';
import type { Leg } from '../core/model.js';
import { isPinnedByDigest } from '../core/oci.js';
import { messageOf } from '../core/problem.js';
import { goToolPin, type GoToolPin } from '../core/toolPins.js';
import { detectEngine, type ContainerEngine } from '../tools/containerRunner.js';
import { run, which, type Runner } from '../tools/exec.js';
import { buildInfoMismatch, installGoTool, readGoBuildInfo } from '../tools/goModule.js';
import { importExecutorImage } from '../tools/kanikoExecutorImage.js';
import { emulatedArch, registerQemu } from '../tools/qemu.js';

export interface GoTool {
  name: string;
  /** The pin of tool-pins.json this tool is built from. */
  pin: GoToolPin;
  /** The binary (one per tool) and its package, relative to the module. */
  binary: string;
  package: string;
}

function runnerTool(name: string): GoTool {
  const pin = goToolPin(name);
  return { name, pin, binary: pin.binaries[0], package: pin.packages[0] };
}

/**
 * The Go tools the action builds on runners, from tool-pins.json (which scripts/install-tools.sh
 * installs for local runs and tests). Which backend needs which: runnerTools in
 * core/backendTraits.ts; `kaniko` is the executor of Kaniko legs without a `kaniko-image`.
 */
export const RUNNER_TOOLS: Record<string, GoTool> = {
  ko: runnerTool('ko'),
  crane: runnerTool('crane'),
  kaniko: runnerTool('kaniko'),
  // The leg's SBOM where its backend writes none itself (pipeline/legSbom.ts).
  syft: runnerTool('syft'),
  // The merge's: signatures (and attestations) of published images.
  cosign: runnerTool('cosign'),
};

/**
 * Where the tools are kept and the path string they are cached under. @actions/cache versions an
 * entry by the path strings it is given, so a `~` path (the same string on every runner and under
 * act) finds what another job saved; RUNNER_TOOL_CACHE or RUNNER_TEMP would not everywhere.
 */
const TOOLS_HOME = '.cache/hephy-builder/tools';

export interface ToolSetupDeps {
  restoreCache(paths: string[], key: string): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<unknown>;
  runner: Runner;
  detectEngine(env: NodeJS.ProcessEnv): Promise<ContainerEngine>;
  log(line: string): void;
  warn(line: string): void;
  /** Home directory the `~` cache paths stand for. */
  home: string;
}

const defaultDeps = (): ToolSetupDeps => ({
  restoreCache: (paths, key) => cache.restoreCache(paths, key),
  saveCache: (paths, key) => cache.saveCache(paths, key),
  runner: run,
  detectEngine: (env) => detectEngine(env),
  log: (line) => core.info(line),
  warn: (line) => core.warning(line),
  home: homedir(),
});

/** The cache key of a tool: its pinned version and module checksum, and the runner's OS and architecture. */
export function toolCacheKey(tool: GoTool): string {
  return `hephy-tool-${tool.name}-${tool.pin.version}-${tool.pin.sum}-${platform()}-${arch()}`;
}

/** Why the binary at `path` is not the pinned tool, or undefined when it is. Never runs it. */
export async function toolMismatch(tool: GoTool, path: string, env: NodeJS.ProcessEnv, runner: Runner): Promise<string | undefined> {
  try {
    return buildInfoMismatch(await readGoBuildInfo(path, env, runner), tool.pin, tool.package);
  } catch (error) {
    return messageOf(error);
  }
}

/**
 * The pinned Go tool, verified: restored from the cache or built from its module; resolves to the
 * binary's path. A binary that fails verification is deleted, never run, and built again.
 */
export async function ensureGoTool(tool: GoTool, env: NodeJS.ProcessEnv, deps: ToolSetupDeps): Promise<string> {
  const relative = `${TOOLS_HOME}/${tool.name}/${tool.pin.version}`;
  const cachePath = `~/${relative}`;
  const dir = join(deps.home, relative);
  const binary = join(dir, tool.binary);
  const key = toolCacheKey(tool);
  if (!existsSync(binary))
    await deps.restoreCache([cachePath], key).catch((e) => deps.warn(`cache restore of ${tool.name} failed: ${messageOf(e)}`));
  if (existsSync(binary)) {
    const mismatch = await toolMismatch(tool, binary, env, deps.runner);
    if (!mismatch) {
      deps.log(`${tool.name} ${tool.pin.version}: cached, build info verified (${tool.pin.module} ${tool.pin.sum})`);
      return binary;
    }
    deps.warn(`refused the cached ${tool.name} (${binary}): ${mismatch}; building it again from ${tool.pin.module}@${tool.pin.version}`);
    rmSync(dir, { recursive: true, force: true });
  }
  if (!which('go', env.PATH)) {
    throw new Error(`${tool.name} ${tool.pin.version} is not installed and go is not on PATH to build it (add actions/setup-go)`);
  }
  deps.log(
    `building ${tool.name} ${tool.pin.version} from ${tool.pin.module} (verified by the Go checksum database; ~${tool.pin.minutes} min cold)`,
  );
  mkdirSync(dir, { recursive: true });
  await installGoTool({ pin: tool.pin, binDir: dir, env, runner: deps.runner, log: deps.log });
  const mismatch = existsSync(binary) ? await toolMismatch(tool, binary, env, deps.runner) : `go built no ${tool.binary}`;
  if (mismatch) throw new Error(`the ${tool.name} just built is not the pinned one: ${mismatch}`);
  await deps.saveCache([cachePath], key).catch((e) => deps.warn(`could not cache ${tool.name}: ${messageOf(e)}`));
  return binary;
}

export interface ToolSetupOptions {
  env: NodeJS.ProcessEnv;
  backendOptions: BackendOptions;
  /** Adds a directory to PATH for this and later steps (core.addPath). */
  addPath?: (dir: string) => void;
  /** The leg makes its SBOM with syft (core/sbom.ts sbomNeedsSyft): install it too. */
  syft?: boolean;
}

/**
 * Puts what a leg needs on the runner: QEMU for a foreign platform, the pinned tools its backend
 * needs (those already on PATH are used as they are), and for Kaniko without a `kaniko-image` the
 * executor image. Resolves to backend options to use instead of the given ones.
 */
export async function setupTools(leg: Leg, options: ToolSetupOptions, deps: ToolSetupDeps = defaultDeps()): Promise<BackendOptions> {
  const traits = traitsOf(leg.backend);
  const env = options.env;
  const foreign = traits.runsForeignCode ? emulatedArch(leg.platform) : undefined;
  if (foreign) deps.log(await registerQemu({ arch: foreign, env, runner: deps.runner, log: deps.log, warn: deps.warn }));

  for (const name of [...traits.runnerTools, ...(options.syft ? ['syft'] : [])]) {
    if (which(name, env.PATH)) continue;
    const tool = RUNNER_TOOLS[name];
    if (!tool) throw new Error(`the ${leg.backend} backend needs ${name}, which has no pinned version to install`);
    const binary = await ensureGoTool(tool, env, deps);
    (options.addPath ?? core.addPath)(join(binary, '..'));
  }

  if (leg.backend !== 'kaniko') return options.backendOptions;
  const given = options.backendOptions.kanikoImage;
  if (given) {
    if (!isPinnedByDigest(given)) {
      deps.warn(
        `kaniko-image ${given} is not pinned by digest: the tag can be moved to another image; use ${given.split('@')[0]}@sha256:<digest>`,
      );
    }
    return options.backendOptions;
  }
  const tool = RUNNER_TOOLS.kaniko;
  const binary = await ensureGoTool(tool, env, deps);
  const engine = await deps.detectEngine(env);
  const image = await importExecutorImage({
    binary,
    engine,
    tag: `hephy-builder-kaniko-executor:${tool.pin.version}`,
    env,
    runner: deps.runner,
  });
  deps.log(`Kaniko executor ${tool.pin.version} from ${tool.pin.module}: image ${image} (${engine})`);
  return { ...options.backendOptions, kanikoImage: image };
}

/**
 * Puts the pinned tools the merge job needs (cosign) on PATH: those already there are used as
 * they are, the others restored from the cache or built, verified like a leg's.
 */
export async function setupMergeTools(
  names: string[],
  env: NodeJS.ProcessEnv,
  addPath: (dir: string) => void = core.addPath,
  deps: ToolSetupDeps = defaultDeps(),
): Promise<void> {
  for (const name of names) {
    if (which(name, env.PATH)) continue;
    const tool = RUNNER_TOOLS[name];
    if (!tool) throw new Error(`the merge needs ${name}, which has no pinned version to install`);
    const binary = await ensureGoTool(tool, env, deps);
    addPath(join(binary, '..'));
    env.PATH = `${join(binary, '..')}:${env.PATH ?? ''}`;
  }
}
