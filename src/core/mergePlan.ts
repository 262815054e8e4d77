// Decides, per image, whether it can be published and how: only when every planned leg has a
// successful record with a digest that was pushed. An image with a failed or missing leg moves no
// tag, while the other images still publish. With push off nothing is published: an image whose
// legs all succeeded is `ready` (built), whether or not its legs know a digest.
import type { ImageSpec, Leg, LegRecord } from './model.js';
import { inputRecordRef } from './digestSelection.js';
import { indexInputAnnotations } from './inputDigest.js';
import { indexTags, perArchTag, repositoryFor, type PublishOptions } from './tags.js';

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
  /** Index annotations: each platform's input digest on its entry. */
  annotations: string[];
  /** Bookkeeping records to write once the index is published: [record reference, repository@digest]. */
  inputRecords: Array<{ ref: string; source: string }>;
  status: 'ready' | 'failed';
  failedLegs: LegProblem[];
}

export function planMerge(
  images: Pick<ImageSpec, 'image' | 'additionalTags'>[],
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
        sources.push(source);
        if (leg.inputDigest) inputRecords.push({ ref: inputRecordRef(spec.image, leg.inputDigest, opts), source });
        if (opts.perArchTags) perArch.push({ tag: `${repository}:${perArchTag(spec.image, leg.platform, opts)}`, source });
      }
    }
    if (imageLegs.length === 0) failedLegs.push({ legId: '-', platform: '-', reason: 'the plan has no legs for this image' });
    return {
      image: spec.image,
      repository,
      platforms: imageLegs.map((leg) => leg.platform),
      tags: indexTags(spec.image, spec.additionalTags, opts).map((tag) => `${repository}:${tag}`),
      sources,
      perArch,
      records: imageRecords,
      annotations: indexInputAnnotations(imageLegs),
      inputRecords,
      status: failedLegs.length ? 'failed' : 'ready',
      failedLegs,
    };
  });
}
