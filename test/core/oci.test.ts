import {
  compressedSize,
  digestOf,
  indexPlatforms,
  isDigest,
  isImageManifestType,
  MEDIA_TYPES,
  type ManifestDocument,
} from '../../src/core/oci.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('isDigest', () => {
  it('is sha256: and 64 lower-case hex digits, nothing around them', () => {
    expect(isDigest(A)).toBe(true);
    expect(isDigest(A.toUpperCase())).toBe(false);
    expect(isDigest(`${A}\n`)).toBe(false);
    expect(isDigest(`x${A}`)).toBe(false);
    expect(isDigest(A.slice(0, -1))).toBe(false);
    expect(isDigest(undefined)).toBe(false);
  });
});

describe('isImageManifestType', () => {
  it('accepts the OCI and Docker image manifests, not an index or a manifest list', () => {
    expect(isImageManifestType(MEDIA_TYPES.ociManifest)).toBe(true);
    expect(isImageManifestType(MEDIA_TYPES.dockerManifest)).toBe(true);
    expect(isImageManifestType(MEDIA_TYPES.ociIndex)).toBe(false);
    expect(isImageManifestType(MEDIA_TYPES.dockerManifestList)).toBe(false);
    expect(isImageManifestType(undefined)).toBe(false);
  });
});

describe('compressedSize', () => {
  it('sums the config and the layers', () => {
    expect(
      compressedSize({
        config: { digest: A, size: 100 },
        layers: [
          { digest: B, size: 1000 },
          { digest: B, size: 24 },
        ],
      }),
    ).toBe(1124);
  });
  it('is undefined for an index or a blob without a size', () => {
    expect(compressedSize({ manifests: [] })).toBeUndefined();
    expect(compressedSize({ config: { digest: A, size: 1 }, layers: [{ digest: B } as never] })).toBeUndefined();
  });
});

describe('indexPlatforms', () => {
  it('lists os/arch[/variant] of each image and skips attestation manifests', () => {
    const raw: ManifestDocument = {
      manifests: [
        { digest: A, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        { digest: B, size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { digest: B, size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        {
          digest: A,
          size: 1,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
        },
        { digest: A, size: 1, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
      ],
    };
    expect(indexPlatforms(raw)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
  });

  it('is empty for a single-platform manifest', () => {
    expect(indexPlatforms({ config: { digest: A, size: 1 }, layers: [] })).toEqual([]);
  });
});

describe('digestOf', () => {
  it('is the sha256 of the exact bytes', () => {
    expect(digestOf('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(digestOf('{}')).not.toBe(digestOf('{ }'));
  });
});
