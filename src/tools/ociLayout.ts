// Reading an OCI image layout on disk (what ko and Kaniko write before we push it): index.json
// lists what the layout holds, blobs/<algorithm>/<hex> holds each blob (OCI image-layout.md).
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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

/**
 * The OCI layout a leg kept under `root` as `name` (its record's `layout`), when it is there and
 * holds the image manifest `digest`: a real directory (not a symlink) right under root, with an
 * index.json and that manifest's blob. Undefined otherwise: a record's word is not trusted.
 */
export function keptLayout(root: string, name: string | undefined, digest: string | undefined): string | undefined {
  if (!name || !digest || name !== basename(name) || name.startsWith('.')) return undefined;
  const dir = join(root, name);
  const [algorithm, hex] = digest.split(':');
  try {
    if (!lstatSync(dir).isDirectory()) return undefined;
    if (!lstatSync(join(dir, 'index.json')).isFile()) return undefined;
    if (!lstatSync(join(dir, 'blobs', algorithm, hex)).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return dir;
}

/** Bytes of the regular files under dir (symlinks not followed, not counted). */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

/** Every regular file under dir, as absolute paths (what an artifact upload takes). */
export function directoryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return directoryFiles(path);
    return entry.isFile() ? [path] : [];
  });
}
