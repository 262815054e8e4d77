// What grew: the layers of a platform image next to those of its newest default-branch record,
// each labelled with the step that made it, read from the image config's history.
//
// The config's `history` has one entry per build step; entries with `empty_layer: true` made no
// layer (CMD, ENV, ...), the others map in order onto the manifest's layers (OCI image spec,
// config.md, "history"). A base image built without history leaves fewer entries than layers:
// then the entries belong to the last layers (steps are appended on top of the base), and the
// first, unlabelled ones are base layers.

/** The parts of an OCI image manifest read here. */
export interface ManifestLayers {
  layers?: { digest: string; size: number }[];
}

/** The parts of an OCI image config read here. */
export interface ConfigHistory {
  history?: { created_by?: string; comment?: string; author?: string; empty_layer?: boolean }[];
}

export interface LayerInfo {
  digest: string;
  /** Compressed bytes, as in the manifest. */
  size: number;
  /** The step that made it, e.g. `RUN apt-get install -y curl` or `ko: go build output, at /ko-app/api`. */
  step: string;
}

export interface LayerChange {
  /** added: no layer of the same step before; grown (or shrunk): the same step made a different layer. */
  kind: 'added' | 'changed' | 'removed';
  step: string;
  /** The new layer (the old one for removed). */
  digest: string;
  size: number;
  previousSize?: number;
  /** Bytes this change adds to the image (negative: removes). */
  deltaBytes: number;
}

const MAX_STEP_CHARS = 120;
const BASE_LAYER = '(base image layer, no history)';

/** A history entry as one readable line: BuildKit's shell prefix and marker go, ko says what the layer holds. */
export function stepLabel(entry: { created_by?: string; comment?: string; author?: string }): string {
  let step = (entry.created_by ?? '').trim();
  if (entry.author === 'ko' || step.startsWith('ko build ')) {
    // ko: created_by is the same for every layer it adds; the comment says which one it is.
    step = entry.comment ? `ko: ${entry.comment}` : step;
  } else {
    step = step
      .replace(/ # buildkit$/, '')
      .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
      .replace(/^(RUN )?\/bin\/sh -c /, 'RUN ');
  }
  step = step.replace(/\s+/g, ' ');
  if (!step) return BASE_LAYER;
  return step.length > MAX_STEP_CHARS ? `${step.slice(0, MAX_STEP_CHARS - 1)}…` : step;
}

/** The manifest's layers, each with the step of the config's history that made it. */
export function labelLayers(manifest: ManifestLayers, config: ConfigHistory): LayerInfo[] {
  const layers = manifest.layers ?? [];
  const steps = (config.history ?? []).filter((h) => !h.empty_layer).map(stepLabel);
  // Align from the top: the newest steps made the newest layers.
  const offset = layers.length - steps.length;
  return layers.map((layer, i) => ({ digest: layer.digest, size: layer.size, step: i - offset >= 0 ? steps[i - offset] : BASE_LAYER }));
}

/**
 * The layers that differ between two builds of one platform image, largest growth first.
 * A layer whose digest is in both is unchanged. A new layer made by the same step as a layer
 * that went away is that layer changed (grown or shrunk); otherwise it is added. Layers that
 * went away with no successor are removed (negative growth), so the changes add up to the
 * difference in layer bytes.
 */
export function layerChanges(before: LayerInfo[], after: LayerInfo[]): LayerChange[] {
  const beforeDigests = new Set(before.map((l) => l.digest));
  const afterDigests = new Set(after.map((l) => l.digest));
  const gone = before.filter((l) => !afterDigests.has(l.digest));
  const changes: LayerChange[] = [];
  for (const layer of after.filter((l) => !beforeDigests.has(l.digest))) {
    const twin = gone.findIndex((g) => g.step === layer.step);
    if (twin >= 0) {
      const [previous] = gone.splice(twin, 1);
      changes.push({
        kind: 'changed',
        step: layer.step,
        digest: layer.digest,
        size: layer.size,
        previousSize: previous.size,
        deltaBytes: layer.size - previous.size,
      });
    } else {
      changes.push({ kind: 'added', step: layer.step, digest: layer.digest, size: layer.size, deltaBytes: layer.size });
    }
  }
  for (const layer of gone)
    changes.push({ kind: 'removed', step: layer.step, digest: layer.digest, size: layer.size, deltaBytes: -layer.size });
  return changes.sort((a, b) => b.deltaBytes - a.deltaBytes);
}

/** What grew in one leg's image, for the summary: the largest layer changes, or why they are unknown. */
export interface LegGrowth {
  legId: string;
  image: string;
  platform: string;
  /** repository@digest of the two platform manifests compared. */
  before: string;
  after: string;
  /** Largest growth first; only the first few are kept. */
  changes: LayerChange[];
  /** Set when the layers could not be read (the reference image was deleted, no access, ...). */
  error?: string;
}
