// One matrix leg from a checkout: re-resolve its image from the repository (a build job receives
// only the leg), then build it. Trouble before the backend runs — a config that changed, a
// missing tool — still ends as a leg record, so the merge can say why.
import { resolve } from 'node:path';
import { backendFor } from '../backends/index.js';
import type { BackendOptions } from '../core/backendTraits.js';
import { failedLegRecord, skippedLegRecord } from '../core/legRecord.js';
import type { ImageNeed, ImageSpec, Leg, LegRecord } from '../core/model.js';
import type { SupplyChainSettings } from '../core/supplyChain.js';
import { manifestCompressedSize } from '../tools/imagetools.js';
import { buildLeg, type LegEnvironment } from './buildLeg.js';
import { resolvePlannedImage } from './planRepository.js';
import { messageOf } from '../core/problem.js';
import { needBuildArg, neededImagesFor, needSource, type BuiltLeg, type NeededImage } from '../core/imageGraph.js';

export interface PlannedLegOptions extends Omit<LegEnvironment, 'root'> {
  /** Repository root as given (relative to cwd). */
  root: string;
  cwd: string;
  /**
   * Runs before the backend, e.g. to install its tools on a runner (and syft when the image's
   * settings ask for an SBOM it makes); may resolve to the backend options to build with instead
   * (the Kaniko executor image it built).
   */
  prepare?: (leg: Leg, spec: ImageSpec) => Promise<BackendOptions | void>;
  /** The image's supply-chain settings as the plan decided them (over those resolved again here). */
  supplyChain?: SupplyChainSettings;
  /**
   * The legs of the earlier waves (their records, and the published platforms of unchanged
   * images), read only when the leg's image has needs (issue 14), given those needs and the
   * leg's platform (whose OCI layouts, if built without pushing, to fetch). Absent: such a leg is
   * skipped.
   */
  earlierLegs?: (needs: readonly ImageNeed[], platform: string) => Promise<BuiltLeg[]>;
}

export async function buildPlannedLeg(leg: Leg, options: PlannedLegOptions): Promise<LegRecord> {
  const started = new Date();
  try {
    const planned = await resolvePlannedImage(options.root, leg.dir, leg.image, { cwd: options.cwd });
    // The upstream commit the plan resolved travels with the leg: build that one, not the ref's newest.
    const resolved =
      planned.source.kind === 'upstream' && leg.upstreamCommit
        ? { ...planned, source: { ...planned.source, commit: leg.upstreamCommit } }
        : planned;
    const spec = options.supplyChain ? { ...resolved, supplyChain: options.supplyChain } : resolved;
    let needs: NeededImage[] = [];
    if (spec.needs?.length) {
      const needed = options.earlierLegs
        ? neededImagesFor(spec.needs, leg.platform, await options.earlierLegs(spec.needs, leg.platform), leg.backend)
        : { skip: 'the records of the earlier waves are not available here' };
      if ('skip' in needed) return skippedLegRecord(leg, needed.skip, started);
      needs = needed.needs;
      for (const need of needs) options.log(`on ${needSource(need)} (${needBuildArg(need.name)})`);
    }
    const backendOptions = (await options.prepare?.(leg, spec)) ?? options.backendOptions;
    return await buildLeg(
      leg,
      spec,
      { ...options, backendOptions, root: resolve(options.cwd, options.root), ...(needs.length ? { needs } : {}) },
      {
        backendFor,
        compressedSize: (ref, env) => manifestCompressedSize(ref, env),
      },
    );
  } catch (error) {
    const ms = Date.now() - started.getTime();
    return failedLegRecord(leg, `setup failed: ${messageOf(error)}`, started, { setup: ms, build: 0, push: 0, total: ms });
  }
}
