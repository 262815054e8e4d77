// `hephy-builder run`: the whole CI pipeline on this machine. Plan, then every leg in parallel
// (bounded by the cores), then the merge, against a local registry — the one given, or a
// throwaway one started here — and finally the same summary a pull request gets.
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { backendFor } from '../backends/index.js';
import { traitsOf, type BackendName, type BackendOptions, type BackendTraits } from '../core/backendTraits.js';
import type { ImageSpec, Leg, LegRecord, Plan, SelectionMode } from '../core/model.js';
import { layoutName, legRecordName, skippedLegRecord } from '../core/legRecord.js';
import { sbomNeedsSyft } from '../core/sbom.js';
import { needBuildArg, neededImagesFor, needSource, unchangedLegs, type BuiltLeg } from '../core/imageGraph.js';
import { keptLayout } from '../tools/ociLayout.js';
import {
  renderRunComment,
  renderRunSummaryMarkdown,
  renderRunSummaryText,
  type RunReport,
  type SummaryOptions,
} from '../core/report/runSummary.js';
import { compareRecords } from '../core/report/compare.js';
import type { HistoryStore } from '../core/report/history.js';
import type { Thresholds } from '../core/report/thresholds.js';
import { renderPlanText } from '../core/report/planReport.js';
import type { PublishOptions, TagMode } from '../core/tags.js';
import { UserError } from '../core/problem.js';
import { manifestCompressedSize } from '../tools/imagetools.js';
import { selectsByDigest, type TaggingOptions } from '../core/tagPolicy.js';
import { buildLeg, type LegEnvironment } from './buildLeg.js';
import { ensureBuildkit, installTools, pushBaseImages, scriptCommand, startRegistry } from '../tools/localServices.js';
import { runBuilder } from './runBuilder.js';
import { mergeImages } from './merge.js';
import { createSigner, NOT_SIGNED_NOTE } from './sign.js';
import { readLayerGrowth } from './layerGrowth.js';
import type { SupplyChainSwitches } from '../core/supplyChain.js';
import { planRepository } from './planRepository.js';
import { LOCAL_RUN, legsPerWave } from '../core/plan.js';
import { toolEnv, toolsDir } from '../tools/paths.js';
import { mapLimited } from './mapLimited.js';
import { registryReader } from '../tools/registryRead.js';
import type { RunMetadata } from '../core/imageMetadata.js';
import { builderOf } from '../core/provenance.js';
import { HEPHY_BUILDER_VERSION } from '../core/version.js';
import { pinnedToolVersions } from '../core/toolPins.js';

export interface LocalRunOptions {
  root: string;
  /** The run the tags are decided for (core/tagPolicy.ts); default: a push to main, bare tags. */
  tagging?: TaggingOptions;
  mode: SelectionMode;
  runners?: string;
  /** host:port of a registry to push to; absent: start a throwaway one. */
  registry?: string;
  prefix: string;
  tagMode: TagMode;
  perArchTags: boolean;
  /** Legs built at the same time (default: the number of cores). */
  jobs?: number;
  /** `--base-image`, `--kaniko-image`, ...; the base image defaults to hephy's static base in the registry. */
  backendOptions: BackendOptions;
  /** What `${VAR}` expands from (`--build-env`); BASE_IMAGE defaults to hephy's busybox in the registry. */
  buildEnv?: Record<string, string>;
  /** Build every selected image even when its inputs are published in the registry. */
  forceRebuild?: boolean;
  /** The run's part of every image's labels and annotations (`--label`, `--annotation`, the origin remote). */
  metadata?: RunMetadata;
  /**
   * False (`--push false`, a dry run): build every leg for real and push nothing, not even a
   * tag; every leg keeps its image as an OCI layout under outDir/layouts, which the images built
   * on it build on (BuildKit; the others are skipped with the reason). Default: push.
   */
  push?: boolean;
  /** Where leg records and the summary are written. */
  outDir: string;
  /** Earlier records of each leg to compare with, as a pull request compares with the default branch. */
  history?: HistoryStore;
  thresholds?: Thresholds;
  /** A cosign private key file: sign every published image with it (pipeline/sign.ts). */
  signKey?: string;
  /** `--sbom`, `--provenance`, `--sign` (core/supplyChain.ts); a config's keys win over them. */
  supplyChain?: SupplyChainSwitches;
  /** Its password (COSIGN_PASSWORD for cosign, masked). */
  signPassword?: string;
  cwd: string;
  out(text: string): void;
}

