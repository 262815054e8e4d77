// `command: build`: one matrix leg — one image, one platform — built by its backend and pushed by
// digest. The leg record is uploaded whatever happens, so the merge can tell a failed leg from a
// missing one.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { buildPlannedLeg } from '../pipeline/buildPlannedLeg.js';
import { traitsOf } from '../core/backendTraits.js';
import { parseLeg } from '../core/leg.js';
import { failedLegRecord, layoutName } from '../core/legRecord.js';
import type { Leg, LegRecord, Plan } from '../core/model.js';
import { renderLegMarkdown } from '../core/report/legReport.js';
import { platformSlug } from '../core/platform.js';
import type { RunContext } from '../core/runContext.js';
import { runMetadata } from '../core/imageMetadata.js';
import { downloadLegRecords, uploadLegOutputs, withNeededLayouts } from './artifacts.js';
import { loadPlan } from './planArtifact.js';
import { readLegRecords } from '../pipeline/merge.js';
import { imagesWithDependants, unchangedLegs } from '../core/imageGraph.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { registrySession } from './registry.js';
import { setupTools } from './toolSetup.js';
import { pushAllowed } from './tagging.js';
import { messageOf } from '../core/problem.js';
import { buildEnvironment } from '../core/buildEnv.js';
import { sbomNeedsSyft } from '../core/sbom.js';

const CACHE_HOME = '.cache/hephy-builder';

/** Where a leg built without pushing keeps its OCI layout for the next wave, and where the next wave downloads them. */
const LAYOUTS_DIR = 'hephy-layouts';
const EARLIER_LAYOUTS_DIR = 'hephy-earlier-layouts';

/**
 * Push off and images of the plan are built on this leg's: the directory its OCI layout is kept
 * in for the next wave (uploaded as an artifact). Undefined otherwise, or when the plan cannot be
 * read (then nothing is built on it: its dependants say why).
 */
function layoutToKeep(leg: Leg, push: boolean, plan: Plan | undefined, inputs: ActionInputs, context: RunContext): string | undefined {
  if (push || !context.artifactService) return undefined;
  if (!plan || !imagesWithDependants(plan.images).has(leg.image)) return undefined;
  return join(context.tempDir, LAYOUTS_DIR, layoutName(leg.id, inputs.artifactScope));
}

/** What a build job reads and runs; tests stand in for the artifact service and the build. */
export interface BuildJobDependencies {
  /** The plan the plan job saved as an artifact of this run (action/planArtifact.ts). */
  loadPlan: (context: RunContext, scope: string) => Promise<Plan>;
  downloadLegRecords: (dir: string, scope: string) => Promise<number>;
  buildPlannedLeg: typeof buildPlannedLeg;
  log: (line: string) => void;
}

const BUILD_JOB_DEPENDENCIES: BuildJobDependencies = {
  loadPlan,
  downloadLegRecords,
  buildPlannedLeg,
  log: (line) => core.info(line),
};

/**
 * Builds one leg as the plan decided it: the image's supply-chain settings (the `sbom`,
 * `provenance` and `sign` inputs and config keys, resolved once by the plan job for this run's
 * event) come from the plan artifact, read once; without an artifact service or a readable plan
 * the image is resolved again from the checkout, with the defaults of a run without inputs.
 */
