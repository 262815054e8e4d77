// `hephy-builder run`: the whole CI pipeline on this machine. Plan, then every leg in parallel
// (bounded by the cores), then the merge, against a local registry — the one given, or a
// throwaway one started here — and finally the same summary a pull request gets.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { backendFor } from '../backends/index.js';
import type { ImageSpec, Leg, LegRecord, Plan, SelectionMode } from '../core/model.js';
import { legRecordName } from '../core/legRecord.js';
import { renderRunSummaryMarkdown, renderRunSummaryText, type RunReport } from '../core/report/runSummary.js';
import { renderPlanText } from '../core/report/planReport.js';
import type { PublishOptions, TagMode } from '../core/tags.js';
import { UserError } from '../core/problem.js';
import { manifestCompressedSize } from '../tools/imagetools.js';
import { headSha } from '../tools/git.js';
import { buildLeg, type LegEnvironment } from './buildLeg.js';
import {
  ensureBuildkit,
  installTools,
  isLoopbackRegistry,
  kanikoImage,
  pushBaseImages,
  scriptCommand,
  startBuildkit,
  startRegistry,
  stopBuildkit,
} from '../tools/localServices.js';
import { mergeImages } from './merge.js';
import { planRepository } from './planRepository.js';
import { toolEnv, toolsDir } from '../tools/paths.js';
import { mapLimited } from './mapLimited.js';

/** The buildx builder (and buildkitd) that local runs share; HEPHY_RUN_BUILDER renames it. */
export const SHARED_RUN_BUILDER = 'hephy-run';

export interface RunBuilder {
  name: string;
  /** given: HEPHY_BUILDX_BUILDER, used as it is; shared: started unless it runs, never stopped
   * by a run; own: this run's, started for it and stopped (cache dropped) when it ends. */
  kind: 'given' | 'shared' | 'own';
}

/**
 * The builder of a run's BuildKit legs. Two runs at once must not restart each other's buildkitd,
 * and BuildKit needs a buildkitd.toml entry (read at start only) for a plain-http registry unless
 * it is loopback (isLoopbackRegistry). So: a loopback registry (the throwaway default) -> the
 * shared builder, whatever registry each run pushes to; any other registry -> a builder of the
 * run's own that trusts it.
 */
export function runBuilder(
  env: NodeJS.ProcessEnv,
  registry: string,
  unique = () => `${process.pid}-${randomBytes(3).toString('hex')}`,
): RunBuilder {
  if (env.HEPHY_BUILDX_BUILDER) return { name: env.HEPHY_BUILDX_BUILDER, kind: 'given' };
  const shared = env.HEPHY_RUN_BUILDER || SHARED_RUN_BUILDER;
  if (isLoopbackRegistry(registry)) return { name: shared, kind: 'shared' };
  return { name: `${shared}-${unique()}`, kind: 'own' };
}

export interface LocalRunOptions {
  root: string;
  mode: SelectionMode;
  runners?: string;
  /** host:port of a registry to push to; absent: start a throwaway one. */
  registry?: string;
  prefix: string;
  tagMode: TagMode;
  perArchTags: boolean;
  /** Legs built at the same time (default: the number of cores). */
  jobs?: number;
  baseImage?: string;
  kanikoImage?: string;
  /** Where leg records and the summary are written. */
  outDir: string;
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

function backendsOf(plan: Plan): Set<string> {
  return new Set(plan.images.map((spec) => spec.backend));
}

/** Which pinned tools the planned backends need, for scripts/install-tools.sh --only. */
function toolsFor(plan: Plan): string[] {
  const tools = new Set(['apt', 'buildx', 'crane']);
  const backends = backendsOf(plan);
  if (backends.has('ko')) tools.add('ko');
  if (backends.has('buildkit')) ['buildkit', 'binfmt'].forEach((t) => tools.add(t));
  if (backends.has('kaniko')) ['kaniko', 'containers-conf', 'binfmt'].forEach((t) => tools.add(t));
  return [...tools];
}

export async function runLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const { out } = options;
  const root = resolve(options.cwd, options.root);
  const plan = await planRepository(root, options.mode, { runners: options.runners, cwd: options.cwd });
  out(renderPlanText(plan));
  const errors = plan.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new UserError(`${errors.length} problem(s) in build configs: fix them first`);
  if (plan.matrix.include.length === 0) {
    out('Nothing to build.\n');
    return { plan, report: { outcomes: [], mergeMs: 0 }, registry: options.registry ?? '' };
  }

  out(`hephy: checking tools (${toolsFor(plan).join(', ')}); the first run builds them from source and can take several minutes...\n`);
  await installTools(toolsFor(plan), (_stream, line) => out(`  ${line}\n`));

