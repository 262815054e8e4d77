import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { layoutManifestSize } from '../../src/tools/ociLayout.js';
import { tempDir } from '../helpers/gitRepo.js';

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
