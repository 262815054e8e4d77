// Images built on images of the same repository (issue 14): each image's `needs` resolved to
// image names, and the build ordered in waves: an image without needs is in wave 1, an image in
// wave N+1 when its deepest need is in wave N. Like Skaffold's `requires` (artifacts built before
// the ones that require them, skaffold.dev/docs/design/config) and Docker Bake's `contexts` with
// `target:` (the named context is built first, docs.docker.com/build/bake/contexts), the
// dependencies are declared, never guessed from a FROM line.
import type { Problem } from './problem.js';
import type { ImageNeed, UnchangedImage } from './model.js';
import { repositoryFor, type PublishOptions } from './tags.js';
import { traitsOf, type BackendName } from './backendTraits.js';

/**
 * The most waves a plan has: the reusable workflow runs one build job per wave and has this many
 * (GitHub jobs cannot be generated at run time), so a deeper chain is a plan error.
 */
export const MAX_WAVES = 3;

/** One need as the config writes it. */
export interface WrittenNeed {
  /** As written in `needs`; NAME of the build arg `NAME_IMAGE` and of the named context. */
  name: string;
  /** Where it is written (file, line, column, key path). */
  at: Pick<Problem, 'file' | 'line' | 'column' | 'path'>;
}

export interface GraphImage {
  /** The published image name. */
  image: string;
  /** `images[].name` of its file, when the file lists images. */
  entryName?: string;
  /** The config file it comes from (the same file's entry names are looked up first). */
  file: string;
  needs: readonly WrittenNeed[];
  /** The platforms it is built for: each leg builds on its need's leg of the same platform. */
  platforms?: readonly string[];
}

export type { ImageNeed };

export interface ImageGraph {
  /** Per image, its needs resolved (only images with needs). */
  needs: Map<string, ImageNeed[]>;
  /** Per image, its wave, 1-based; images in a cycle, with an unknown need or too deep are absent. */
  waves: Map<string, number>;
  /** Per image, the problems of its needs (errors: the image cannot be planned). */
  problems: Map<string, Problem[]>;
}

/**
 * Resolves every image's needs (an `images[].name` of the same file first, then an image name of
 * the repository) and orders the images in waves.
 */
export function orderImages(images: readonly GraphImage[], unreadable: readonly string[] = []): ImageGraph {
  const byImage = new Map(images.map((node) => [node.image, node]));
  const byEntry = new Map<string, string>();
  for (const node of images) if (node.entryName !== undefined) byEntry.set(`${node.file}\0${node.entryName}`, node.image);
  const needs = new Map<string, ImageNeed[]>();
  const problems = new Map<string, Problem[]>();
  const report = (image: string, need: WrittenNeed, message: string, hint?: string) => {
    const list = problems.get(image) ?? [];
    list.push({ ...need.at, message, ...(hint ? { hint } : {}), severity: 'error' });
    problems.set(image, list);
  };

  for (const node of images) {
    const resolved: ImageNeed[] = [];
    const seen = new Set<string>();
    for (const need of node.needs) {
      const image = byEntry.get(`${node.file}\0${need.name}`) ?? (byImage.has(need.name) ? need.name : undefined);
      if (image === undefined) {
        report(
          node.image,
          need,
          `needs \`${need.name}\`, which is no image of this repository`,
          unreadable.length > 0
            ? `it may be an image of ${unreadable.join(', ')}, which cannot be read: fix that first`
            : 'name an images[].name of this file or an image name (hephy-builder plan lists them)',
        );
        continue;
      }
      if (image === node.image) {
        report(node.image, need, `image ${node.image} needs itself`, 'remove it from needs');
        continue;
      }
      if (seen.has(image)) {
        report(node.image, need, `\`${need.name}\` is needed twice (image ${image})`, 'remove one of them');
        continue;
      }
      seen.add(image);
      // A leg builds on its need's leg of the same platform (no merge between waves): the need
      // must be built for every platform of this image, or that leg could only be skipped.
      const missing = node.platforms?.filter((p) => !byImage.get(image)?.platforms?.includes(p)) ?? [];
      if (byImage.get(image)?.platforms && missing.length > 0) {
        report(
          node.image,
          need,
          `needs ${image}, which is not built for ${missing.join(', ')}: each platform of ${node.image} builds on ${image}'s image of the same platform`,
          `add ${missing.join(', ')} to ${image}'s platforms, or remove ${missing.length > 1 ? 'them' : 'it'} from this image's`,
        );
        continue;
      }
      resolved.push({ name: need.name, image });
    }
    if (resolved.length > 0) needs.set(node.image, resolved);
  }

  // Depth-first, with the path kept to name a cycle's images in order.
  const waves = new Map<string, number>();
  const state = new Map<string, 'visiting' | 'done'>();
  const failed = new Set<string>();
  const visit = (image: string, path: string[]): number | undefined => {
    if (state.get(image) === 'done') return failed.has(image) ? undefined : waves.get(image);
    if (state.get(image) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(image)), image];
      for (const member of cycle.slice(0, -1)) {
        if (failed.has(member)) continue;
        failed.add(member);
        const next = cycle[cycle.indexOf(member) + 1];
        const need = byImage.get(member)?.needs.find((n) => needs.get(member)?.some((r) => r.name === n.name && r.image === next));
        if (need)
          report(member, need, `a cycle of needs: ${cycle.join(' -> ')}`, 'an image cannot be built on itself; remove one of these needs');
      }
      return undefined;
    }
    state.set(image, 'visiting');
    let wave: number | undefined = 1;
    for (const need of needs.get(image) ?? []) {
      const base = visit(need.image, [...path, image]);
      if (base === undefined) {
        if (!failed.has(image)) {
          failed.add(image);
          const written = byImage.get(image)!.needs.find((n) => n.name === need.name)!;
          if (!problems.get(image)?.length) report(image, written, `needs ${need.image}, which cannot be planned`);
        }
        wave = undefined;
      } else if (wave !== undefined) {
        wave = Math.max(wave, base + 1);
      }
    }
    if ((problems.get(image)?.length ?? 0) > 0) wave = undefined;
    state.set(image, 'done');
    if (wave === undefined) {
      failed.add(image);
      return undefined;
    }
    if (wave > MAX_WAVES) {
      failed.add(image);
      const deepest = needs.get(image)!.find((need) => waves.get(need.image) === wave! - 1)!;
      const written = byImage.get(image)!.needs.find((n) => n.name === deepest.name)!;
      report(
        image,
        written,
        `image ${image} would build in wave ${wave} (${chain(image, needs, waves).join(' -> ')}); hephy-builder builds at most ${MAX_WAVES} waves`,
        `flatten the chain: build on an image ${MAX_WAVES - 1} needs deep at most`,
      );
      return undefined;
    }
    waves.set(image, wave);
    return wave;
  };
  for (const node of images) visit(node.image, []);
  return { needs, waves, problems };
}