  let registry = options.registry;
  let stopHint: string | undefined;
  if (!registry) {
    const started = await startRegistry();
    registry = started.address;
    stopHint = scriptCommand('registry.sh', ['stop', registry]);
    out(`hephy: started a throwaway registry at ${registry}\n`);
  }
  const env = toolEnv(process.env);
  const backends = backendsOf(plan);
  const builder = backends.has('buildkit') ? runBuilder(env, registry) : undefined;
  if (builder?.kind === 'shared') {
    out(`hephy: buildkitd (builder "${builder.name}", shared by local runs): starting it unless it runs...\n`);
    await ensureBuildkit(builder.name);
  } else if (builder?.kind === 'own') {
    out(`hephy: starting buildkitd (builder "${builder.name}", this run's own: ${registry} is not loopback)...\n`);
    await startBuildkit([registry], builder.name);
  }
  if (builder) env.HEPHY_BUILDX_BUILDER = builder.name;
  try {
    return await buildAndMerge(options, plan, root, { registry, stopHint, env, builder });
  } finally {
    if (builder?.kind === 'own') await stopBuildkit(builder.name, { purge: true });
  }
}

/** What a run set up before its legs: registry, tool environment, BuildKit builder. */
interface RunServices {
  registry: string;
  stopHint?: string;
  env: NodeJS.ProcessEnv;
  builder?: RunBuilder;
}

async function buildAndMerge(options: LocalRunOptions, plan: Plan, root: string, services: RunServices): Promise<LocalRunResult> {
  const { out } = options;
  const { registry, stopHint, env, builder } = services;
  const backends = backendsOf(plan);
  // Base images cannot be pulled here: push hephy's own and offer them to the apps.
  const bases = await pushBaseImages(registry);
  env.BASE_IMAGE = env.BASE_IMAGE || bases.busybox;
  const kaniko = backends.has('kaniko') ? options.kanikoImage || (await kanikoImage()) : options.kanikoImage;

  const date = new Date();
  const sha = await headSha(root).catch(() => undefined);
  const publish: PublishOptions = { registry, prefix: options.prefix, mode: options.tagMode, date, sha, perArchTags: options.perArchTags };
  const legEnv: LegEnvironment = {
    root,
    publish,
    insecure: true,
    // The local run's registry is its own (often throwaway): always push, then merge.
    push: true,
    env,
    secrets: [],
    cacheRoot: join(toolsDir(env), 'cache'),
    baseImage: options.baseImage || bases.static,
    kanikoImage: kaniko,
    onRunner: false,
    log: () => undefined,
  };

  const specs = new Map<string, ImageSpec>(plan.images.map((spec) => [spec.image, spec]));
  const legs = plan.matrix.include;
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  out(`hephy: building ${legs.length} leg(s), ${jobs} at a time\n`);
  const recordsDir = join(options.outDir, 'legs');
  mkdirSync(recordsDir, { recursive: true });
  const records = await mapLimited(legs, jobs, async (leg: Leg): Promise<LegRecord> => {
    out(`  [${leg.id}] ${leg.backend} ${leg.platform}: started\n`);
    const record = await buildLeg(
      leg,
      specs.get(leg.image)!,
      { ...legEnv, log: (line) => out(`  [${leg.id}] ${line}\n`) },
      {
        backendFor,
        compressedSize: (ref, toolEnvironment) => manifestCompressedSize(ref, toolEnvironment),
      },
    );
    writeFileSync(join(recordsDir, `${legRecordName(leg.id)}.json`), `${JSON.stringify(record, null, 2)}\n`);
    const took = `${(record.durationsMs.total / 1000).toFixed(1)}s`;
    out(`  [${leg.id}] ${record.status === 'success' ? `done in ${took}` : `FAILED after ${took}: ${record.error?.split('\n')[0]}`}\n`);
    return record;
  });

  out('hephy: merging\n');
  const report = await mergeImages({
    images: plan.images,
    legs,
    records,
    publish,
    env,
    log: (line) => out(`  ${line}\n`),
  });
  writeFileSync(join(options.outDir, 'summary.md'), renderRunSummaryMarkdown(report));
  // The report as data, for scripts (and for comparing two local runs).
  writeFileSync(join(options.outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  out(`\n${renderRunSummaryText(report)}`);
  out(`summary: ${join(options.outDir, 'summary.md')}\n`);
  if (stopHint) out(`registry ${registry} keeps running for you to pull from; stop it with: ${stopHint}\n`);
  if (builder?.kind === 'shared') {
    out(
      `buildkitd (builder ${builder.name}) keeps its cache warm for the next run; stop it, when no run uses it, with: ${scriptCommand('buildkitd.sh', ['stop', '--name', builder.name])}\n`,
    );
  }
  return { plan, report, registry, stopHint };
}
