// Reading an OCI image layout on disk (what ko and Kaniko write before we push it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Descriptor {
  size?: number;
}

/**
 * Compressed size of the image manifest `digest` in the layout: its config plus its layers, the
 * same sum the registry would give for the pushed copy (the push preserves the digest, so the
 * bytes are the same). Undefined when the layout does not hold that manifest.
 */
export function layoutManifestSize(layoutDir: string, digest: string): number | undefined {
  const [algorithm, hex] = digest.split(':');
  let manifest: { config?: Descriptor; layers?: Descriptor[] };
  try {
    manifest = JSON.parse(readFileSync(join(layoutDir, 'blobs', algorithm, hex), 'utf8'));
  } catch {
    return undefined;
  }
  if (!manifest.config || !Array.isArray(manifest.layers)) return undefined;
  return [manifest.config, ...manifest.layers].reduce((sum, d) => sum + (d.size ?? 0), 0);
}
