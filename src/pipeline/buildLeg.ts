// Runs one leg: fetch the sources (local dir, or an upstream clone at a ref), set the backend up,
// build one platform and push it by digest, measure the pushed image, and always come back with a
// leg record — a failed leg records its failure so the merge and the summary can say why. With
// push off the leg builds for real, pushes nothing and measures nothing (the size is read from
// the registry), and its record says `pushed: false`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { layoutNeedProblem, type NeededImage } from '../core/imageGraph.js';
import { keptLayout } from '../tools/ociLayout.js';
import type { Backend, LegContext } from '../backends/backend.js';
import type { BackendName, BackendOptions } from '../core/backendTraits.js';
import type { ImageSpec, Leg, LegRecord } from '../core/model.js';
import { failedLegRecord, legRecord } from '../core/legRecord.js';
import { repositoryFor, type PublishOptions } from '../core/tags.js';
import { commitTime, headSha, shallowClone } from '../tools/git.js';
import { checkUpstreamSource } from '../core/detect.js';
import { UserError } from '../core/problem.js';
import { ArchMismatchError } from '../core/archCheck.js';
import { reasonOf } from './reason.js';
import { EMPTY_RUN_METADATA, imageMetadata, metadataFacts, type ImageMetadata, type RunMetadata } from '../core/imageMetadata.js';
import { redactUrl } from '../core/upstreamUrl.js';
import { INPUT_DIGEST_ANNOTATION } from '../core/inputDigest.js';
import { writeLegSbom } from './legSbom.js';

export interface LegEnvironment {
  /** Repository root of the checkout. */
  root: string;
  publish: Pick<PublishOptions, 'registry' | 'prefix' | 'mode'>;
  insecure: boolean;
  /**
   * False: build without pushing anything (a pull request from a fork, `build --dry-run`).
   * Optional for callers written before it (default: push); every caller in src/ sets it.
   */
  push?: boolean;
  env: NodeJS.ProcessEnv;
  /** What `${VAR}` in the config expands from (core/buildEnv.ts); absent: nothing. */
  buildEnv?: Record<string, string>;
  secrets: string[];
  /** Persistent caches live under here, one dir per backend. */
  cacheRoot: string;
  /** Per-run settings of the backends (`--kaniko-image`, ...); each backend reads its own. Absent: none. */
  backendOptions?: BackendOptions;
  onRunner: boolean;
  /**
   * The run's part of every image's labels and annotations (repository address, ref, pull request
   * head, the user's `labels`/`annotations` inputs or flags). Absent: the image's own only.
   */
  metadata?: RunMetadata;
  /** The run is for a pull request (see LegContext.pullRequest). */
  pullRequest?: boolean;
  /**
   * Where the leg's record is written: its SBOM goes there too (pipeline/legSbom.ts), when the
   * image's settings ask for one (ImageSpec.supplyChain.sbom). Absent: no SBOM is made.
   */
  recordDir?: string;
  /** The images this leg's image is built on, as earlier waves pushed them (core/imageGraph.ts neededImagesFor). */
  needs?: NeededImage[];
  /**
   * Push off, and images of the plan are built on this one (issue 14): where the leg keeps its
   * image's OCI layout (a directory named core/legRecord.ts layoutName(leg id), in the run's own
   * directories); its record then names it in `layout`. Absent: nothing kept.
   */
  keepLayout?: string;
  log(line: string): void;
}

export interface LegDependencies {
  backendFor(name: BackendName): Backend;
  /** Compressed size of a pushed platform manifest (config + layers). */
  compressedSize(reference: string, env: NodeJS.ProcessEnv): Promise<number>;
}

interface Sources {
  dir: string;
  commit?: string;
  /** Committer time of commit (seconds since the epoch). */
  sourceDateEpoch?: number;
}

