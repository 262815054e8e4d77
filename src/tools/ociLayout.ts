// Reading an OCI image layout on disk (what ko and Kaniko write before we push it): index.json
// lists what the layout holds, blobs/<algorithm>/<hex> holds each blob (OCI image-layout.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressedSize, isImageManifestType, type ManifestDocument } from '../core/oci.js';

/**
 * The digest of the one image manifest in the layout; `writer` (the tool that wrote it) names the
 * culprit when the layout holds anything else, e.g. an index because the base image matched
 * several platforms.
 */
export function layoutImageDigest(layoutDir: string, writer: string): string {
  const index = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as ManifestDocument;
  const manifests = index.manifests ?? [];
  if (manifests.length !== 1) {
    throw new Error(`${writer} wrote ${manifests.length} entries into ${layoutDir}, expected exactly one image`);
  }
  const [entry] = manifests;
  if (!entry.digest || !isImageManifestType(entry.mediaType)) {
    throw new Error(
      `${writer} wrote a ${entry.mediaType ?? 'descriptor without media type'} into ${layoutDir}, expected one platform's image manifest`,
    );
  }
  return entry.digest;
}

/**
 * Compressed size of the image manifest `digest` in the layout: its config plus its layers, the
 * same sum the registry would give for the pushed copy (the push preserves the digest, so the
 * bytes are the same). Undefined when the layout does not hold that manifest.
 */
export function layoutManifestSize(layoutDir: string, digest: string): number | undefined {
  const [algorithm, hex] = digest.split(':');
  let manifest: ManifestDocument;
  try {
    manifest = JSON.parse(readFileSync(join(layoutDir, 'blobs', algorithm, hex), 'utf8')) as ManifestDocument;
  } catch {
    return undefined;
  }
  return compressedSize(manifest);
}
