// The merge step: per image, once every leg pushed its platform by digest, one multi-arch index
// under all the image's tags. The order protects the tags: the index is first planned without
// pushing (dry run) and checked to hold every planned platform, and only then pushed; an image
// with a failed leg makes no imagetools call at all. One image's failure never stops the others;
// the caller turns failed outcomes into the exit code. With push off (a pull request from a
// fork) the merge makes no imagetools call whatsoever: each image whose legs all built is `built`,
// which is not a failure.
import { reasonOf } from './reason.js';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { parseLegRecord } from '../core/legRecord.js';
import { planMerge, publishedReferences, type ImageMerge } from '../core/mergePlan.js';
import type { ImageSpec, Leg, LegInputDigest, LegRecord, PlanPublish, SupplyChainSettings, UnchangedImage } from '../core/model.js';
import { perArchTag, repositoryFor } from '../core/tags.js';
import { isWasm, samePlatform } from '../core/platform.js';
import { walkFiles } from '../core/walk.js';
import type { ImageOutcome, RunReport } from '../core/report/runSummary.js';
import type { PublishOptions } from '../core/tags.js';
import { mapLimited } from './mapLimited.js';
import { indexPlatforms, type ManifestDocument } from '../core/oci.js';
import { defaultImagetools, type CreateIndexOptions, type Imagetools, type PlannedIndex } from '../tools/imagetools.js';
import { messageOf, UserError } from '../core/problem.js';
import { signImage, type ImageSigner } from './sign.js';
import { isAttachmentFile } from '../core/sbom.js';
import {
  attestationCommands,
  attestImage,
  findAttestations,
  missingAttestationsNote,
  notAttestedNote,
  writePredicate,
  type PlatformPredicates,
} from './attest.js';
import { legProvenance, provenanceFileName, type Builder } from '../core/provenance.js';
import { legRecordName } from '../core/legRecord.js';
import type { RegistryReader } from '../tools/registryRead.js';

export interface MergeOptions {
  /** The plan's images; `tags` are the plan's (core/tagPolicy.ts), published exactly. */
  images: Pick<ImageSpec, 'image' | 'tags'>[];
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
   * Write each built leg's bookkeeping record (`in-<input digest>`) after its image is published:
   * the plan's `publish.recordInputs`, true only for default-branch runs (core/tagPolicy.ts
   * writesInputRecords). A record is what a later default-branch run trusts as "already built"
   * (README, "What selection by digest trusts").
   */
  recordInputs?: boolean;
  /**
   * Signs each image the merge published (its index, recursively) with a key; absent: no
   * signature. An image that failed is never signed; a signing failure fails the image.
   */
  signer?: ImageSigner;
  /**
   * SBOM and provenance attestations of each published image whose plan settings ask for them
   * (ImageSpec.supplyChain): signed with `signer`, or, without one, written beside the leg records.
   */
  supplyChain?: MergeSupplyChain;
  /** Injected in tests; the real `docker buildx imagetools` otherwise. */
  imagetools?: Pick<Imagetools, 'planIndex' | 'createIndex' | 'indexDigest'>;
  /**
   * Reads what a tag names with one registry API request (tools/registryRead.ts) instead of one
   * imagetools process per tag; a tag it cannot read is asked of imagetools. With it, an unchanged
   * image whose tags all name its index already is not pushed at all.
   */
  reader?: Pick<RegistryReader, 'resolve'>;
}

