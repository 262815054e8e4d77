// The merge step: per image, once every leg pushed its platform by digest, one multi-arch index
// under all the image's tags. The order protects the tags: the index is first planned without
// pushing (dry run) and checked to hold every planned platform, and only then pushed; an image
// with a failed leg makes no imagetools call at all. One image's failure never stops the others;
// the caller turns failed outcomes into the exit code. With push off (a pull request from a
// fork) the merge makes no imagetools call whatsoever: each image whose legs all built is `built`,
// which is not a failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLegRecord } from '../core/legRecord.js';
import { planMerge, type ImageMerge } from '../core/mergePlan.js';
import type { ImageSpec, Leg, LegRecord, UnchangedImage } from '../core/model.js';
import { indexInputAnnotations } from '../core/inputDigest.js';
import { indexTags, repositoryFor } from '../core/tags.js';
import { isWasm, samePlatform } from '../core/platform.js';
import { walkFiles } from '../core/walk.js';
import type { ImageOutcome, RunReport } from '../core/report/runSummary.js';
import type { PublishOptions } from '../core/tags.js';
import { mapLimited } from './mapLimited.js';
import { indexPlatforms, type ManifestDocument } from '../core/oci.js';
import { defaultImagetools, type Imagetools } from '../tools/imagetools.js';
import { messageOf } from '../core/problem.js';

export interface MergeOptions {
  images: Pick<ImageSpec, 'image' | 'additionalTags'>[];
  legs: Leg[];
  records: LegRecord[];
  publish: PublishOptions;
  /** Environment for imagetools, with DOCKER_CONFIG holding the registry login. */
  env?: NodeJS.ProcessEnv;
  secrets?: string[];
  log?: (line: string) => void;
  /** buildx builder whose registry config applies (plain-http hosts other than localhost). */
  builder?: string;
  /** Images merged at the same time. */
  concurrency?: number;
  /**
   * False: publish nothing, not even read the registry. Absent: off when every successful leg
   * record says it was built without pushing, else on (records from older builds pushed).
   */
  push?: boolean;
  /** Images the plan found published (selection by digest): re-tagged, not built (retagUnchanged). */
  unchanged?: UnchangedImage[];
  /**
   * Write each built leg's bookkeeping record (`in-<input digest>`) after its image is published.
   * Only default-branch runs (and local runs, whose registry is their own) may: a record is what a
   * later default-branch run trusts as "already built" (README, "What selection by digest trusts").
   */
  recordInputs?: boolean;
  /** Injected in tests; the real `docker buildx imagetools` otherwise. */
  imagetools?: Pick<Imagetools, 'planIndex' | 'createIndex' | 'inspectRaw' | 'indexDigest'>;
}

/** Planned platforms the index lacks (linux/arm64 and linux/arm64/v8 are the same platform). */
function missingPlatforms(planned: string[], raw: ManifestDocument): { missing: string[]; found: string[] } {
  const found = indexPlatforms(raw);
  return { missing: planned.filter((p) => !found.some((f) => samePlatform(f, p))), found };
}

function listed(items: string[]): string {
  return items.length ? items.join(', ') : 'none';
}

/** An image's outcome: its planned platforms and leg records, no tag moved unless `extra` says so. */
function outcomeOf(merge: ImageMerge, status: ImageOutcome['status'], extra: Partial<ImageOutcome> = {}): ImageOutcome {
  return { image: merge.image, status, tags: [], platforms: merge.platforms, failedLegs: [], records: merge.records, ...extra };
}

