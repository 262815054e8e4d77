// The plan of a real repository: the pure planner, with git answering what is ignored, what
// changed and what the repository is called. Shared by the CLI and the action.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ImageSpec, Plan, SelectionMode } from '../core/model.js';
import { buildPlan, type PlanOptions } from '../core/plan.js';
import type { TaggingOptions } from '../core/tagPolicy.js';
import { UserError } from '../core/problem.js';
import { parseRunnerMap, type RunnerMap } from '../core/runners.js';
import { changedFiles, isIgnored, isInsideWorkTree, lsRemote, repoName } from '../tools/git.js';
import { ToolError } from '../tools/exec.js';
import { goPackageLister, goVersion, workspaceGoPackageLister } from '../tools/goList.js';
import type { IgnoreCheck } from '../core/discovery.js';
import { computeInputDigests, type InputDigestOptions } from './inputDigests.js';
import { imageInputDigest, inputRecordRef, isArtifactImage, splitByPublished, type PublishedRecords } from '../core/digestSelection.js';
import type { PublishOptions } from '../core/tags.js';
import { parseImageReference, RegistryUnreachable, type RegistryReader } from '../tools/registryRead.js';
import { mapLimited } from './mapLimited.js';

export interface PlanRepositoryOptions {
  /** A runner map as JSON/YAML text, or the path of a file holding one. */
  runners?: string;
  cwd?: string;
  /**
   * Resolve each upstream_ref to one commit now (git ls-remote), for a plan whose legs build it:
   * `plan`, the action's plan job, `run`. Off for `validate` (never online) and a build job's
   * re-plan (its leg carries the commit).
   */
  resolveUpstream?: boolean;
  /** The run the tags are decided for (core/tagPolicy.ts); default: a local push to main. */
  tagging?: TaggingOptions;
  /** Names the build environment will hold (core/plan.ts PlanOptions.buildEnvNames); absent: unchecked. */
  buildEnvNames?: readonly string[];
  /** The SBOM, provenance and signing defaults' run and the inputs over them (core/plan.ts PlanOptions.supplyChain). */
  supplyChain?: PlanOptions['supplyChain'];
  /** Compute each leg's input digest (plan.inputDigests, leg.inputDigest). */
  inputDigests?: Omit<InputDigestOptions, 'goPackages' | 'goVersion' | 'isIgnored'>;
  /**
   * Select by digest: build only the images whose input records are not in this registry (needs
   * inputDigests). A `since` mode then plans every app and is the fallback when the registry
   * cannot be read.
   */
  byDigest?: { publish: Pick<PublishOptions, 'registry' | 'prefix' | 'mode'>; reader: RegistryReader; forceRebuild?: boolean };
}

/** Record lookups in flight at once: one small HEAD each. */
const LOOKUP_CONCURRENCY = 16;

/** A runner map given inline (JSON or YAML) or as the path of a file holding one. */
export function readRunnerMap(text: string | undefined, cwd: string): RunnerMap | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  const file = resolve(cwd, trimmed);
  if (!trimmed.includes('\n') && existsSync(file) && statSync(file).isFile()) {
    return parseRunnerMap(readFileSync(file, 'utf8'), trimmed);
  }
  return parseRunnerMap(trimmed, 'runner map');
}

export async function planRepository(root: string, mode: SelectionMode, options: PlanRepositoryOptions = {}): Promise<Plan> {
  const byDigest = options.byDigest;
  if (!byDigest || mode.kind === 'dirs') return planSelected(root, mode, options);
  // Every candidate is planned; the registry says which are already built.
  const candidates: SelectionMode = mode.kind === 'since' ? { kind: 'all' } : mode;
  const plan = await planSelected(root, candidates, options);
  if (byDigest.forceRebuild) return plan;
  try {
    const published = await publishedRecords(plan, byDigest);
    return splitByPublished(plan, published);
  } catch (error) {
    if (!(error instanceof RegistryUnreachable)) throw error;
    const fallback = mode.kind === 'since' ? await planSelected(root, mode, options) : plan;
    fallback.problems.push({
      file: byDigest.publish.registry,
      line: 1,
      column: 1,
      path: '',
      message: `could not read the input records (${error.message}): selected ${mode.kind === 'since' ? `by the files changed since ${mode.rev}` : 'without them'} instead`,
      severity: 'warning',
    });
    return fallback;
  }
}

