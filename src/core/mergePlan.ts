// Decides, per image, whether it can be published and how: only when every planned leg has a
// successful record with a digest that was pushed. An image with a failed or missing leg moves no
// tag, while the other images still publish. With push off nothing is published: an image whose
// legs all succeeded is `ready` (built), whether or not its legs know a digest.
// The tags are the plan's (decided at plan time, core/tagPolicy.ts): bare tags are put under the
// merge's repository, full references must name it. Every reference, per-arch variants included,
// is checked against the OCI grammar here too, so an image moves no tag unless all are valid.
import type { ImageSpec, Leg, LegRecord } from './model.js';
import { imageInputDigest, inputRecordRef, isArtifactImage } from './digestSelection.js';
import { INPUT_DIGEST_ANNOTATION, indexInputAnnotations } from './inputDigest.js';
import { referenceProblem } from './reference.js';
import { sharedAnnotations } from './imageMetadata.js';
import { perArchTag, repositoryFor, type PublishOptions } from './tags.js';

export interface LegProblem {
  legId: string;
  platform: string;
  reason: string;
}

export interface ImageMerge {
  image: string;
  repository: string;
  platforms: string[];
  /** Full references to create, e.g. 127.0.0.1:5000/images:app-20261125. */
  tags: string[];
  /** repository@digest of each platform manifest, in plan order. */
  sources: string[];
  /** Per-arch tags to point at single manifests: [reference, source]. */
  perArch: Array<{ tag: string; source: string }>;
  records: LegRecord[];
  /**
   * Annotations of the index: those every leg's record says it put on its platform manifest, with
   * the same value (a leg record without annotations, from an older build, makes none).
   */
  annotations: Record<string, string>;
  /** Annotations of each platform's entry in the index, by platform: its input digest. */
  entryAnnotations: Record<string, Record<string, string>>;
  /**
   * Bookkeeping records (`in-<input digest>`) to write once the index is published, if the plan
   * says this run may (PlanPublish.recordInputs): [record reference, repository@digest].
   */
  inputRecords: Array<{ ref: string; source: string }>;
  /** The record of the whole image (core/digestSelection.ts imageInputDigest), to point at the published index. */
  indexRecord?: string;
  status: 'ready' | 'failed';
  failedLegs: LegProblem[];
  /** Why the image cannot be published although its legs may have succeeded (a bad or foreign tag). */
  error?: string;
}

/**
 * The plan's tags of an image as full references under `repository`: a bare tag is appended, a
 * full reference (the plan was given a registry) must already name `repository`.
 * @returns the references, or why they cannot be published (nothing may move then).
 */
export function publishedReferences(tags: string[], repository: string): { references: string[]; error?: string } {
  const references: string[] = [];
  for (const tag of tags) {
    const reference = tag.includes('/') ? tag : `${repository}:${tag}`;
    if (!reference.startsWith(`${repository}:`)) {
      return {
        references: [],
        error: `the plan tagged it as ${tag}, but this merge publishes to ${repository}: plan with the same registry, image prefix and tag mode as the merge; no tag moved`,
      };
    }
    const problem = referenceProblem(reference);
    if (problem) return { references: [], error: `${problem}; no tag moved` };
    references.push(reference);
  }
  return { references };
}

/**
 * The annotations every leg put on its manifest alike, less the input digest: it is per platform,
 * on the platform's entry (entryAnnotations), even when an image has one platform.
 */
function indexAnnotations(records: readonly LegRecord[]): Record<string, string> {
  const { [INPUT_DIGEST_ANNOTATION]: _perPlatform, ...shared } = sharedAnnotations(records.map((record) => record.annotations));
  return shared;
}

export function planMerge(
  images: Pick<ImageSpec, 'image' | 'tags'>[],
  legs: Leg[],
  records: LegRecord[],
  opts: PublishOptions,
  /** False: plan no publishing; legs built without pushing count as successful. */
  push = true,
): ImageMerge[] {
  const recordByLeg = new Map<string, LegRecord>();
  for (const record of records) {
    // A re-run leg can leave two records: the later one wins.
    const previous = recordByLeg.get(record.legId);
    if (!previous || previous.finishedAt <= record.finishedAt) recordByLeg.set(record.legId, record);
  }
  return images.map((spec) => {
    const imageLegs = legs.filter((leg) => leg.image === spec.image);
    const repository = repositoryFor(spec.image, opts);
    const { references, error: tagError } = publishedReferences(spec.tags, repository);
    const failedLegs: LegProblem[] = [];
    const sources: string[] = [];
    const perArch: ImageMerge['perArch'] = [];
    const imageRecords: LegRecord[] = [];
    const inputRecords: ImageMerge['inputRecords'] = [];
    for (const leg of imageLegs) {
      const record = recordByLeg.get(leg.id);
      if (record) imageRecords.push(record);
      if (!record) {
        failedLegs.push({ legId: leg.id, platform: leg.platform, reason: 'no leg record: the leg did not run or did not finish' });
      } else if (record.status !== 'success') {
        failedLegs.push({ legId: leg.id, platform: leg.platform, reason: record.error || 'the leg failed without a message' });
      } else if (push && record.pushed === false) {
        // Its digest is in no registry: an index over it would fail, or worse, find a stale one.
        failedLegs.push({
          legId: leg.id,
          platform: leg.platform,
          reason: 'the leg was built with push disabled: nothing of it is in the registry to publish',
        });
      } else if (push && !record.digest) {
        failedLegs.push({ legId: leg.id, platform: leg.platform, reason: record.error || 'the leg succeeded but recorded no digest' });
      } else if (!record.digest) {
        // Push off and a tool that knows the digest only by pushing (spin): built, nothing to name.
      } else {
        const source = `${record.repository ?? repository}@${record.digest}`;
        // An index the leg pushed (image + BuildKit's attestation manifest): the merge keeps it whole.
        sources.push(record.index ? `${record.repository ?? repository}@${record.index}` : source);
        if (leg.inputDigest) inputRecords.push({ ref: inputRecordRef(spec.image, leg.inputDigest, opts), source });
        if (opts.perArchTags) for (const reference of references) perArch.push({ tag: perArchTag(reference, leg.platform), source });
      }
    }
    const perArchProblem = perArch.map((p) => referenceProblem(p.tag)).find(Boolean);
    const error = tagError ?? (perArchProblem ? `${perArchProblem} (a per-arch tag); no tag moved` : undefined);
    const imageDigest = isArtifactImage(imageLegs.map((leg) => leg.platform)) ? undefined : imageInputDigest(imageLegs);
    if (imageLegs.length === 0) failedLegs.push({ legId: '-', platform: '-', reason: 'the plan has no legs for this image' });
    return {
      image: spec.image,
      repository,
      platforms: imageLegs.map((leg) => leg.platform),
      tags: references,
      sources,
      perArch,
      records: imageRecords,
      annotations: indexAnnotations(imageRecords),
      entryAnnotations: indexInputAnnotations(imageLegs),
      inputRecords,
      ...(imageDigest ? { indexRecord: inputRecordRef(spec.image, imageDigest, opts) } : {}),
      status: failedLegs.length || (push && error) ? 'failed' : 'ready',
      failedLegs,
      ...(push && error ? { error } : {}),
    };
  });
}