/** What the merge needs to attest the images it publishes (pipeline/attest.ts). */
export interface MergeSupplyChain {
  /** The plan's images: their supplyChain settings, and what the provenance says of them. */
  specs: ImageSpec[];
  /** The directory each leg's record was read from (by leg id): its SBOM file is there. */
  recordDirs: ReadonlyMap<string, string>;
  /** Where the provenance predicates are written (beside the leg records). */
  outDir: string;
  builder: Builder;
  /** Pinned tool versions, name -> version (tool-pins.json). */
  tools: Record<string, string>;
  /** The plan's input digests (base images resolved). */
  inputDigests?: LegInputDigest[];
  /** The checkout's repository and ref (a runner's), for the provenance of local apps. */
  repository?: { uri: string; ref?: string };
  invocationId?: string;
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

/** What the registry now serves under each tag, compared with the digest this run pushed. */
async function readBack(
  tags: string[],
  expected: string,
  options: MergeOptions,
  tools: NonNullable<MergeOptions['imagetools']>,
): Promise<{ moved: string[]; notMoved: string[]; foreign: Array<{ tag: string; digest: string }>; unreadable: string[] }> {
  const env = options.env ?? process.env;
  const viaImagetools = (tag: string) => tools.indexDigest(tag, env, { secrets: options.secrets, builder: options.builder });
  const read = (tag: string) => (options.reader ? options.reader.resolve(tag).catch(() => viaImagetools(tag)) : viaImagetools(tag));
  const found = await Promise.all(
    tags.map((tag) =>
      read(tag).then(
        (digest) => ({ tag, digest }),
        () => ({ tag, digest: undefined }),
      ),
    ),
  );
  const moved = found.filter((f) => f.digest === expected).map((f) => f.tag);
  const foreign = found.filter((f): f is { tag: string; digest: string } => f.digest !== undefined && f.digest !== expected);
  const unreadable = found.filter((f) => f.digest === undefined).map((f) => f.tag);
  return { moved, notMoved: [...foreign.map((f) => f.tag), ...unreadable], foreign, unreadable };
}

/**
 * The references that name `digest` already, read with the registry reader (one request each; a
 * reference it cannot read counts as not there, to be pushed). None without a reader: asking
 * imagetools first would cost as much as pushing.
 */
async function alreadyAt(references: string[], digest: string, reader: MergeOptions['reader']): Promise<string[]> {
  if (!reader) return [];
  const found = await Promise.all(
    references.map((reference) =>
      reader.resolve(reference).then(
        (d) => d === digest,
        () => false,
      ),
    ),
  );
  return references.filter((_, i) => found[i]);
}

/**
 * Pushes `tags` over `sources` and reads every tag back. Success only when each tag serves
 * `expected`: a tag with another digest was written by another run after ours ("overwritten by
 * another run", both digests named), and a push that failed part way says which tags moved.
 */
async function pushAndVerify(
  what: string,
  tags: string[],
  sources: string[],
  expected: string,
  preferIndex: boolean,
  options: MergeOptions,
  tools: NonNullable<MergeOptions['imagetools']>,
  annotations: Pick<CreateIndexOptions, 'annotations' | 'entryAnnotations'> = {},
): Promise<{ moved: string[]; error?: string }> {
  const env = options.env ?? process.env;
  const log = (line: string) => options.log?.(line);
  let pushError: string | undefined;
  try {
    await tools.createIndex({ tags, sources, env, secrets: options.secrets, builder: options.builder, log, preferIndex, ...annotations });
  } catch (error) {
    pushError = reasonOf(error);
  }
  const back = await readBack(tags, expected, options, tools);
  if (pushError !== undefined) {
    return {
      moved: back.moved,
      error: `pushing ${what} failed part way: moved ${listed(back.moved)}; not moved ${listed(back.notMoved)}: ${pushError}`,
    };
  }
  if (back.foreign.length) {
    const theirs = back.foreign.map((f) => `${f.tag} now points at ${f.digest}`).join(', ');
    return {
      moved: back.moved,
      error: `overwritten by another run: ${theirs}, not at ${expected} which this run pushed (still ours: ${listed(back.moved)})`,
    };
  }
  if (back.unreadable.length) {
    return {
      moved: back.moved,
      error: `${what} was pushed, but ${listed(back.unreadable)} could not be read back, so it is unchecked (checked: ${listed(back.moved)})`,
    };
  }
  return { moved: back.moved };
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
  const scoped: MergeOptions = { ...options, log };

  if (merge.tags.length === 0) {
    log('no tag for this image in this run (see the plan): built and pushed by digest, no tag moved');
    return outcome('built');
  }

  // A WebAssembly app is one OCI artifact, not an image per platform: its tags point at the
  // pushed artifact itself (a copy under each tag, whose digest is the artifact's), no index around it.
  if (merge.platforms.length > 0 && merge.platforms.every(isWasm)) {
    if (merge.sources.length !== 1)
      return outcome('failed', { error: `expected one wasm artifact, got ${merge.sources.length} (no tag moved)` });
    const digest = merge.sources[0].split('@')[1];
    log(`tagging the wasm artifact ${merge.sources[0]} as ${merge.tags.join(', ')}`);
    const pushed = await pushAndVerify('the wasm artifact', merge.tags, merge.sources, digest, false, scoped, tools);
    if (pushed.error) return outcome('failed', { tags: pushed.moved, digest, error: pushed.error });
    if (options.recordInputs) await writeInputRecords(merge, digest, scoped, tools);
    return outcome('published', { tags: pushed.moved, digest });
  }

  // 1. Plan the index without pushing anything, and check it before any tag moves.
  let planned: PlannedIndex;
  try {
    planned = await tools.planIndex({
      sources: merge.sources,
      env,
      secrets,
      builder,
      annotations: merge.annotations,
      entryAnnotations: merge.entryAnnotations,
    });
  } catch (error) {
    return outcome('failed', { error: `could not assemble the index from ${listed(merge.sources)} (no tag moved): ${reasonOf(error)}` });
  }
  const before = missingPlatforms(merge.platforms, planned.manifest);
  if (before.missing.length) {
    return outcome('failed', {
      error: `the index assembled from the leg digests lacks ${listed(before.missing)} (it has ${listed(before.found)}): a leg pushed a manifest of another platform; no tag moved`,
    });
  }

  // 2. Push it under every tag at once, then read every tag back: each must serve the planned
  // digest (same bytes, so the platforms checked above), else another run wrote it after us.
  const digest = planned.digest;
  log(`creating ${merge.tags.join(', ')} over ${merge.sources.length} platform manifest(s), index ${digest}`);
  // The index annotations were in the dry run too, so the planned digest is the pushed one.
  const pushed = await pushAndVerify('the index', merge.tags, merge.sources, digest, true, scoped, tools, {
    annotations: merge.annotations,
    entryAnnotations: merge.entryAnnotations,
  });
  if (pushed.error) return outcome('failed', { tags: pushed.moved, digest, error: pushed.error });
  log(`${listed(pushed.moved)} -> ${digest}`);

  // 3. Per-arch tags: each a plain copy of its platform's manifest, so its digest is the leg's.
  const perArchTags: string[] = [];
  for (const { tag, source } of merge.perArch) {
    const copy = await pushAndVerify(`the per-arch tag ${tag}`, [tag], [source], source.split('@')[1], false, scoped, tools);
    perArchTags.push(...copy.moved);
    if (copy.error) {
      return outcome('failed', {
        tags: [...pushed.moved, ...perArchTags],
        digest,
        error: `the index is published at ${listed(pushed.moved)} (${digest}), but ${copy.error}`,
      });
    }
  }
  if (options.recordInputs) await writeInputRecords(merge, digest, scoped, tools);
  return outcome('published', { tags: [...pushed.moved, ...perArchTags], digest });
}

/**
 * The bookkeeping records of a published image: each platform's `in-<input digest>` (a plain copy
 * of its manifest) and the image's (a copy of the index), so a later plan finds them with one read
 * each (pipeline/planRepository.ts). A failed write is logged, not a failure: the image is
 * published, and the next run just builds it again.
 */
async function writeInputRecords(
  merge: ImageMerge,
  indexDigest: string,
  options: MergeOptions,
  tools: NonNullable<MergeOptions['imagetools']>,
): Promise<void> {
  const env = options.env ?? process.env;
  const records = [
    ...merge.inputRecords,
    ...(merge.indexRecord ? [{ ref: merge.indexRecord, source: `${merge.repository}@${indexDigest}` }] : []),
  ];
  for (const record of records) {
    try {
      await tools.createIndex({
        tags: [record.ref],
        sources: [record.source],
        env,
        secrets: options.secrets,
        builder: options.builder,
        preferIndex: false,
      });
    } catch (error) {
      options.log?.(`could not write the input record ${record.ref} (the next run builds it again): ${reasonOf(error)}`);
    }
  }
  if (records.length) options.log?.(`wrote ${records.length} input record(s)`);
}

/**
 * Signs a published image by its digest (never by tag: a tag may move after the read-back).
 * A failure leaves the tags where they are (published, unsigned) and fails the image.
 */
async function signPublished(
  target: { image: string; repository: string; manifests: string[] },
  outcome: ImageOutcome,
  signer: ImageSigner,
  options: MergeOptions,
): Promise<ImageOutcome> {
  const log = (line: string) => options.log?.(`[${target.image}] ${line}`);
  const digest = outcome.digest!;
  const { repository, manifests } = target;
  try {
    const signature = await signImage(signer, repository, digest, manifests);
    log(
      signature.status === 'signed'
        ? `signed ${repository}@${digest} and its ${manifests.length} platform manifest(s) with the key in ${signature.durationMs} ms`
        : `already signed with this key (${digest} unchanged): no second signature`,
    );
    return { ...outcome, signature };
  } catch (error) {
    return {
      ...outcome,
      status: 'failed',
      error: `published at ${listed(outcome.tags)} (${digest}), but signing failed: ${reasonOf(error)}`,
    };
  }
}

/**
 * The SBOM and provenance of a published image, per platform manifest: attached with the signer,
 * or, without one, left as files beside the leg records. A failure (a missing or altered SBOM
 * file, cosign's error) leaves the tags where they are and fails the image.
 */
async function attestPublished(
  merge: ImageMerge,
  outcome: ImageOutcome,
  spec: ImageSpec,
  chain: MergeSupplyChain,
  signer: ImageSigner | undefined,
  options: MergeOptions,
): Promise<ImageOutcome> {
  const log = (line: string) => options.log?.(`[${merge.image}] ${line}`);
  const settings = spec.supplyChain!;
  try {
    const platforms: PlatformPredicates[] = [];
    for (const record of merge.records.filter((r) => r.status === 'success' && r.digest)) {
      const entry: PlatformPredicates = { platform: record.platform, digest: record.digest! };
      const dir = chain.recordDirs.get(record.legId) ?? chain.outDir;
      if (settings.sbom) {
        if (!record.sbom) throw new Error(`the leg ${record.legId} wrote no SBOM (its record names none)`);
        const file = join(dir, record.sbom.file);
        const text = readFileSync(file);
        if (createHash('sha256').update(text).digest('hex') !== record.sbom.sha256)
          throw new Error(`${file} is not the SBOM the leg ${record.legId} wrote (its sha256 differs from the record's)`);
        entry.sbom = file;
      }
      if (settings.provenance) {
        const leg = options.legs.find((l) => l.id === record.legId);
        if (!leg) throw new Error(`the plan has no leg ${record.legId}`);
        const predicate = legProvenance({
          spec,
          leg,
          record,
          inputDigest: chain.inputDigests?.find((d) => d.legId === record.legId),
          builder: chain.builder,
          tools: chain.tools,
          ...(chain.repository ? { repository: chain.repository } : {}),
          ...(chain.invocationId ? { invocationId: chain.invocationId } : {}),
        });
        entry.provenance = writePredicate(chain.outDir, provenanceFileName(legRecordName(record.legId)), predicate);
      }
      platforms.push(entry);
    }
    if (!signer) return outcome;
    const attached = await attestImage(signer, merge.repository, platforms);
    const attestations = { ...attached, verifyCommands: attestationCommands(signer, merge.repository, attached) };
    const made = attestations.platforms.flatMap((p) => [p.sbom, p.provenance]).filter((s) => s === 'attested').length;
    log(
      made
        ? `attested ${made} statement(s) (SBOM, provenance) on ${platforms.length} platform manifest(s) in ${attestations.durationMs} ms`
        : 'already attested with this key: no second statement',
    );
    return { ...outcome, attestations };
  } catch (error) {
    return {
      ...outcome,
      status: 'failed',
      error: `published at ${listed(outcome.tags)} (${outcome.digest}), but attesting failed: ${reasonOf(error)}`,
    };
  }
}

/**
 * The attestations a re-tagged unchanged image already carries: it is not built, so the merge
 * attaches nothing to it, and an image an earlier run published without an SBOM or provenance
 * attestation keeps lacking one. Each platform manifest is read as `hephy-builder verify` reads
 * it (pipeline/attest.ts findAttestations); what its settings want and it lacks is said in one
 * line, in the log and in the summary (ImageOutcome.notes). Never a failure: the image is what
 * the earlier run published.
 */
async function unchangedAttestations(
  unchanged: UnchangedImage,
  repository: string,
  outcome: ImageOutcome,
  signer: ImageSigner,
  options: MergeOptions,
): Promise<ImageOutcome> {
  const settings = unchanged.supplyChain;
  if (!settings || (!settings.sbom && !settings.provenance)) return outcome;
  const found = await findAttestations(signer, repository, unchanged.platforms, settings);
  const note = missingAttestationsNote(found.platforms, settings, unchanged.platforms.length);
  if (note) options.log?.(`[${unchanged.image}] ${note}`);
  const attested = found.platforms.filter((p) => p.sbom || p.provenance);
  return {
    ...outcome,
    ...(attested.length ? { attestations: { ...found, verifyCommands: attestationCommands(signer, repository, found) } } : {}),
    ...(note ? { notes: [...(outcome.notes ?? []), note] } : {}),
  };
}

/**
 * The merge publishes the plan's tags: bare ones are composed with the merge's registry settings,
 * which must then be the plan's (a per-image tag under a single-repo repository would lack its
 * `{image}-` prefix). @throws UserError naming both settings.
 */
export function checkPlanPublish(planned: Pick<PlanPublish, 'mode' | 'registry' | 'prefix'>, publish: PublishOptions): void {
  if (planned.mode !== publish.mode)
    throw new UserError(
      `the plan decided ${planned.mode} tags, and this merge publishes ${publish.mode}: plan and merge with the same tag mode`,
    );
}

/**
 * Re-tags an image whose inputs are published (selection by digest, core/digestSelection.ts): the
 * plan's tags for this run (core/tagPolicy.ts, checked as a built image's) move to a carbon copy of
 * the index a default-branch run published over the same inputs (imagetools create with one index
 * source copies it as it is, buildx docs), so the image keeps its index digest; a WebAssembly
 * artifact's tags move to the artifact itself. Per-arch tags, when asked for, to each platform's
 * manifest. Every tag is read back as for a built image (pushAndVerify).
 */
export async function retagUnchanged(
  unchanged: UnchangedImage,
  options: MergeOptions,
  tools: NonNullable<MergeOptions['imagetools']>,
): Promise<ImageOutcome> {
  const log = (line: string) => options.log?.(`[${unchanged.image}] ${line}`);
  const scoped: MergeOptions = { ...options, log };
  const repository = repositoryFor(unchanged.image, options.publish);
  const platforms = unchanged.platforms.map((p) => p.platform);
  const outcome = (status: ImageOutcome['status'], extra: Partial<ImageOutcome> = {}): ImageOutcome => ({
    image: unchanged.image,
    status,
    tags: [],
    platforms,
    failedLegs: [],
    records: [],
    unchanged: true,
    ...extra,
  });
  const { references, error } = publishedReferences(unchanged.tags, repository);
  if (error) return outcome('failed', { error });
  const artifact = platforms.every(isWasm);
  const digest = artifact ? unchanged.platforms[0]?.digest : unchanged.index;
  if (!digest || (artifact && unchanged.platforms.length !== 1))
    return outcome('failed', { error: 'the plan lists it as unchanged without its published index or artifact; no tag moved' });
  if (references.length === 0) {
    log('unchanged, and no tag for this image in this run: nothing moved');
    return outcome('published', { digest });
  }
  const what = artifact ? 'artifact' : 'index';
  const already = await alreadyAt(references, digest, options.reader);
  const toMove = references.filter((reference) => !already.includes(reference));
  if (already.length) log(`${listed(already)} already at the published ${what} ${digest}: not pushed again`);
  let pushed: { moved: string[]; error?: string } = { moved: [] };
  if (toMove.length) {
    log(`unchanged: re-tagging ${listed(toMove)} to the published ${what} ${digest}`);
    pushed = await pushAndVerify(
      `the ${what === 'index' ? 'index' : 'wasm artifact'}`,
      toMove,
      [`${repository}@${digest}`],
      digest,
      !artifact,
      scoped,
      tools,
    );
  }
  pushed = { ...pushed, moved: [...already, ...pushed.moved] };
  if (pushed.error) return outcome('failed', { tags: pushed.moved, digest, error: pushed.error });
  const perArchTags: string[] = [];
  if (options.publish.perArchTags && !artifact) {
    for (const reference of references) {
      for (const platform of unchanged.platforms) {
        const tag = perArchTag(reference, platform.platform);
        if ((await alreadyAt([tag], platform.digest, options.reader)).length) {
          perArchTags.push(tag);
          continue;
        }
        const copy = await pushAndVerify(
          `the per-arch tag ${tag}`,
          [tag],
          [`${repository}@${platform.digest}`],
          platform.digest,
          false,
          scoped,
          tools,
        );
        perArchTags.push(...copy.moved);
        if (copy.error)
          return outcome('failed', {
            tags: [...pushed.moved, ...perArchTags],
            digest,
            error: `the index is published at ${listed(pushed.moved)} (${digest}), but ${copy.error}`,
          });
      }
    }
  }
  log(`${listed(pushed.moved)} -> ${digest} (not rebuilt)`);
  return outcome('published', { tags: [...pushed.moved, ...perArchTags], digest });
}

/**
 * Whether the merge's signer signs an image: its settings say `key` or `keyless` (ImageSpec and
 * UnchangedImage `supplyChain`: `sign: false` in its build-config.yaml, or a run that decided
 * not to sign, leaves it unsigned). Where the caller passed no settings at all (`known` false: a
 * plan written before them), the key given to the merge is what was asked: signed.
 */
export function signsImage(settings: Pick<SupplyChainSettings, 'sign'> | undefined, known: boolean): boolean {
  if (!known) return true;
  return settings !== undefined && settings.sign !== 'none';
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
  let noted = false;
  const outcomes = await mapLimited(plans, options.concurrency ?? 4, async (merge): Promise<ImageOutcome> => {
    if (merge.status === 'failed') {
      const why = merge.failedLegs.length ? `${merge.failedLegs.length} leg(s) failed` : (merge.error ?? 'unknown');
      options.log?.(`[${merge.image}] not published: ${why}; no tag moved`);
      return outcomeOf(merge, 'failed', { failedLegs: merge.failedLegs, ...(merge.error ? { error: merge.error } : {}) });
    }
    if (!push) {
      options.log?.(`[${merge.image}] built for ${listed(merge.platforms)}, not pushed`);
      return outcomeOf(merge, 'built');
    }
    try {
      const published = await publishImage(merge, options, tools);
      // The platform manifests (a source may be an index around one: BuildKit's attestations).
      const manifests = merge.records.filter((r) => r.status === 'success' && r.digest).map((r) => r.digest!);
      const spec = options.supplyChain?.specs.find((s) => s.image === merge.image);
      // An attestation is a signed statement: an image its settings keep unsigned gets neither.
      const signer = options.signer && signsImage(spec?.supplyChain, options.supplyChain !== undefined) ? options.signer : undefined;
      const signed =
        signer && published.status === 'published'
          ? await signPublished({ image: merge.image, repository: merge.repository, manifests }, published, signer, options)
          : published;
      if (signed.status !== 'published' || !options.supplyChain || !spec?.supplyChain) return signed;
      if (!spec.supplyChain.sbom && !spec.supplyChain.provenance) return signed;
      if (!options.signer && !noted) {
        noted = true;
        options.log?.(notAttestedNote(options.supplyChain.outDir));
      } else if (options.signer && !signer) {
        options.log?.(
          `[${merge.image}] not signed (its settings say sign: none): its SBOM and provenance stay beside the leg records, not attached`,
        );
      }
      return await attestPublished(merge, signed, spec, options.supplyChain, signer, options);
    } catch (error) {
      // publishImage handles every tool failure; this is the safety net that keeps other images going.
      return outcomeOf(merge, 'failed', { error: reasonOf(error) });
    }
  });
  // An unchanged image is signed as a built one, when its settings say so: a signing run leaves
  // no such image unsigned (an index published by an earlier run without a key gets its signature
  // now; one already signed with this key is not signed twice).
  const retagged = push
    ? await mapLimited(options.unchanged ?? [], options.concurrency ?? 4, async (u) => {
        const published = await retagUnchanged(u, options, tools);
        if (!options.signer || published.status !== 'published' || !published.digest) return published;
        if (!signsImage(u.supplyChain, u.supplyChain !== undefined)) return published;
        const repository = repositoryFor(u.image, options.publish);
        const manifests =
          u.platforms.length === 1 && u.platforms[0].digest === published.digest ? [published.digest] : u.platforms.map((p) => p.digest);
        const signed = await signPublished({ image: u.image, repository, manifests }, published, options.signer, options);
        return signed.status === 'published' ? unchangedAttestations(u, repository, signed, options.signer, options) : signed;
      })
    : [];
  return { outcomes: [...outcomes, ...retagged], mergeMs: Date.now() - started, startedAt: new Date(started).toISOString() };
}

export interface LegRecordsRead {
  records: LegRecord[];
  /** The directory each record was read from, by leg id: its SBOM is beside it. */
  dirs: Map<string, string>;
  /** One line per file that could not be read as a leg record; those files are skipped. */
  problems: string[];
}

/** Every leg record under dir, recursively (artifacts download into one subdirectory each). */
export function readLegRecords(dir: string): LegRecordsRead {
  let files: string[];
  try {
    // Only regular files: the artifact download writes them; a symlink is nothing we wrote.
    files = walkFiles(dir, { include: (name) => name.endsWith('.json') && !isAttachmentFile(name) })
      .filter((file) => !file.symlink)
      .map((file) => file.path);
  } catch (error) {
    return { records: [], dirs: new Map(), problems: [`cannot read leg records from ${dir}: ${messageOf(error)}`] };
  }
  const records: LegRecord[] = [];
  const dirs = new Map<string, string>();
  const problems: string[] = [];
  for (const name of files) {
    try {
      const record = parseLegRecord(readFileSync(join(dir, name), 'utf8'), name);
      records.push(record);
      dirs.set(record.legId, dirname(join(dir, name)));
    } catch (error) {
      problems.push(`skipped ${messageOf(error)}`);
    }
  }
  return { records, dirs, problems };
}

/** True when any image failed: the caller's exit code. */
export function anyFailed(report: RunReport): boolean {
  return report.outcomes.some((o) => o.status === 'failed');
}