export interface LocalRunResult {
  plan: Plan;
  report: RunReport;
  registry: string;
  /** How to stop the registry this run started, if it did. */
  stopHint?: string;
}

function backendsOf(plan: Pick<Plan, 'images'>): BackendName[] {
  return [...new Set(plan.images.map((spec) => spec.backend))];
}

/** The traits of the backends the plan uses. */
function traitsOfPlan(plan: Pick<Plan, 'images'>): BackendTraits[] {
  return backendsOf(plan).map(traitsOf);
}

/**
 * Creates the run's output directory (default `.hephy/run`, inside the user's checkout) with a
 * `.gitignore` of `*` unless one is there, so the records stay out of `git status`: else ko's Go
 * build stamps the images `vcs.modified=true` and the next run's ko says "git is in a dirty state".
 */
export function prepareOutDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, '.gitignore'), '# written by hephy-builder run: its records are not sources\n*\n', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Which pinned tools the planned backends need, for scripts/install-tools.sh --only. */
export function toolsFor(plan: Pick<Plan, 'images'>, options: { sign?: boolean } = {}): string[] {
  // apt (registry, podman, skopeo), buildx (the merge) and crane (base images) serve every run.
  const signing = options.sign ? ['cosign'] : [];
  // syft describes the images whose backend writes no SBOM itself (ko does).
  const sbom = plan.images.some(sbomNeedsSyft) ? ['syft'] : [];
  return [...new Set(['apt', 'buildx', 'crane', ...signing, ...sbom, ...traitsOfPlan(plan).flatMap((t) => t.localTools)])];
}

