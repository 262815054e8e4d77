// Selection by input digest (issue 10): a leg whose input digest a default-branch run already
// published (its bookkeeping tag `in-<digest>` exists) needs no build. An image is left out of
// the build only when every one of its platforms is published, and (unless it is one WebAssembly
// artifact) the index that run made over them too: the merge then copies that index under this
// run's tags (pipeline/merge.ts retagUnchanged) instead of building, so the image keeps its index
// digest. An image with one platform missing builds every platform, so its index is always made
// from one run's legs.
import { createHash } from 'node:crypto';
import type { ImageSpec, Plan, UnchangedImage } from './model.js';
import { canonicalJson, inputDigestTag } from './inputDigest.js';
import { isWasm } from './platform.js';
import { repositoryFor, type PublishOptions } from './tags.js';

type RecordRepository = Pick<PublishOptions, 'registry' | 'prefix' | 'mode'>;

/**
 * The full reference of a bookkeeping record: `REPO:in-<hex>` (single-repo mode, where all images
 * share a repository: `REPO:<image>-in-<hex>`). 67 characters (+ the image name): within the 128
 * an OCI tag may have.
 */
export function inputRecordRef(image: string, inputDigest: string, opts: RecordRepository): string {
  const tag = inputDigestTag(inputDigest);
  return `${repositoryFor(image, opts)}:${opts.mode === 'single-repo' ? `${image}-${tag}` : tag}`;
}

/**
 * The input digest of a whole image: SHA-256 over its platforms' input digests (sorted by
 * platform), so it changes when any platform's inputs do. Its record points at the index the merge
 * made over those platforms. `undefined` when a platform has no input digest.
 */
export function imageInputDigest(platforms: readonly { platform: string; inputDigest?: string }[]): string | undefined {
  if (platforms.length === 0 || platforms.some((p) => !p.inputDigest)) return undefined;
  const pairs = platforms.map((p) => [p.platform, p.inputDigest]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  return `sha256:${createHash('sha256')
    .update(canonicalJson({ index: pairs }), 'utf8')
    .digest('hex')}`;
}

/** Whether an image is one WebAssembly artifact (no index around it: its tags point at the artifact). */
export function isArtifactImage(platforms: readonly string[]): boolean {
  return platforms.length > 0 && platforms.every(isWasm);
}

/** What the registry holds for a plan: manifest digests by leg id, index digests by image. */
export interface PublishedRecords {
  legs: ReadonlyMap<string, string>;
  indexes: ReadonlyMap<string, string>;
}

/**
 * The plan less the images whose every leg is published (and, but for an artifact, whose index
 * is), which move to `unchanged` with the manifest digest of each platform and the index digest.
 */
export function splitByPublished(plan: Plan, published: PublishedRecords): Plan {
  const unchanged: UnchangedImage[] = [...(plan.unchanged ?? [])];
  const images: ImageSpec[] = [];
  for (const spec of plan.images) {
    const legs = plan.matrix.include.filter((leg) => leg.image === spec.image);
    const allLegs = legs.length > 0 && legs.every((leg) => leg.inputDigest && published.legs.has(leg.id));
    const artifact = isArtifactImage(legs.map((leg) => leg.platform));
    const index = published.indexes.get(spec.image);
    if (!allLegs || (!artifact && !index)) {
      images.push(spec);
      continue;
    }
    unchanged.push({
      image: spec.image,
      dir: spec.dir,
      tags: spec.tags,
      ...(artifact ? {} : { index }),
      platforms: legs.map((leg) => ({ platform: leg.platform, digest: published.legs.get(leg.id)!, inputDigest: leg.inputDigest! })),
      ...(spec.supplyChain ? { supplyChain: spec.supplyChain } : {}),
    });
  }
  const building = new Set(images.map((spec) => spec.image));
  return { ...plan, images, matrix: { include: plan.matrix.include.filter((leg) => building.has(leg.image)) }, unchanged };
}
