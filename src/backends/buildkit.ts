// The BuildKit backend: `docker buildx build` of one platform, pushed by digest (or, push off,
// not pushed at all), with a build cache that survives between legs: the GitHub Actions cache on
// runners, a local directory elsewhere. Neither cache lives in the registry, so push off writes
// nothing there.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scanDockerfile } from '../core/dockerfile.js';
import { expandList } from '../core/expand.js';
import { buildkitFailureReason } from '../core/failureReason.js';
import { platformSlug } from '../core/platform.js';
import { UserError } from '../core/problem.js';
import { ToolError } from '../tools/exec.js';
import { tryLock } from '../tools/fileLock.js';
import {
  builderExists,
  buildxBuild,
  buildxVersion,
  createContainerBuilder,
  frontendPullFailed,
  type BuildxBuildOptions,
} from '../tools/buildx.js';
import { archCheckEnabled, verifyLayoutArch } from './archVerify.js';
import { defaultImagetools } from '../tools/imagetools.js';
import { needBuildArgs } from '../core/imageGraph.js';
import type { Backend, LegBuildResult, LegContext } from './backend.js';

/** The builder we create on a runner when none is named: the gha cache needs a non-docker driver. */
export const RUNNER_BUILDER = 'hephy-builder';

/** HEPHY_BUILDX_BUILDER (locally `hephy`, from scripts/buildkitd.sh); on a runner our own. */
export function builderName(ctx: Pick<LegContext, 'env' | 'onRunner'>): string | undefined {
  return ctx.env.HEPHY_BUILDX_BUILDER || (ctx.onRunner ? RUNNER_BUILDER : undefined);
}

/** context_path is relative to the config's directory, dockerfile_path to the context. */
export function buildkitPaths(ctx: Pick<LegContext, 'spec' | 'sourceDir'>): { contextDir: string; dockerfile: string } {
  const contextDir = resolve(ctx.sourceDir, ctx.spec.config.context_path ?? '.');
  return { contextDir, dockerfile: resolve(contextDir, ctx.spec.config.dockerfile_path ?? 'Dockerfile') };
}

export interface BuildCache {
  from: string[];
  to: string[];
  /** After a successful build: make the exported cache the one the next build reads. */
  commit(): void;
  /** After a failed build: drop a half-written export. */
  discard(): void;
}

/**
 * One cache per image and platform. On a runner: the GitHub Actions cache (buildx reads its URL
 * and token from the runner's environment). Elsewhere: BuildKit's local cache, which only ever
 * grows when exported into the directory it was read from, so each build exports into a fresh
 * directory that then replaces the old one. The local cache belongs to one build at a time (a lock
 * file next to it, released by commit or discard): a second local run building the same image and
 * platform at once builds without it rather than replace the directory under the first.
 */
export function buildCache(ctx: Pick<LegContext, 'spec' | 'leg' | 'cacheDir' | 'onRunner' | 'log'>): BuildCache {
  const scope = `${ctx.spec.image}-${platformSlug(ctx.leg.platform)}`;
  if (ctx.onRunner) {
    return {
      from: [`type=gha,scope=${scope}`],
      // A cache service hiccup must not fail a build that succeeded.
      to: [`type=gha,scope=${scope},mode=max,ignore-error=true`],
      commit: () => undefined,
      discard: () => undefined,
    };
  }
  const current = join(ctx.cacheDir, scope);
  const next = `${current}.next`;
  const lock = tryLock(`${current}.lock`);
  if ('holder' in lock) {
    ctx.log(`build cache ${current} is in use by another build (pid ${lock.holder}): building without it`);
    return { from: [], to: [], commit: () => undefined, discard: () => undefined };
  }
  return {
    from: existsSync(join(current, 'index.json')) ? [`type=local,src=${current}`] : [],
    to: [`type=local,dest=${next},mode=max`],
    commit() {
      try {
        if (!existsSync(join(next, 'index.json'))) return;
        rmSync(current, { recursive: true, force: true });
        renameSync(next, current);
      } finally {
        lock.release();
      }
    },
    discard() {
      try {
        rmSync(next, { recursive: true, force: true });
      } finally {
        lock.release();
      }
    },
  };
}

/**
 * The values of the config's build secrets, from the build job's environment (the action step's
 * `env:`, the CLI's shell), to be masked in every log line.
 * @throws UserError naming a secret whose variable is unset or empty.
 */
export function buildSecretValues(ctx: LegContext): string[] {
  return (ctx.spec.config.secrets ?? []).map((name) => {
    const value = ctx.env[name];
    if (!value)
      throw new UserError(`secrets: ${name} is not set in the build job's environment (set it in the step's env:, e.g. from a secret)`);
    return value;
  });
}

/** Everything `docker buildx build` gets for this leg, from the leg context alone. */
export function buildkitBuildOptions(ctx: LegContext, cache: Pick<BuildCache, 'from' | 'to'>): BuildxBuildOptions {
  const config = ctx.spec.config;
  const secretValues = buildSecretValues(ctx);
  return {
    ...buildkitPaths(ctx),
    platform: ctx.leg.platform,
    repository: ctx.target.repository,
    target: config.target || undefined,
    buildArgs: [...expandList(config.build_args ?? [], ctx.buildEnv, 'build_args'), ...needBuildArgs(ctx.needs)],
    // `FROM <need>` reads the named context (`buildx build --build-context NAME=docker-image://REF`;
    // Docker Bake's `contexts: {NAME: "target:other"}` does the same, docs.docker.com/build/bake/contexts).
    contexts: Object.fromEntries((ctx.needs ?? []).map((need) => [need.name, `docker-image://${need.ref}`])),
    buildSecrets: config.secrets,
    builder: builderName(ctx),
    metadataFile: join(ctx.workDir, 'buildx-metadata.json'),
    ...(ctx.spec.supplyChain?.buildkitAttestations
      ? {
          provenanceMode: ctx.spec.supplyChain.buildkitProvenanceMode ?? 'min',
          readIndex: (reference: string) =>
            defaultImagetools.inspectRaw(reference, ctx.env, { secrets: ctx.secrets, builder: builderName(ctx) }),
        }
      : {}),
    cacheFrom: cache.from,
    cacheTo: cache.to,
    insecure: ctx.target.insecure,
    push: ctx.target.push,
    sourceDateEpoch: ctx.sourceDateEpoch,
    labels: ctx.metadata.labels,
    annotations: ctx.metadata.annotations,
    env: ctx.env,
    secrets: [...ctx.secrets, ...secretValues],
    onLine: ctx.log,
  };
}

