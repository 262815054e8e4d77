// Spin backend: one wasi/wasm32 leg. `spin build` in the manifest's directory, then
// `spin registry push` of the app as an OCI artifact (one manifest, no index). Spin can only push
// to a tag, so the leg pushes to its scratch tag hephy-leg-<leg id> and records the digest; the
// merge puts the real tags on that digest. The digest comes from the push's output, or, when the
// registry did not return it, from reading the scratch tag back. With push off the leg is
// `spin build` alone: Spin assembles the OCI artifact only while pushing, so there is no digest.
// The push carries the image's OCI annotations (core/imageMetadata.ts), among them
// org.opencontainers.image.created = the commit time: Spin would stamp the time of the push, and
// the same inputs would never give the same digest.
//
// The CLI: `spin` on PATH when present; on GitHub runners the pinned release is downloaded
// (SHA-256 checked) into the backend's cache dir; elsewhere a missing CLI is a clear error.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { toolEnv } from '../tools/paths.js';
import { SPIN_VERSION } from '../core/toolPins.js';
import { OCI_KEYS } from '../core/annotations.js';
import { isDigest } from '../core/oci.js';
import { UserError } from '../core/problem.js';
import { scratchTag } from '../core/scratchTag.js';
import { run, which, type Runner } from '../tools/exec.js';
import { createImagetools } from '../tools/imagetools.js';
import {
  installSpin,
  parsePushedDigest,
  parseSpinVersion,
  spinBuildArgs,
  spinPushArgs,
  type Annotation,
  type Download,
  type SpinArch,
} from '../tools/spin.js';
import { verifySpinArtifacts } from './archVerify.js';
import type { Backend, LegBuildResult, LegContext } from './backend.js';

const SPIN_PLATFORM = 'wasi/wasm32';

export const SPIN_NOT_INSTALLED = `the Spin CLI is not installed; hephy-builder installs it on GitHub runners; locally install it from https://spinframework.dev/ (hephy-builder pins spin ${SPIN_VERSION})`;

export interface SpinBackendOptions {
  runner?: Runner;
  download?: Download;
  arch?: SpinArch;
  /** Digest of a pushed reference, when `spin registry push` did not print it. */
  resolveDigest?: (reference: string, env: NodeJS.ProcessEnv) => Promise<string>;
  now?: () => number;
}

export function spinManifest(ctx: Pick<LegContext, 'sourceDir' | 'spec'>): { dir: string; file: string } {
  const rel = ctx.spec.config.spin_config?.manifest_path ?? 'spin.toml';
  const path = resolve(ctx.sourceDir, rel);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new UserError(`spin_config.manifest_path ${rel}: no such file in ${ctx.sourceDir}`);
  return { dir: dirname(path), file: basename(path) };
}

/**
 * The manifest annotations of the push: all of the image's (core/imageMetadata.ts), the commit
 * time as `org.opencontainers.image.created` among them. Spin has annotations only (no image
 * config, so no labels): every piece of OCI metadata of a Spin image goes here.
 */
export function spinAnnotations(ctx: Pick<LegContext, 'metadata'>): Annotation[] {
  return Object.entries(ctx.metadata.annotations);
}

export function createSpinBackend(options: SpinBackendOptions = {}): Backend {
  const runner = options.runner ?? run;
  const now = options.now ?? Date.now;
  const resolveDigest =
    options.resolveDigest ?? ((reference: string, env: NodeJS.ProcessEnv) => createImagetools().indexDigest(reference, env));
  const binaries = new WeakMap<LegContext, string>();

  async function locate(ctx: LegContext): Promise<string> {
    const known = binaries.get(ctx);
    if (known) return known;
    if (ctx.leg.platform !== SPIN_PLATFORM) {
      throw new UserError(`the spin backend builds only ${SPIN_PLATFORM}, not ${ctx.leg.platform}`);
    }
    const env = toolEnv(ctx.env);
    let binary = which('spin', env.PATH);
    if (!binary) {
      if (!ctx.onRunner) throw new UserError(SPIN_NOT_INSTALLED);
      ctx.log(`installing spin ${SPIN_VERSION} (checksum-verified release) into ${ctx.cacheDir}`);
      binary = await installSpin({ dir: ctx.cacheDir, arch: options.arch, download: options.download, runner, log: ctx.log });
    }
    binaries.set(ctx, binary);
    return binary;
  }

  async function build(ctx: LegContext): Promise<LegBuildResult> {
    const spin = await locate(ctx);
    const env = toolEnv(ctx.env);
    const manifest = spinManifest(ctx);
    const reference = `${ctx.target.repository}:${scratchTag(ctx.leg.id)}`;
    const runOptions = { cwd: manifest.dir, env, secrets: ctx.secrets, onLine: (_s: string, line: string) => ctx.log(line) };

    await runner(spin, spinBuildArgs(manifest.file), { ...runOptions, timeoutMs: 60 * 60 * 1000 });
    // Before the push: what `spin build` made must be WebAssembly.
    const verifyMs = verifySpinArtifacts(ctx, manifest.dir, readFileSync(resolve(manifest.dir, manifest.file), 'utf8'));
    if (!ctx.target.push) {
      ctx.log('built; push disabled: nothing pushed (Spin knows the artifact digest only by pushing it)');
      return { pushMs: 0, verifyMs };
    }
    const annotations = spinAnnotations(ctx);
    if (!annotations.some(([key]) => key === OCI_KEYS.created))
      ctx.log('no commit time (not a git checkout): Spin stamps the push time as created, so this digest will not repeat');
    const pushStart = now();
    const pushed = await runner(spin, spinPushArgs(manifest.file, reference, ctx.target.insecure, annotations), {
      ...runOptions,
      timeoutMs: 30 * 60 * 1000,
    });
    const pushMs = now() - pushStart;
    const digest = parsePushedDigest(pushed.stdout) ?? (await resolveDigest(reference, env));
    if (!isDigest(digest)) throw new Error(`spin: cannot tell the digest pushed to ${reference} (got "${digest}")`);
    return { digest, pushMs, verifyMs, sourceTree: manifest.dir };
  }

  return {
    name: 'spin',
    async setup(ctx) {
      const spin = await locate(ctx);
      const version = await runner(spin, ['--version'], { env: toolEnv(ctx.env), secrets: ctx.secrets, timeoutMs: 60_000 });
      return parseSpinVersion(version.stdout);
    },
    build,
  };
}

export const spinBackend = createSpinBackend();