async function publishImage(
  merge: ImageMerge,
  options: MergeOptions,
  tools: NonNullable<MergeOptions['imagetools']>,
): Promise<ImageOutcome> {
  const env = options.env ?? process.env;
  const secrets = options.secrets ?? [];
  const builder = options.builder;
  const log = (line: string) => options.log?.(`[${merge.image}] ${line}`);
  const outcome = (status: ImageOutcome['status'], extra: Partial<ImageOutcome> = {}) => outcomeOf(merge, status, extra);

  // A WebAssembly app is one OCI artifact, not an image per platform: its tags point at the
  // pushed artifact itself (a copy under each tag), with no index around it.
  if (merge.platforms.length > 0 && merge.platforms.every(isWasm)) {
    if (merge.sources.length !== 1)
      return outcome('failed', { error: `expected one wasm artifact, got ${merge.sources.length} (no tag moved)` });
    log(`tagging the wasm artifact ${merge.sources[0]} as ${merge.tags.join(', ')}`);
    try {
      await tools.createIndex({ tags: merge.tags, sources: merge.sources, env, secrets, builder, log, preferIndex: false });
    } catch (error) {
      return outcome('failed', { error: `could not tag the wasm artifact: ${messageOf(error)}` });
    }
    return outcome('published', { tags: merge.tags, digest: merge.sources[0].split('@')[1] });
  }

  // 1. Plan the index without pushing anything, and check it before any tag moves.
  let planned: ManifestDocument;
  try {
    planned = await tools.planIndex({ sources: merge.sources, env, secrets, builder });
  } catch (error) {
    return outcome('failed', { error: `could not assemble the index from ${listed(merge.sources)} (no tag moved): ${messageOf(error)}` });
  }
  const before = missingPlatforms(merge.platforms, planned);
  if (before.missing.length) {
    return outcome('failed', {
      error: `the index assembled from the leg digests lacks ${listed(before.missing)} (it has ${listed(before.found)}): a leg pushed a manifest of another platform; no tag moved`,
    });
  }

  // 2. Push it under every tag at once.
  const tagList = merge.tags.join(', ');
  log(`creating ${tagList} over ${merge.sources.length} platform manifest(s)`);
  try {
    await tools.createIndex({ tags: merge.tags, sources: merge.sources, env, secrets, builder, log, annotations: merge.annotations });
  } catch (error) {
    return outcome('failed', {
      tags: merge.tags,
      error: `imagetools create failed; buildx pushes the tags one after another, so some of ${tagList} may already point at the new index: ${messageOf(error)}`,
    });
  }

  // 3. Read back what the registry now serves under the first tag.
  const first = merge.tags[0];
  let digest: string | undefined;
  try {
    const raw = await tools.inspectRaw(first, env, { secrets, builder });
    digest = await tools.indexDigest(first, env, { secrets, builder });
    const after = missingPlatforms(merge.platforms, raw);
    if (after.missing.length) {
      return outcome('failed', {
        tags: merge.tags,
        digest,
        error: `the index pushed to ${tagList} lacks ${listed(after.missing)} (it has ${listed(after.found)}); these tags already point at it`,
      });
    }
  } catch (error) {
    return outcome('failed', {
      tags: merge.tags,
      digest,
      error: `the index was pushed to ${tagList}, but reading it back failed, so its platforms are unchecked: ${messageOf(error)}`,
    });
  }
  log(`${first} -> ${digest}`);

  // 4. Per-arch tags: each a plain copy of its platform's manifest.
  const perArchTags: string[] = [];
  for (const { tag, source } of merge.perArch) {
    try {
      await tools.createIndex({ tags: [tag], sources: [source], env, secrets, builder, log, preferIndex: false });
      perArchTags.push(tag);
    } catch (error) {
      return outcome('failed', {
        tags: [...merge.tags, ...perArchTags],
        digest,
        error: `the index is published at ${tagList} (${digest}), but the per-arch tag ${tag} failed: ${messageOf(error)}`,
      });
    }
  }
  if (options.recordInputs) {
    for (const record of merge.inputRecords) {
      try {
        await tools.createIndex({ tags: [record.ref], sources: [record.source], env, secrets, builder, preferIndex: false });
      } catch (error) {
        // The image is published; without its record the next run just builds it again.
        log(`could not write the input record ${record.ref}: ${messageOf(error)}`);
      }
    }
  }
  return outcome('published', { tags: [...merge.tags, ...perArchTags], digest });
}

/**
 * Re-tags an image whose inputs are published: a new index over the published platform manifests
 * (with the same per-platform annotations, so the same index digest as the run that built it),
 * pushed under the tags this run's policy gives the image. The one place that decides how an
 * unchanged image is re-tagged; today it takes the index tags of a built image (core/tags.ts).
 */