/** The deepest chain of needs under an image, base first. */
function chain(image: string, needs: Map<string, ImageNeed[]>, waves: Map<string, number>): string[] {
  const out = [image];
  let here = image;
  for (let i = 0; i < 16; i++) {
    const next = (needs.get(here) ?? []).reduce<ImageNeed | undefined>(
      (best, need) => ((waves.get(need.image) ?? 0) > (best ? (waves.get(best.image) ?? 0) : 0) ? need : best),
      undefined,
    );
    if (!next) break;
    out.unshift(next.image);
    here = next.image;
  }
  return out;
}

/** Every image built on one of `selected`, directly or through others (the images that must rebuild with them). */
export function dependantsOf(selected: Iterable<string>, needs: Map<string, ImageNeed[]>): Set<string> {
  const out = new Set(selected);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [image, list] of needs) {
      if (!out.has(image) && list.some((need) => out.has(need.image))) {
        out.add(image);
        grew = true;
      }
    }
  }
  return out;
}

/** Every image `selected` is built on, directly or through others (they build in the same run, earlier). */
export function basesOf(selected: Iterable<string>, needs: Map<string, ImageNeed[]>): Set<string> {
  const out = new Set(selected);
  const stack = [...out];
  while (stack.length > 0) {
    for (const need of needs.get(stack.pop()!) ?? []) {
      if (!out.has(need.image)) {
        out.add(need.image);
        stack.push(need.image);
      }
    }
  }
  return out;
}

