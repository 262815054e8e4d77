import { firstBytes, scanLayoutImage } from '../../src/tools/imageScan.js';
import { AARCH64, X86_64, elfBytes, writeLayout, type Compression } from '../helpers/ociLayouts.js';

const script = '#!/bin/sh\necho hello\n';

describe('scanLayoutImage', () => {
  it.each<Compression>(['gzip', 'zstd', 'none'])('reads %s layers and names the foreign file', async (compression) => {
    const layout = await writeLayout(
      [
        [
          { name: 'bin/', type: 'directory' },
          { name: 'bin/busybox', content: elfBytes(AARCH64) },
        ],
        [
          { name: 'usr/local/bin/tool', content: elfBytes(X86_64) },
          { name: 'entrypoint.sh', content: script },
        ],
      ],
      { compression },
    );
    const scan = await scanLayoutImage(layout.dir, layout.digest, 'linux/arm64');
    expect(scan.foreign).toEqual([{ path: '/usr/local/bin/tool', label: 'x86-64' }]);
    expect(scan.inspected).toBe(2);
  });

  it('passes the real executable running this test on its own architecture', async () => {
    const node = firstBytes(process.execPath, 4096);
    const layout = await writeLayout([[{ name: 'usr/bin/node', content: node }]]);
    const host = process.arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';
    const other = process.arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
    expect((await scanLayoutImage(layout.dir, layout.digest, host)).foreign).toEqual([]);
    expect((await scanLayoutImage(layout.dir, layout.digest, other)).foreign).toHaveLength(1);
  });

  it('skips what upper layers deleted (whiteout), hid (opaque dir) or replaced (file or non-directory)', async () => {
    const foreign = elfBytes(X86_64);
    const layout = await writeLayout([
      [
        { name: 'opt/old', content: foreign },
        { name: 'cache/x', content: foreign },
        { name: 'app/tool', content: foreign },
        { name: 'lib/dir/y', content: foreign },
        { name: 'kept/z', content: foreign },
      ],
      [
        { name: 'opt/.wh.old' },
        { name: 'cache/.wh..wh..opq' },
        { name: 'app/tool', content: elfBytes(AARCH64) },
        { name: 'lib/dir', type: 'symlink', linkname: '/elsewhere' },
      ],
    ]);
    const scan = await scanLayoutImage(layout.dir, layout.digest, 'linux/arm64');
    expect(scan.foreign).toEqual([{ path: '/kept/z', label: 'x86-64' }]);
  });

  it('does not let an opaque marker hide files of its own layer, nor a directory replace what lies below it', async () => {
    const layout = await writeLayout([
      [{ name: 'srv/below', content: elfBytes(X86_64) }],
      [{ name: 'srv', type: 'directory' }, { name: 'data/.wh..wh..opq' }, { name: 'data/same-layer', content: elfBytes(X86_64) }],
    ]);
    const scan = await scanLayoutImage(layout.dir, layout.digest, 'linux/arm64');
    expect(scan.foreign.map((f) => f.path).sort()).toEqual(['/data/same-layer', '/srv/below']);
  });

  it('stops reading once it can name five files and say there are more', async () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ name: `bin/f${i}`, content: elfBytes(X86_64) }));
    const layout = await writeLayout([[{ name: 'bin/base', content: elfBytes(X86_64) }], many]);
    const scan = await scanLayoutImage(layout.dir, layout.digest, 'linux/arm64');
    expect(scan.foreign).toHaveLength(5);
    expect(scan.more).toBe(true);
    // The top layer had enough: the base layer was never opened.
    expect(scan.layersRead).toBe(1);
  });

  it('skips layers known clean, reports the clean ones it read, and rereads everything before blaming a lower layer', async () => {
    const layout = await writeLayout([
      [{ name: 'bin/tool', content: elfBytes(X86_64) }],
      [{ name: 'bin/tool', content: elfBytes(AARCH64) }],
      [{ name: 'app/run.sh', content: script }],
    ]);
    const [bottom, middle, top] = layout.layers;
    const first = await scanLayoutImage(layout.dir, layout.digest, 'linux/arm64');
    expect(first.foreign).toEqual([]);
    // The bottom layer's foreign file is hidden, not clean: it must not be remembered as clean.
    expect(first.cleanLayers).toEqual([top, middle]);

    const warm = await scanLayoutImage(layout.dir, layout.digest, 'linux/arm64', { knownClean: new Set([top, middle]) });
    // Reading the bottom alone would blame bin/tool, which the skipped middle layer replaced.
    expect(warm.foreign).toEqual([]);
    expect(warm.layersRead).toBe(3);

    const allClean = await scanLayoutImage(layout.dir, layout.digest, 'linux/arm64', { knownClean: new Set([top, middle, bottom]) });
    expect(allClean.layersRead).toBe(0);
  });

  it('fails on a layout that lacks the manifest or a layer', async () => {
    const layout = await writeLayout([[{ name: 'a', content: script }]]);
    await expect(scanLayoutImage(layout.dir, `sha256:${'0'.repeat(64)}`, 'linux/amd64')).rejects.toThrow(/ENOENT/);
  });
});

describe('scanLayoutImage config', () => {
  it("returns the platform fields of the image's config blob", async () => {
    const layout = await writeLayout([[{ name: 'a', content: script }]], { platform: 'linux/arm64' });
    const scan = await scanLayoutImage(layout.dir, layout.digest, 'linux/amd64');
    expect(scan.config).toEqual({ os: 'linux', architecture: 'arm64', variant: undefined });
  });
});
