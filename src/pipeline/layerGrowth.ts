// "What grew": for each leg whose image grew past the size threshold, read its platform manifest
// and config and those of its newest default-branch record from the registry, and diff their
// layers (src/core/report/layers.ts). Only grown legs are read: one manifest and one config per
// side, through `docker buildx imagetools`, which the merge already uses with the same login.
import type { LegComparison } from '../core/report/compare.js';
import { labelLayers, layerChanges, type LegGrowth } from '../core/report/layers.js';
import { messageOf } from '../core/problem.js';
import { samePlatform } from '../core/platform.js';
import { isIndex, type ManifestDocument } from '../core/oci.js';
import { defaultImagetools, type Imagetools } from '../tools/imagetools.js';
import { mapLimited } from './mapLimited.js';

/** Legs read at most, largest growth first: the summary shows no more. */
export const GROWTH_LEGS_READ = 20;
/** Layer changes kept per leg. */
const CHANGES_KEPT = 10;

export interface LayerGrowthOptions {
  env?: NodeJS.ProcessEnv;
  secrets?: string[];
  builder?: string;
  log?: (line: string) => void;
  imagetools?: Pick<Imagetools, 'inspectRaw' | 'imageConfig'>;
}

/** The platform manifest at a leg's reference (a leg may have pushed an index with attestations). */
async function platformManifest(
  ref: string,
  platform: string,
  tools: NonNullable<LayerGrowthOptions['imagetools']>,
  options: LayerGrowthOptions,
): Promise<{ ref: string; manifest: ManifestDocument }> {
  const env = options.env ?? process.env;
  const inspect = { secrets: options.secrets, builder: options.builder };
  const raw = await tools.inspectRaw(ref, env, inspect);
  if (!isIndex(raw)) return { ref, manifest: raw };
  const entry = (raw.manifests ?? []).find((d) => {
    const p = d.platform;
    return p !== undefined && samePlatform([p.os, p.architecture, p.variant].filter(Boolean).join('/'), platform);
  });
  if (!entry) throw new Error(`${ref} has no ${platform} manifest`);
  const platformRef = `${ref.split('@')[0]}@${entry.digest}`;
  return { ref: platformRef, manifest: await tools.inspectRaw(platformRef, env, inspect) };
}

async function layersAt(ref: string, platform: string, tools: NonNullable<LayerGrowthOptions['imagetools']>, options: LayerGrowthOptions) {
  const { ref: platformRef, manifest } = await platformManifest(ref, platform, tools, options);
  const config = await tools.imageConfig(platformRef, options.env ?? process.env, { secrets: options.secrets, builder: options.builder });
  const layers = (manifest.layers ?? []).map((l) => ({ digest: l.digest, size: l.size }));
  return labelLayers({ layers }, config);
}

/** The layer changes of each grown leg; a leg whose layers cannot be read gets an error instead. */
export async function readLayerGrowth(comparisons: LegComparison[], options: LayerGrowthOptions = {}): Promise<LegGrowth[]> {
  const tools = options.imagetools ?? defaultImagetools;
  const grown = comparisons
    .filter((c) => c.size.verdict === 'bigger')
    .sort((a, b) => (b.size.deltaBytes ?? 0) - (a.size.deltaBytes ?? 0))
    .slice(0, GROWTH_LEGS_READ);
  return mapLimited(grown, 4, async (c): Promise<LegGrowth> => {
    const r = c.record;
    const newest = c.samples[0];
    const after = r.repository && r.digest ? `${r.repository}@${r.digest}` : '';
    const before = newest?.repository && newest.digest ? `${newest.repository}@${newest.digest}` : '';
    const growth: LegGrowth = { legId: r.legId, image: r.image, platform: r.platform, before, after, changes: [] };
    if (!after || !before) return { ...growth, error: 'no repository@digest recorded for one of the two builds' };
    try {
      const [old, now] = await Promise.all([layersAt(before, r.platform, tools, options), layersAt(after, r.platform, tools, options)]);
      const changes = layerChanges(old, now).slice(0, CHANGES_KEPT);
      options.log?.(`[${r.legId}] grew: ${changes.length} layer change(s) against ${before}`);
      return { ...growth, changes };
    } catch (error) {
      options.log?.(`[${r.legId}] could not compare layers: ${messageOf(error)}`);
      return { ...growth, error: messageOf(error) };
    }
  });
}
