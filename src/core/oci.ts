// OCI image facts that every layer shares: the digest form, the media types of an image manifest,
// and the shapes of the documents registries and image layouts hold. Sources: the OCI image spec
// v1.1 (descriptor.md, manifest.md, image-index.md, image-layout.md) and Docker's image manifest
// v2 schema 2, which registries and ko still serve.
import { createHash } from 'node:crypto';

/** A sha256 digest as registries and tools print it: `sha256:` and 64 lower-case hex digits. */
export const DIGEST_PATTERN = 'sha256:[a-f0-9]{64}';
/** A whole string that is a digest. */
export const DIGEST = new RegExp(`^${DIGEST_PATTERN}$`);

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/**
 * True for an image reference that names its content, `NAME@sha256:<64 hex>` (a tag may come
 * before the digest; the digest wins): what a tag alone does not, since a tag can be moved.
 */
export function isPinnedByDigest(reference: string): boolean {
  const at = reference.lastIndexOf('@');
  return at > 0 && isDigest(reference.slice(at + 1));
}

/** The sha256 digest of a manifest's exact bytes: what a registry addresses it by. */
export function digestOf(rawManifest: string): string {
  return `sha256:${createHash('sha256').update(rawManifest, 'utf8').digest('hex')}`;
}

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** Is this the media type of one platform's image manifest (OCI or Docker), not an index or list? */
export function isImageManifestType(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest;
}

export interface OciPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  /** Bytes of the blob or manifest it points at. */
  size: number;
  platform?: OciPlatform;
  annotations?: Record<string, string>;
}

/**
 * An image index or a platform manifest as a registry, a tool or a layout's index.json gave it:
 * parsed JSON, not checked against the spec, so every field may be missing.
 */
export interface ManifestDocument {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
  [key: string]: unknown;
}

export function isIndex(raw: ManifestDocument): boolean {
  return Array.isArray(raw.manifests);
}

function isAttestation(descriptor: Descriptor): boolean {
  const platform = descriptor.platform;
  return (
    descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (platform?.os === 'unknown' && platform?.architecture === 'unknown')
  );
}

/** os/arch[/variant] of each image in an index, skipping attestation manifests; [] for a single manifest. */
export function indexPlatforms(raw: ManifestDocument): string[] {
  return (raw.manifests ?? [])
    .filter((d) => d.platform && !isAttestation(d))
    .map((d) => [d.platform!.os, d.platform!.architecture, d.platform!.variant].filter(Boolean).join('/'));
}

/**
 * Bytes a pull of this platform manifest downloads: its config plus its layers, as the
 * descriptors state them. Undefined when it is not an image manifest or a blob has no size.
 */
export function compressedSize(raw: ManifestDocument): number | undefined {
  if (!raw.config || !Array.isArray(raw.layers)) return undefined;
  const blobs = [raw.config, ...raw.layers];
  if (blobs.some((blob) => !blob || typeof blob.size !== 'number' || blob.size < 0)) return undefined;
  return blobs.reduce((sum, blob) => sum + blob.size, 0);
}