async function sources(spec: ImageSpec, env: LegEnvironment, workDir: string): Promise<Sources> {
  if (spec.source.kind === 'upstream') {
    const checkout = join(workDir, 'upstream');
    // The plan resolved the ref once (core/upstreamRef.ts): every leg fetches that commit, so a
    // branch that moves while the legs start still gives one commit in every platform image.
    const planned = spec.source.commit;
    env.log(`cloning ${redactUrl(spec.source.repo)} at ${planned ? `${planned} (${spec.source.ref} at plan time)` : spec.source.ref}`);
    const commit = await shallowClone(spec.source.repo, planned ?? spec.source.ref, checkout);
    if (planned && commit !== planned) throw new Error(`upstream checkout is ${commit}, not the planned ${planned}`);
    if (!planned) env.log(`${spec.source.ref} resolved to ${commit}`);
    return { dir: checkout, commit, sourceDateEpoch: await commitTime(checkout, commit).catch(() => undefined) };
  }
  const dir = resolve(env.root, spec.source.dir);
  const commit = await headSha(env.root).catch(() => undefined);
  const sourceDateEpoch = commit ? await commitTime(env.root, commit).catch(() => undefined) : undefined;
  return { dir, commit, sourceDateEpoch };
}

export async function buildLeg(leg: Leg, spec: ImageSpec, env: LegEnvironment, deps: LegDependencies): Promise<LegRecord> {
  const startedAt = new Date();
  const started = Date.now();
  const durations: LegRecord['durationsMs'] = { setup: 0, build: 0, push: 0, total: 0 };
  const workDir = mkdtempSync(join(tmpdir(), `hephy-leg-${leg.id}-`));
  let phase = 'setup';
  try {
    const backend = deps.backendFor(leg.backend);
    const source = await sources(spec, env, workDir);
    if (spec.source.kind === 'upstream') {
      // What the plan checks of a local app, checked now that the upstream source is here.
      const [problem] = checkUpstreamSource(source.dir, spec.config, leg.backend, 'upstream');
      if (problem) throw new UserError(`${problem.message}${problem.hint ? ` (${problem.hint})` : ''}`);
    }
    const cacheDir = join(env.cacheRoot, leg.backend);
    mkdirSync(cacheDir, { recursive: true });
    const push = env.push ?? true;
    const run = env.metadata ?? EMPTY_RUN_METADATA;
    const metadata = withInputDigest(
      imageMetadata(metadataFacts(spec, run, { commit: source.commit, commitTime: source.sourceDateEpoch }), spec.config, run),
      leg.inputDigest,
    );
    const ctx: LegContext = {
      spec,
      leg,
      sourceDir: source.dir,
      target: { repository: repositoryFor(spec.image, env.publish), insecure: env.insecure, push },
      workDir,
      sourceDateEpoch: source.sourceDateEpoch,
      metadata,
      cacheDir,
      env: env.env,
      buildEnv: env.buildEnv ?? {},
      options: env.backendOptions ?? {},
      secrets: env.secrets,
      onRunner: env.onRunner,
      pullRequest: env.pullRequest,
      ...(env.needs?.length ? { needs: env.needs } : {}),
      ...(!push && env.keepLayout ? { keepLayout: env.keepLayout } : {}),
      log: env.log,
    };
    // neededImagesFor skips such a leg first; a caller that did not ask it gets the same reason.
    const layoutNeed = env.needs?.find((need) => need.layout);
    const cannot = layoutNeed ? layoutNeedProblem(leg.backend) : undefined;
    if (layoutNeed && cannot) throw new UserError(`its need ${layoutNeed.name} is an OCI layout, and ${cannot}`);
    if (ctx.keepLayout) {
      rmSync(ctx.keepLayout, { recursive: true, force: true });
      mkdirSync(dirname(ctx.keepLayout), { recursive: true });
    }
    const version = await backend.setup(ctx);
    durations.setup = Date.now() - started;
    env.log(`${leg.backend} ${version}: building ${spec.image} for ${leg.platform}`);

    phase = 'build';
    const buildStarted = Date.now();
    const result = await backend.build(ctx);
    const buildAndPush = Date.now() - buildStarted;
    durations.push = Math.min(result.pushMs, buildAndPush);
    durations.build = buildAndPush - durations.push;
    if (result.verifyMs !== undefined) durations.verify = result.verifyMs;

    let size: number | undefined;
    if (push) {
      if (!result.digest) throw new Error(`${leg.backend} pushed but reported no digest`);
      phase = 'measure';
      const reference = `${ctx.target.repository}@${result.digest}`;
      size = result.compressedSize ?? (await deps.compressedSize(reference, env.env));
      env.log(`pushed ${reference}`);
    } else {
      // The size is read from the pushed manifest: nothing to read it from.
      env.log('push disabled: no size measured');
    }
    let sbom: LegRecord['sbom'];
    // Push off with BuildKit's own provenance, the layout holds an index around the image, which
    // syft does not read, and nothing was pushed to read instead: no SBOM, and the leg says so.
    const sbomUnreadable = !push && !result.layoutDir && !result.sbomFile && !result.sourceTree;
    if (spec.supplyChain?.sbom && result.digest && sbomUnreadable)
      env.log("no SBOM: nothing was pushed, and the image is kept only inside an index (BuildKit's provenance), which syft does not read");
    else if (spec.supplyChain?.sbom && result.digest) {
      if (env.recordDir) {
        phase = 'sbom';
        const made = await writeLegSbom(result, {
          leg,
          backendTool: `${leg.backend} ${version}`,
          repository: ctx.target.repository,
          insecure: ctx.target.insecure,
          pushed: push,
          workDir,
          // An upstream app's sources are its clone; a local app's, the checkout.
          repositoryRoot: spec.source.kind === 'upstream' ? source.dir : env.root,
          outDir: env.recordDir,
          sourceDateEpoch: source.sourceDateEpoch,
          env: env.env,
          secrets: env.secrets,
          log: env.log,
        });
        sbom = made.sbom;
        durations.sbom = made.ms;
      } else env.log('an SBOM is asked for, but the leg record goes to no directory: no SBOM written (build --record FILE)');
    }
    // The layout is named in the record only when it holds the image built.
    const layout = ctx.keepLayout ? keptLayout(dirname(ctx.keepLayout), basename(ctx.keepLayout), result.digest) : undefined;
    if (ctx.keepLayout && !layout) env.log(`kept no OCI layout of the image: ${leg.backend} wrote none holding it`);
    durations.total = Date.now() - started;
    return legRecord(leg, startedAt, {
      repository: ctx.target.repository,
      digest: result.digest,
      compressedSize: size,
      pushed: push,
      durationsMs: durations,
      sourceCommit: source.commit,
      annotations: metadata.annotations,
      ...(sbom ? { sbom } : {}),
      ...(result.index && push ? { index: result.index } : {}),
      ...(layout ? { layout: basename(layout) } : {}),
      status: 'success',
    });
  } catch (error) {
    durations.total = Date.now() - started;
    if (phase === 'setup') durations.setup = durations.total;
    else if (phase === 'build') durations.build = durations.total - durations.setup;
    // The check's reason says what is wrong with the image; "build failed" would blame the build.
    const what = error instanceof ArchMismatchError ? 'architecture check failed' : `${phase} failed`;
    return failedLegRecord(leg, `${what}: ${reasonOf(error)}`, startedAt, durations);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The leg's input digest (computed by the plan) as an annotation of its platform manifest, over
 * any value the config or the run gave that key: the image says what it was built from.
 */
export function withInputDigest(metadata: ImageMetadata, inputDigest: string | undefined): ImageMetadata {
  if (!inputDigest) return metadata;
  return { ...metadata, annotations: { ...metadata.annotations, [INPUT_DIGEST_ANNOTATION]: inputDigest } };
}
