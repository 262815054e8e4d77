// Selection by input digest (issue 10): a leg whose input digest a default-branch run already
// published (its bookkeeping tag `in-<digest>` exists) needs no build. An image is left out of
// the build only when every one of its platforms is published: the merge then re-tags the
// published manifests (pipeline/merge.ts retagUnchanged) instead of building. An image with one
// platform missing builds every platform, so its index is always made from one run's legs.
import type { ImageSpec, Plan, UnchangedImage } from './model.js';
import { inputDigestTag } from './inputDigest.js';
import { repositoryFor, type PublishOptions } from './tags.js';

/**
 * The full reference of a leg's bookkeeping record: `REPO:in-<hex>` (single-repo mode, where all
 * images share a repository: `REPO:<image>-in-<hex>`). It points at the platform manifest built
 * from those inputs. 67 characters (+ the image name): within the 128 an OCI tag may have.
 */
export function inputRecordRef(image: string, inputDigest: string, opts: Pick<PublishOptions, 'registry' | 'prefix' | 'mode'>): string {
  const tag = inputDigestTag(inputDigest);
  return `${repositoryFor(image, opts)}:${opts.mode === 'single-repo' ? `${image}-${tag}` : tag}`;
}

/**
 * The plan less the images whose every leg is published, which move to `unchanged` with the
 * manifest digest of each platform. `published` maps a leg id to the manifest digest found at its
 * record (absent: not published, or the leg has no input digest).
 */
export function splitByPublished(plan: Plan, published: ReadonlyMap<string, string>): Plan {
  const unchanged: UnchangedImage[] = [...(plan.unchanged ?? [])];
  const images: ImageSpec[] = [];
  for (const spec of plan.images) {
    const legs = plan.matrix.include.filter((leg) => leg.image === spec.image);
    const all = legs.length > 0 && legs.every((leg) => leg.inputDigest && published.has(leg.id));
    if (!all) {
      images.push(spec);
      continue;
    }
    unchanged.push({
      image: spec.image,
      dir: spec.dir,
      additionalTags: spec.additionalTags,
      platforms: legs.map((leg) => ({ platform: leg.platform, digest: published.get(leg.id)!, inputDigest: leg.inputDigest! })),
    });
  }
  const building = new Set(images.map((spec) => spec.image));
  return { ...plan, images, matrix: { include: plan.matrix.include.filter((leg) => building.has(leg.image)) }, unchanged };
}
