import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutImageDigest, layoutManifestSize } from '../../src/tools/ociLayout.js';
import { tempDir } from '../helpers/gitRepo.js';

function layout(manifests: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hephy-layout-'));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  return dir;
}

describe('layoutImageDigest', () => {
  const digest = `sha256:${'b'.repeat(64)}`;

  it('is the digest of the one image manifest (OCI or Docker media type)', () => {
    expect(layoutImageDigest(layout([{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 }]), 'ko')).toBe(digest);
    expect(layoutImageDigest(layout([{ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest, size: 1 }]), 'ko')).toBe(
      digest,
    );
  });

  it('refuses an index or a manifest list (several platforms) and several entries, naming the writer', () => {
    for (const mediaType of ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']) {
      expect(() => layoutImageDigest(layout([{ mediaType, digest, size: 1 }]), 'ko')).toThrow(`ko wrote a ${mediaType} into`);
    }
    const m = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 };
    expect(() => layoutImageDigest(layout([m, m]), 'ko')).toThrow('ko wrote 2 entries');
  });

  it('reports a missing layout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-layout-'));
    mkdirSync(join(dir, 'x'));
    expect(() => layoutImageDigest(join(dir, 'x'), 'ko')).toThrow(/index\.json/);
  });
});

describe('layoutManifestSize', () => {
  it('sums the config and the layers of the manifest in the layout', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    const manifest = { schemaVersion: 2, config: { size: 100 }, layers: [{ size: 1000 }, { size: 24 }] };
    writeFileSync(join(dir, 'blobs', 'sha256', 'a'.repeat(64)), JSON.stringify(manifest));
    expect(layoutManifestSize(dir, `sha256:${'a'.repeat(64)}`)).toBe(1124);
  });
  it('is undefined when the layout lacks the manifest or it is not an image manifest', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'sha256', 'b'.repeat(64)), JSON.stringify({ manifests: [] }));
    expect(layoutManifestSize(dir, `sha256:${'b'.repeat(64)}`)).toBeUndefined();
    expect(layoutManifestSize(dir, `sha256:${'c'.repeat(64)}`)).toBeUndefined();
  });
});