/** The build arg (and named context's key) a need arrives in: NAME upper-cased, other than A-Z0-9 as `_`, then `_IMAGE`. */
export function needBuildArg(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_IMAGE`;
}

/**
 * A need as a leg receives it: its name as written and the platform image, `repository@sha256:...`
 * (pushed by the earlier wave, or, with `layout`, only built: the name it would have had).
 */
export interface NeededImage {
  name: string;
  ref: string;
  /**
   * Absolute path of an OCI image layout that holds the image `ref`'s digest names: the need was
   * built without pushing (push off: fork pull requests, dry runs), and arrives as this layout,
   * which BuildKit and ko build on (layoutNeedProblem). Absent: the image is in the registry.
   */
  layout?: string;
}

/** Where a need comes from, for the log: its ref, or the OCI layout holding its digest. */
export function needSource(need: NeededImage): string {
  return need.layout ? `the OCI layout ${need.layout} (${needDigest(need)}, built without pushing)` : need.ref;
}

/** The `sha256:...` a need's ref ends in. */
export function needDigest(need: Pick<NeededImage, 'ref'>): string {
  return need.ref.slice(need.ref.lastIndexOf('@') + 1);
}

/**
 * The `NAME_IMAGE=value` build args of a leg's needs (usable in `FROM ${NAME_IMAGE}`): the pushed
 * `ref`, or, for a need that arrives as an OCI layout, NAME itself: the key of its named build
 * context, which a `FROM` naming it reads. BuildKit matches a FROM to a named context by the
 * normalized familiar name on both sides (moby/buildkit v0.32.2 frontend/dockerui/config.go
 * NamedContext; docker/buildx v0.36.1 util/buildflags/context.go ParseContextNames), and a need's
 * NAME is already a lowercase image name (core/config/schema.ts), so `FROM ${BASE_IMAGE}` with
 * BASE_IMAGE=base hits the context `base`.
 */
export function needBuildArgs(needs: readonly NeededImage[] | undefined): string[] {
  return (needs ?? []).map((need) => `${needBuildArg(need.name)}=${need.layout ? need.name : need.ref}`);
}

/**
 * Why a backend cannot build on a need that arrives as an OCI layout (its `layoutBase` trait);
 * undefined when it can.
 * BuildKit takes a base image from a layout on disk (`--build-context NAME=oci-layout://PATH@DIGEST`,
 * moby/buildkit v0.32.2 frontend/dockerui/namedcontext.go, case "oci-layout"). ko v0.19.1 takes
 * its base from a Docker daemon (`ko.local`) or a registry, through its cache of base images, an
 * OCI layout under KOCACHE keyed by digest (pkg/commands/config.go getBaseImage,
 * pkg/commands/cache.go): backends/ko.ts seedKoBaseCache hands it the layout that way. The Kaniko
 * executor (v1.25.5) takes it from an earlier stage, from its cache of tarballs the warmer
 * wrote, or from a registry (pkg/image/image_util.go RetrieveSourceImage): never from a layout.
 */
export function layoutNeedProblem(backend: BackendName): string | undefined {
  const { layoutBase } = traitsOf(backend);
  return layoutBase === true ? undefined : layoutBase;
}

/** What a leg record says of a built leg, as far as its dependants care. */
export interface BuiltLeg {
  image: string;
  platform: string;
  status: 'success' | 'failure';
  repository?: string;
  digest?: string;
  pushed?: boolean;
  /**
   * Absolute path of the OCI layout a leg built without pushing kept of its image (its record's
   * `layout`, found by the reader of the record in the run's own directories). Absent: none.
   */
  layout?: string;
}

/**
 * Each need of an image for one platform, from the records of the earlier waves: the digest its
 * leg for the same platform pushed (no merge between waves), or, when that leg was built without
 * pushing, the OCI layout it kept, if the dependant's `backend` can build on a layout. `skip`
 * says why the leg cannot be built: a need's leg failed, has no record, or pushed nothing and
 * left nothing this backend can build on.
 */
export function neededImagesFor(
  needs: readonly ImageNeed[] | undefined,
  platform: string,
  records: readonly BuiltLeg[],
  backend?: BackendName,
): { needs: NeededImage[] } | { skip: string } {
  const out: NeededImage[] = [];
  for (const need of needs ?? []) {
    const record = records.find((r) => r.image === need.image && r.platform === platform);
    if (!record) return { skip: `its need ${need.image} has no leg for ${platform}` };
    if (record.status !== 'success') return { skip: `its need ${need.image} failed for ${platform}` };
    if (!record.repository || !record.digest) return { skip: `its need ${need.image} reported no image for ${platform}` };
    const ref = `${record.repository}@${record.digest}`;
    if (record.pushed !== false) {
      out.push({ name: need.name, ref });
      continue;
    }
    const unpushed = `its need ${need.image} was built without pushing for ${platform}`;
    const problem = backend === undefined ? 'the backend is not known here' : layoutNeedProblem(backend);
    if (problem) return { skip: `${unpushed}, and ${problem}` };
    if (!record.layout) return { skip: `${unpushed} and kept no OCI layout of it, so there is no image to build on` };
    out.push({ name: need.name, ref, layout: record.layout });
  }
  return { needs: out };
}

/**
 * The images some other image of the plan is built on (`needs`): with push off their legs keep
 * an OCI layout of what they built, for the next wave.
 */
export function imagesWithDependants(specs: readonly { needs?: readonly ImageNeed[] }[]): Set<string> {
  return new Set(specs.flatMap((spec) => (spec.needs ?? []).map((need) => need.image)));
}

/**
 * The platforms of images selected but not built (their inputs are already published, issue 10)
 * as built legs: a dependant built in this run builds on those published digests.
 */
export function unchangedLegs(
  unchanged: readonly Pick<UnchangedImage, 'image' | 'platforms'>[] | undefined,
  publish: Pick<PublishOptions, 'registry' | 'prefix' | 'mode'>,
): BuiltLeg[] {
  return (unchanged ?? []).flatMap((image) =>
    image.platforms.map((p) => ({
      image: image.image,
      platform: p.platform,
      status: 'success' as const,
      repository: repositoryFor(image.image, publish),
      digest: p.digest,
    })),
  );
}