/** The `# syntax=` directive of a Dockerfile, if it has one. */
function syntaxDirective(dockerfile: string): { value: string; line: number } | undefined {
  try {
    return scanDockerfile(readFileSync(dockerfile, 'utf8')).directives.syntax;
  } catch {
    return undefined;
  }
}

/** A build error, with the reason spelled out when a `# syntax=` frontend could not be fetched. */
function explainFailure(error: unknown, dockerfile: string): unknown {
  if (!(error instanceof ToolError)) return error;
  // BuildKit's own error and the failing step, not buildx's command line.
  const reason = buildkitFailureReason(`${error.stderr}\n${error.stdout}`) ?? error.message;
  const syntax = frontendPullFailed(error.stderr) ? syntaxDirective(dockerfile) : undefined;
  if (!syntax) return new Error(`buildkit: ${reason}`);
  return new Error(
    `${dockerfile} line ${syntax.line} (# syntax=${syntax.value}) makes BuildKit pull that Dockerfile frontend image, ` +
      `and the pull failed; remove the line to use BuildKit's built-in frontend, or make that registry reachable: ${reason}`,
  );
}

export const buildkitBackend: Backend = {
  name: 'buildkit',

  async setup(ctx) {
    const version = await buildxVersion(ctx.env);
    const builder = builderName(ctx);
    if (builder && !(await builderExists(builder, ctx.env))) {
      if (ctx.onRunner && builder === RUNNER_BUILDER) {
        ctx.log(`creating buildx builder ${builder} (docker-container driver)`);
        await createContainerBuilder(builder, ctx.env);
      } else {
        throw new Error(
          `buildx has no builder named ${builder} (from HEPHY_BUILDX_BUILDER): create it first, e.g. scripts/buildkitd.sh start REGISTRY`,
        );
      }
    }
    return version;
  },

  async build(ctx): Promise<LegBuildResult> {
    const cache = buildCache(ctx);
    let options: BuildxBuildOptions;
    try {
      options = buildkitBuildOptions(ctx, cache);
    } catch (error) {
      cache.discard();
      throw error;
    }
    if (!archCheckEnabled(ctx)) {
      ctx.log('architecture check off (verify_arch: false)');
      try {
        const result = await buildxBuild(options);
        cache.commit();
        if (!ctx.target.push) ctx.log(`built ${result.digest}; push disabled: nothing pushed`);
        return { digest: result.digest, pushMs: result.pushMs, ...(result.index ? { index: result.index } : {}) };
      } catch (error) {
        cache.discard();
        throw explainFailure(error, options.dockerfile);
      }
    }
    return buildCheckThenPush(ctx, options, cache);
  },
};

/**
 * The image goes to an OCI layout first, the architecture check reads it, and only then does a
 * second `buildx build` push it by digest: every step of it is cached in buildkitd by the first
 * build, so the second only exports. The pushed digest must be the checked one.
 */
async function buildCheckThenPush(ctx: LegContext, options: BuildxBuildOptions, cache: BuildCache): Promise<LegBuildResult> {
  const layoutDir = join(ctx.workDir, 'layout');
  let built;
  try {
    built = await buildxBuild({ ...options, layoutDir });
    cache.commit();
  } catch (error) {
    cache.discard();
    throw explainFailure(error, options.dockerfile);
  }
  const verifyMs = await verifyLayoutArch(ctx, layoutDir, built.digest);
  if (!ctx.target.push) {
    ctx.log(`built ${built.digest}; push disabled: nothing pushed`);
    return { digest: built.digest, pushMs: 0, verifyMs, ...layoutOrIndex(built, layoutDir) };
  }
  // The cache was exported by the first build; this one only pushes what buildkitd holds.
  const pushed = await buildxBuild({ ...options, cacheTo: [], cacheFrom: [] }).catch((error: unknown) => {
    throw explainFailure(error, options.dockerfile);
  });
  // The platform manifest, not BuildKit's index: its provenance records each build's own times, so
  // the index around the same image differs between the two runs (seen with BuildKit v0.32.2).
  if (pushed.digest !== built.digest) {
    throw new Error(
      `BuildKit pushed ${pushed.digest}, not the image it built and checked (${built.digest}): the build is not reproducible between two runs`,
    );
  }
  return { digest: pushed.digest, pushMs: pushed.pushMs, verifyMs, ...layoutOrIndex(pushed, layoutDir) };
}

/**
 * What the leg reports beside the digest: the layout for syft when it holds the image alone, else
 * (BuildKit's attestations asked for) the index it pushed, which the merge assembles from, and no
 * layout (syft then reads the pushed platform manifest).
 */
function layoutOrIndex(result: { index?: string }, layoutDir: string): { layoutDir?: string; index?: string } {
  return result.index ? { index: result.index } : { layoutDir };
}