export async function buildOne(
  leg: Leg,
  inputs: ActionInputs,
  context: RunContext,
  cacheRoot: string,
  recordDir: string,
  deps: BuildJobDependencies = BUILD_JOB_DEPENDENCIES,
): Promise<LegRecord> {
  let plan: Plan | undefined;
  if (context.artifactService) {
    plan = await deps.loadPlan(context, inputs.artifactScope).catch((error: unknown) => {
      deps.log(`could not read the plan artifact (${messageOf(error)}): the image's settings are resolved again from the checkout`);
      return undefined;
    });
  }
  const supplyChain = plan?.images.find((image) => image.image === leg.image)?.supplyChain;
  let session;
  let buildEnv: Record<string, string>;
  try {
    session = registrySession(inputs, context);
    buildEnv = buildEnvironment(inputs.buildEnv, process.env);
  } catch (error) {
    return failedLegRecord(leg, `setup failed: ${messageOf(error)}`, new Date(), { setup: 0, build: 0, push: 0, total: 0 });
  }
  const push = pushAllowed(inputs, context).push;
  const keepLayout = layoutToKeep(leg, push, plan, inputs, context);
  return deps.buildPlannedLeg(leg, {
    root: inputs.root,
    cwd: context.workspace,
    publish: session.publish,
    insecure: inputs.insecureRegistry,
    push,
    ...(keepLayout ? { keepLayout } : {}),
    env: session.env,
    buildEnv,
    secrets: session.secrets,
    cacheRoot,
    backendOptions: inputs.backendOptions,
    metadata: runMetadata(context, inputs),
    onRunner: context.onRunner,
    recordDir,
    pullRequest: context.pullRequest !== undefined || (context.eventName ?? '').startsWith('pull_request'),
    log: deps.log,
    ...(supplyChain ? { supplyChain } : {}),
    prepare: (planned, spec) => setupTools(planned, { env: session.env, backendOptions: inputs.backendOptions, syft: sbomNeedsSyft(spec) }),
    // A leg of wave 2 or 3 builds on what the earlier waves pushed: their leg records (artifacts
    // of this run) and the published platforms of unchanged images (the plan artifact); push
    // off, on the OCI layouts its needs' legs uploaded (artifacts of this run too).
    earlierLegs: async (needs, platform) => {
      if (!context.artifactService) return [];
      const dir = join(context.tempDir, 'hephy-earlier-waves');
      await deps.downloadLegRecords(dir, inputs.artifactScope);
      const records = readLegRecords(dir).records;
      const built = await withNeededLayouts(records, needs, platform, join(context.tempDir, EARLIER_LAYOUTS_DIR), inputs.artifactScope);
      return [...built, ...unchangedLegs(plan?.unchanged, session.publish)];
    },
  });
}

export async function runBuildCommand(context: RunContext): Promise<void> {
  const inputs = readInputs();
  const leg = parseLeg(inputs.leg, 'input leg');
  // @actions/cache versions an entry by the path strings it is given: a `~` path is the same
  // string on every runner (the runner's temp dir differs between self-hosted installs and act jobs).
  const cacheRoot = join(homedir(), CACHE_HOME);
  const cachePath = `~/${CACHE_HOME}/${leg.backend}`;
  // Build caches (Go build cache, ko cache, local BuildKit cache; for spin the pinned CLI, which
  // installSpin hashes again before it runs) per image and platform; the newest one of the same
  // image and platform is a good start when this exact key is new.
  const cacheKeyBase = `hephy-${leg.backend}-${leg.image}-${platformSlug(leg.platform)}-`;
  const cacheKey = `${cacheKeyBase}${context.sha ?? 'local'}`;
  const cacheAvailable = cache.isFeatureAvailable() && traitsOf(leg.backend).actionsCache;
  if (cacheAvailable)
    await cache.restoreCache([cachePath], cacheKey, [cacheKeyBase]).catch((e) => core.warning(`cache restore failed: ${messageOf(e)}`));

  const recordDir = join(context.tempDir, 'hephy-leg-records');
  mkdirSync(recordDir, { recursive: true });
  const record = await core.group(`build ${leg.id}`, () => buildOne(leg, inputs, context, cacheRoot, recordDir));
  if (cacheAvailable && record.status === 'success')
    await cache.saveCache([cachePath], cacheKey).catch((e) => core.warning(`cache save failed: ${messageOf(e)}`));

  if (context.artifactService)
    await uploadLegOutputs(record, { records: recordDir, layouts: join(context.tempDir, LAYOUTS_DIR) }, inputs.artifactScope, core);
  else core.warning('no artifact service on this runner: the leg record was not uploaded for the merge job');
  core.setOutput('digest', record.digest ?? '');
  core.setOutput('leg-record', JSON.stringify(record));
  await core.summary.addRaw(renderLegMarkdown(record)).write();
  if (record.status !== 'success') core.setFailed(`leg ${leg.id} failed: ${record.error}`);
}