/**
 * What the registry holds for the plan: per leg with an input digest, the manifest at its record
 * (one HEAD each, in parallel); then per image whose every leg has one (an index, not an
 * artifact), the index at the image's record. Absent: not published.
 * @throws RegistryUnreachable when the registry cannot be read.
 */
async function publishedRecords(plan: Plan, byDigest: NonNullable<PlanRepositoryOptions['byDigest']>): Promise<PublishedRecords> {
  const digestOf = (ref: string) => byDigest.reader.manifestDigest(parseImageReference(ref));
  const legs = plan.matrix.include.filter((leg) => leg.inputDigest);
  const found = await mapLimited(legs, LOOKUP_CONCURRENCY, async (leg) => {
    return [leg.id, await digestOf(inputRecordRef(leg.image, leg.inputDigest!, byDigest.publish))] as const;
  });
  const published = new Map(found.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
  const candidates = plan.images.flatMap((spec) => {
    const imageLegs = plan.matrix.include.filter((leg) => leg.image === spec.image);
    const digest = imageInputDigest(imageLegs);
    const complete = imageLegs.every((leg) => published.has(leg.id));
    return complete && digest && !isArtifactImage(spec.platforms) ? [{ image: spec.image, digest }] : [];
  });
  const indexes = await mapLimited(candidates, LOOKUP_CONCURRENCY, async ({ image, digest }) => {
    return [image, await digestOf(inputRecordRef(image, digest, byDigest.publish))] as const;
  });
  return { legs: published, indexes: new Map(indexes.filter((entry): entry is readonly [string, string] => entry[1] !== undefined)) };
}

async function planSelected(root: string, mode: SelectionMode, options: PlanRepositoryOptions): Promise<Plan> {
  const absRoot = resolve(options.cwd ?? process.cwd(), root);
  if (!existsSync(absRoot)) throw new UserError(`${root}: no such directory`);
  const isGit = await isInsideWorkTree(absRoot);
  if (mode.kind === 'since' && !isGit) throw new UserError(`--since needs a git repository; ${root} is not one`);
  const ignoreCheck: IgnoreCheck | undefined = isGit ? (paths) => isIgnored(absRoot, paths) : undefined;
  try {
    const plan = await buildPlan(absRoot, mode, {
      repoName: isGit ? await repoName(absRoot) : undefined,
      runners: readRunnerMap(options.runners, options.cwd ?? process.cwd()),
      isIgnored: ignoreCheck,
      changedFiles: (rev) => changedFiles(absRoot, rev),
      listUpstreamRefs: options.resolveUpstream ? (repo) => lsRemote(repo, absRoot) : undefined,
      goPackages: goPackageLister(),
      tagging: options.tagging,
      buildEnvNames: options.buildEnvNames,
      supplyChain: options.supplyChain,
    });
    if (options.inputDigests || options.byDigest) {
      await addInputDigests(
        absRoot,
        plan,
        options.inputDigests ?? { env: process.env, buildEnv: {}, registry: options.byDigest?.reader },
        ignoreCheck,
      );
    }
    return plan;
  } catch (error) {
    // git's answers about the user's revision are user errors, not crashes.
    if (error instanceof ToolError) throw new UserError(error.message);
    throw error;
  }
}

async function addInputDigests(root: string, plan: Plan, options: PlanRepositoryOptions['inputDigests'] & object, isIgnored?: IgnoreCheck) {
  const hasKo = plan.images.some((spec) => spec.backend === 'ko');
  const digests = await computeInputDigests(root, plan, {
    ...options,
    // One go list per platform for every ko app, where workspace mode gives the same answer.
    goPackages: workspaceGoPackageLister(root),
    goVersion: hasKo ? await goVersion(options.env) : undefined,
    isIgnored,
  });
  const byLeg = new Map(digests.map((entry) => [entry.legId, entry.digest]));
  for (const leg of plan.matrix.include) {
    const digest = byLeg.get(leg.id);
    if (digest) leg.inputDigest = digest;
  }
  plan.inputDigests = digests;
}

/** Re-resolves one planned image (for a build job, which receives only its leg). */
export async function resolvePlannedImage(
  root: string,
  dir: string,
  image: string,
  options: PlanRepositoryOptions = {},
): Promise<ImageSpec> {
  const plan = await planRepository(root, { kind: 'dirs', dirs: [dir] }, options);
  const spec = plan.images.find((candidate) => candidate.image === image);
  if (!spec) {
    const why = plan.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n');
    throw new UserError(`image ${image} is not planned from ${dir}${why ? `:\n${why}` : ''}`, plan.problems);
  }
  return spec;
}