export async function retagUnchanged(
  unchanged: UnchangedImage,
  options: MergeOptions,
  tools: NonNullable<MergeOptions['imagetools']>,
): Promise<ImageOutcome> {
  const repository = repositoryFor(unchanged.image, options.publish);
  const tags = indexTags(unchanged.image, unchanged.additionalTags, options.publish).map((tag) => `${repository}:${tag}`);
  const platforms = unchanged.platforms.map((p) => p.platform);
  const base: ImageOutcome = {
    image: unchanged.image,
    status: 'published',
    tags: [],
    platforms,
    failedLegs: [],
    records: [],
    unchanged: true,
  };
  const env = options.env ?? process.env;
  const log = (line: string) => options.log?.(`[${unchanged.image}] ${line}`);
  const sources = unchanged.platforms.map((p) => `${repository}@${p.digest}`);
  log(`unchanged: re-tagging ${tags.join(', ')} over the published ${listed(platforms)}`);
  try {
    if (platforms.every(isWasm)) {
      await tools.createIndex({ tags, sources, env, secrets: options.secrets, builder: options.builder, preferIndex: false });
      return { ...base, tags, digest: unchanged.platforms[0].digest };
    }
    await tools.createIndex({
      tags,
      sources,
      env,
      secrets: options.secrets,
      builder: options.builder,
      annotations: indexInputAnnotations(unchanged.platforms),
    });
    return { ...base, tags, digest: await tools.indexDigest(tags[0], env, { secrets: options.secrets, builder: options.builder }) };
  } catch (error) {
    return { ...base, status: 'failed', error: `could not re-tag the unchanged image: ${messageOf(error)}` };
  }
}

/** The push setting of a merge: the option when given, else what the leg records say. */
export function mergePushes(options: Pick<MergeOptions, 'push' | 'records'>): boolean {
  if (options.push !== undefined) return options.push;
  const succeeded = options.records.filter((r) => r.status === 'success');
  return !(succeeded.length > 0 && succeeded.every((r) => r.pushed === false));
}

export async function mergeImages(options: MergeOptions): Promise<RunReport> {
  const started = Date.now();
  const tools = options.imagetools ?? defaultImagetools;
  const push = mergePushes(options);
  if (!push) options.log?.('push disabled: nothing is published, no tag moves');
  const plans = planMerge(options.images, options.legs, options.records, options.publish, push);
  const outcomes = await mapLimited(plans, options.concurrency ?? 4, async (merge): Promise<ImageOutcome> => {
    if (merge.status === 'failed') {
      options.log?.(`[${merge.image}] not published: ${merge.failedLegs.length} leg(s) failed; no tag moved`);
      return outcomeOf(merge, 'failed', { failedLegs: merge.failedLegs });
    }
    if (!push) {
      options.log?.(`[${merge.image}] built for ${listed(merge.platforms)}, not pushed`);
      return outcomeOf(merge, 'built');
    }
    try {
      return await publishImage(merge, options, tools);
    } catch (error) {
      // publishImage handles every tool failure; this is the safety net that keeps other images going.
      return outcomeOf(merge, 'failed', { error: messageOf(error) });
    }
  });
  const retagged = push
    ? await mapLimited(options.unchanged ?? [], options.concurrency ?? 4, (u) => retagUnchanged(u, options, tools))
    : [];
  return { outcomes: [...outcomes, ...retagged], mergeMs: Date.now() - started, startedAt: new Date(started).toISOString() };
}

export interface LegRecordsRead {
  records: LegRecord[];
  /** One line per file that could not be read as a leg record; those files are skipped. */
  problems: string[];
}

/** Every leg record under dir, recursively (artifacts download into one subdirectory each). */
export function readLegRecords(dir: string): LegRecordsRead {
  let files: string[];
  try {
    // Only regular files: the artifact download writes them; a symlink is nothing we wrote.
    files = walkFiles(dir, { include: (name) => name.endsWith('.json') })
      .filter((file) => !file.symlink)
      .map((file) => file.path);
  } catch (error) {
    return { records: [], problems: [`cannot read leg records from ${dir}: ${messageOf(error)}`] };
  }
  const records: LegRecord[] = [];
  const problems: string[] = [];
  for (const name of files) {
    try {
      records.push(parseLegRecord(readFileSync(join(dir, name), 'utf8'), name));
    } catch (error) {
      problems.push(`skipped ${messageOf(error)}`);
    }
  }
  return { records, problems };
}

/** True when any image failed: the caller's exit code. */
export function anyFailed(report: RunReport): boolean {
  return report.outcomes.some((o) => o.status === 'failed');
}