export async function runLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const { out } = options;
  const root = resolve(options.cwd, options.root);
  const tagging: TaggingOptions | undefined = options.tagging && {
    ...options.tagging,
    mode: options.tagMode,
    perArchTags: options.perArchTags,
  };
  // Every ${VAR} of a config must be one the legs will have: --build-env's and the BASE_IMAGE offered below.
  // A local run: signed only with --sign-key (core/supplyChain.ts).
  const supplyChain = { onRunner: false, signKey: options.signKey !== undefined, inputs: options.supplyChain };
  const buildEnvNames = ['BASE_IMAGE', ...Object.keys(options.buildEnv ?? {})];
  // A first plan says which tools and services the run needs; the one that runs is made once the
  // registry holds the base images, so that input digests can resolve them.
  const candidates = await planRepository(root, options.mode, {
    runners: options.runners,
    cwd: options.cwd,
    resolveUpstream: true,
    tagging,
    buildEnvNames,
    supplyChain,
  });
  const errors = candidates.problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    out(renderPlanText(candidates));
    throw new UserError(`${errors.length} problem(s) in build configs: fix them first`);
  }
  if (candidates.matrix.include.length === 0) {
    out(renderPlanText(candidates));
    out('Nothing to build.\n');
    return { plan: candidates, report: { outcomes: [], mergeMs: 0 }, registry: options.registry ?? '' };
  }
  const plan = candidates;

  const tools = toolsFor(plan, { sign: options.signKey !== undefined });
  out(`hephy: checking tools (${tools.join(', ')}); the first run builds them from source and can take several minutes...\n`);
  await installTools(tools, (_stream, line) => out(`  ${line}\n`));

  let registry = options.registry;
  let stopHint: string | undefined;
  if (!registry) {
    const started = await startRegistry();
    registry = started.address;
    stopHint = scriptCommand('registry.sh', ['stop', registry]);
    out(`hephy: started a throwaway registry at ${registry}\n`);
  }
  const env = toolEnv(process.env);
  const needsBuildkit = traitsOfPlan(plan).some((t) => t.localServices.includes('buildkitd'));
  const builder = needsBuildkit ? runBuilder(env, registry) : undefined;
  if (builder && !builder.given) {
    out(`hephy: buildkitd (builder "${builder.name}", shared by local runs): starting it unless it runs...\n`);
    await ensureBuildkit(builder.name, builder.registries);
    env.HEPHY_BUILDX_BUILDER = builder.name;
  }
  // Base images cannot be pulled here: push hephy's own and offer them to the apps.
  const bases = await pushBaseImages(registry);
  for (const backend of backendsOf(plan)) await backendFor(backend).prepareRun?.(options.backendOptions);
  prepareOutDir(options.outDir);
  // Before any leg (after the services, so that nothing between leaves its temporary files): a
  // missing key or a wrong password stops the run here.
  const signer =
    options.signKey === undefined
      ? undefined
      : await createSigner({
          keyFile: options.signKey,
          cwd: options.cwd,
          password: options.signPassword,
          env: toolEnv(process.env),
          publicKeyOut: join(options.outDir, 'cosign.pub'),
        });
  if (!signer) out(`${NOT_SIGNED_NOTE}\n`);

  const publish: PublishOptions = { registry, prefix: options.prefix, mode: options.tagMode, perArchTags: options.perArchTags };
  const backendOptions = { ...options.backendOptions, baseImage: options.backendOptions.baseImage || bases.static };
  // Selection by digest against this run's registry, as a default-branch run does against its own
  // (a run tagged as a pull request selects as it would: by its mode, core/tagPolicy.ts).
  const reader = registryReader({ env, insecureHosts: new Set([registry]) });
  // The examples' Dockerfiles take their base as ARG BASE_IMAGE: offer hephy's own, unless
  // --build-env names another. Never the shell's BASE_IMAGE: ${VAR} expands only from what is
  // passed on purpose. The input digests expand from it as the legs do.
  const buildEnv = { BASE_IMAGE: bases.busybox, ...options.buildEnv };
  const selected = await planRepository(root, options.mode, {
    runners: options.runners,
    cwd: options.cwd,
    resolveUpstream: true,
    tagging,
    buildEnvNames,
    supplyChain,
    inputDigests: { env, buildEnv, backendOptions, registry: reader },
    byDigest: selectsByDigest(tagging?.run ?? LOCAL_RUN) ? { publish, reader, forceRebuild: options.forceRebuild } : undefined,
  });
  out(renderPlanText(selected));
  Object.assign(plan, selected);
  const legEnv: LegEnvironment = {
    root,
    publish,
    insecure: true,
    // The local run's registry is its own (often throwaway): push, then merge, unless asked not to.
    push: options.push ?? true,
    env,
    buildEnv,
    secrets: [],
    cacheRoot: join(toolsDir(env), 'cache'),
    backendOptions,
    onRunner: false,
    metadata: options.metadata,
    log: () => undefined,
  };

  const specs = new Map<string, ImageSpec>(plan.images.map((spec) => [spec.image, spec]));
  const legs = plan.matrix.include;
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  out(`hephy: building ${legs.length} leg(s), ${jobs} at a time\n`);
  const recordsDir = join(options.outDir, 'legs');
  mkdirSync(recordsDir, { recursive: true });
  // Wave by wave (core/imageGraph.ts): a leg gets its needs as the digests the earlier waves
  // pushed for its platform, or, when one of them failed, is skipped and moves no tag. Push off,
  // every leg keeps its image as an OCI layout here, in the run's own directory: the next wave
  // builds on it (BuildKit), and the user can look at what a dry run built.
  const layoutsDir = join(options.outDir, 'layouts');
  const builtLeg = (record: LegRecord): BuiltLeg => ({ ...record, layout: keptLayout(layoutsDir, record.layout, record.digest) });
  const records: LegRecord[] = [];
  const waves = [...legsPerWave(legs).keys()];
  for (const wave of waves) {
    const waveLegs = legs.filter((leg) => (leg.wave ?? 1) === wave);
    if (waves.length > 1) out(`hephy: wave ${wave} of ${waves.length}: ${waveLegs.length} leg(s)\n`);
    records.push(
      ...(await mapLimited(waveLegs, jobs, (leg) =>
        buildWaveLeg(leg, [...records.map(builtLeg), ...unchangedLegs(plan.unchanged, publish)]),
      )),
    );
  }
  async function buildWaveLeg(leg: Leg, earlier: readonly BuiltLeg[]): Promise<LegRecord> {
    const needed = neededImagesFor(specs.get(leg.image)!.needs, leg.platform, earlier, leg.backend);
    if ('skip' in needed) {
      const record = skippedLegRecord(leg, needed.skip, new Date());
      writeFileSync(join(recordsDir, `${legRecordName(leg.id)}.json`), `${JSON.stringify(record, null, 2)}\n`);
      out(`  [${leg.id}] skipped: ${needed.skip}\n`);
      return record;
    }
    out(`  [${leg.id}] ${leg.backend} ${leg.platform}: started\n`);
    for (const need of needed.needs) out(`  [${leg.id}] on ${needSource(need)} (${needBuildArg(need.name)})\n`);
    // A wasm artifact is no image to build on, nor written as a layout.
    const keepLayout = legEnv.push || traitsOf(leg.backend).artifact !== 'image' ? undefined : join(layoutsDir, layoutName(leg.id));
    const record = await buildLeg(
      leg,
      specs.get(leg.image)!,
      {
        ...legEnv,
        recordDir: recordsDir,
        needs: needed.needs,
        ...(keepLayout ? { keepLayout } : {}),
        log: (line) => out(`  [${leg.id}] ${line}\n`),
      },
      {
        backendFor,
        compressedSize: (ref, toolEnvironment) => manifestCompressedSize(ref, toolEnvironment),
      },
    );
    writeFileSync(join(recordsDir, `${legRecordName(leg.id)}.json`), `${JSON.stringify(record, null, 2)}\n`);
    const took = `${(record.durationsMs.total / 1000).toFixed(1)}s`;
    out(`  [${leg.id}] ${record.status === 'success' ? `done in ${took}` : `FAILED after ${took}: ${record.error?.split('\n')[0]}`}\n`);
    return record;
  }

  out('hephy: merging\n');
  let report: RunReport;
  try {
    report = await mergeImages({
      images: plan.images,
      legs,
      records,
      publish,
      // Push off: publish nothing, whatever the records say.
      ...(legEnv.push ? {} : { push: false }),
      env,
      log: (line) => out(`  ${line}\n`),
      signer,
      unchanged: plan.unchanged,
      recordInputs: plan.publish.recordInputs,
      supplyChain: {
        specs: plan.images,
        recordDirs: new Map(legs.map((leg) => [leg.id, recordsDir])),
        outDir: recordsDir,
        builder: builderOf({ onRunner: false }, HEPHY_BUILDER_VERSION),
        tools: pinnedToolVersions(),
        inputDigests: plan.inputDigests,
      },
      reader,
    });
  } finally {
    signer?.dispose();
  }
  const comparisons = compareRecords(records, options.history, options.thresholds);
  const growth = await readLayerGrowth(comparisons, { env, log: (line) => out(`  ${line}\n`) });
  const summary: SummaryOptions = { history: options.history, thresholds: options.thresholds, growth };
  writeFileSync(join(options.outDir, 'summary.md'), renderRunSummaryMarkdown(report, summary));
  // What a pull request's comment would be: the same, cut to GitHub's comment limit if needed.
  writeFileSync(join(options.outDir, 'comment.md'), renderRunComment(report, summary));
  // The report as data, for scripts (and for comparing two local runs), and what else the
  // summary was made from, so that it can be rendered again.
  writeFileSync(join(options.outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    join(options.outDir, 'summary-context.json'),
    `${JSON.stringify({ thresholds: options.thresholds, growth, history: options.history }, null, 1)}\n`,
  );
  out(`\n${renderRunSummaryText(report, summary)}`);
  out(`summary: ${join(options.outDir, 'summary.md')}\n`);
  if (stopHint) out(`registry ${registry} keeps running for you to pull from; stop it with: ${stopHint}\n`);
  if (builder && !builder.given) {
    out(
      `buildkitd (builder ${builder.name}) keeps its cache warm for the next run; stop it, when no run uses it, with: ${scriptCommand('buildkitd.sh', ['stop', '--name', builder.name])}\n`,
    );
  }
  return { plan, report, registry, stopHint };
}
