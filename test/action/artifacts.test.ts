// The OCI layouts a leg built without pushing hands to the next wave (issue 14), with
// @actions/artifact stood in for (GitHub's artifact service cannot exist here; act.test.ts runs
// the real client against act's artifact server). What matters: the artifact's name (unique per
// run and leg, never read as a leg record), what it holds, the size cap, and that the next wave
// fetches only its needs' layouts for its platform and trusts a layout only where it belongs.
import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { LegRecord } from '../../src/core/model.js';

interface Uploaded {
  name: string;
  files: string[];
  root: string;
  retentionDays?: number;
  compressionLevel?: number;
}
const uploads: Uploaded[] = [];
const downloads: { id: number; path: string }[] = [];
/** What the stood-in service holds: artifact name -> files (relative path -> content). */
const service = new Map<string, { id: number; files: Record<string, string> }>();

jest.unstable_mockModule('@actions/artifact', () => ({
  default: {
    uploadArtifact: async (
      name: string,
      files: string[],
      root: string,
      options?: { retentionDays?: number; compressionLevel?: number },
    ) => {
      uploads.push({
        name,
        files: files.map((f) => relative(root, f)).sort(),
        root,
        retentionDays: options?.retentionDays,
        ...(options?.compressionLevel !== undefined ? { compressionLevel: options.compressionLevel } : {}),
      });
      return { id: uploads.length, size: 0 };
    },
    getArtifact: async (name: string) => {
      const found = service.get(name);
      if (!found) throw new Error(`Artifact not found for name: ${name}`);
      return { artifact: { id: found.id, name } };
    },
    downloadArtifact: async (id: number, options: { path: string }) => {
      downloads.push({ id, path: options.path });
      const [, artifact] = [...service.entries()].find(([, a]) => a.id === id)!;
      for (const [file, content] of Object.entries(artifact.files)) {
        mkdirSync(join(options.path, file, '..'), { recursive: true });
        writeFileSync(join(options.path, file), content);
      }
      return { downloadPath: options.path };
    },
    listArtifacts: async () => ({ artifacts: [] }),
  },
}));

const { uploadLayout, uploadLegOutputs, withNeededLayouts, LAYOUT_ARTIFACT_MAX_BYTES } = await import('../../src/action/artifacts.js');
const { layoutName, legRecordName } = await import('../../src/core/legRecord.js');

/** A minimal OCI layout (image-layout.md): oci-layout, index.json and the manifest's blob; its digest. */
function layoutFiles(): { files: Record<string, string>; digest: string } {
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] });
  const hex = createHash('sha256').update(manifest).digest('hex');
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex}`, size: manifest.length }],
  });
  return {
    digest: `sha256:${hex}`,
    files: { 'oci-layout': '{"imageLayoutVersion":"1.0.0"}', 'index.json': index, [`blobs/sha256/${hex}`]: manifest },
  };
}

function writeLayout(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
}

function record(extra: Partial<LegRecord> = {}): LegRecord {
  return {
    schema: 1,
    legId: 'base--linux-amd64',
    image: 'base',
    dir: 'base',
    platform: 'linux/amd64',
    backend: 'buildkit',
    runner: 'ubuntu-latest',
    repository: 'ghcr.io/o/base',
    pushed: false,
    durationsMs: { setup: 0, build: 0, push: 0, total: 0 },
    status: 'success',
    startedAt: '2026-12-01T00:00:00Z',
    finishedAt: '2026-12-01T00:01:00Z',
    ...extra,
  };
}

describe('OCI layouts between waves, with the artifact service stood in', () => {
  beforeEach(() => {
    uploads.length = 0;
    downloads.length = 0;
    service.clear();
  });

  it('uploads the kept layout as one artifact per run and leg, for one day, never named like a leg record', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hephy-layouts-'));
    const { files, digest } = layoutFiles();
    const name = layoutName('base--linux-amd64', 'ci1');
    writeLayout(join(root, name), files);
    const got = await uploadLayout(record({ digest, layout: name }), root, 'ci1');
    expect(got).toMatchObject({ uploaded: true, name: 'hephy-ci1-layout-base--linux-amd64' });
    expect(uploads).toEqual([
      {
        name,
        root,
        retentionDays: 1,
        // Layers are gzip'd already (the @actions/artifact docs advise 0 for such files).
        compressionLevel: 0,
        files: Object.keys(files)
          .map((f) => `${name}/${f}`)
          .sort(),
      },
    ]);
    // The merge and the next wave list leg records by this prefix: a layout is never one.
    expect(name.startsWith(legRecordName('', 'ci1'))).toBe(false);
    expect(layoutName('base--linux-amd64').startsWith(legRecordName(''))).toBe(false);
  });

  it('does not upload a layout over the cap, and says why', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hephy-layouts-'));
    const { files, digest } = layoutFiles();
    writeLayout(join(root, 'hephy-layout-base--linux-amd64'), files);
    const got = await uploadLayout(record({ digest, layout: 'hephy-layout-base--linux-amd64' }), root, '', 100);
    expect(got).toMatchObject({ uploaded: false });
    expect('reason' in got && got.reason).toMatch(/^its OCI layout is 0\.0 MiB, over the 0\.0 MiB an artifact for the next wave may have/);
    expect(uploads).toEqual([]);
    expect(LAYOUT_ARTIFACT_MAX_BYTES).toBe(1024 ** 3);
  });

  it('uploads nothing when the layout is absent, lacks the digest, is a symlink or its name leaves the directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hephy-layouts-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'hephy-elsewhere-'));
    const { files, digest } = layoutFiles();
    writeLayout(elsewhere, files);
    symlinkSync(elsewhere, join(root, 'linked'));
    writeLayout(join(root, 'ok'), files);
    for (const layout of [undefined, 'missing', 'linked', '../' + elsewhere.split('/').pop(), '.']) {
      expect(await uploadLayout(record({ digest, layout }), root)).toMatchObject({ uploaded: false });
    }
    expect(await uploadLayout(record({ digest: `sha256:${'0'.repeat(64)}`, layout: 'ok' }), root)).toMatchObject({ uploaded: false });
    expect(uploads).toEqual([]);
  });

  it("downloads only the layouts of the leg's needs for its platform, each into its own artifact's directory", async () => {
    const { files, digest } = layoutFiles();
    const base = record({ digest, layout: layoutName('base--linux-amd64', 's') });
    const baseArm = record({ legId: 'base--linux-arm64', platform: 'linux/arm64', digest, layout: layoutName('base--linux-arm64', 's') });
    const other = record({ legId: 'other--linux-amd64', image: 'other', digest, layout: layoutName('other--linux-amd64', 's') });
    const pushed = record({ legId: 'tools--linux-amd64', image: 'tools', digest, pushed: true });
    service.set(layoutName('base--linux-amd64', 's'), {
      id: 1,
      files: Object.fromEntries(Object.entries(files).map(([f, c]) => [`${layoutName('base--linux-amd64', 's')}/${f}`, c])),
    });
    service.set(layoutName('base--linux-arm64', 's'), { id: 2, files: {} });
    service.set(layoutName('other--linux-amd64', 's'), { id: 3, files: {} });
    const dir = mkdtempSync(join(tmpdir(), 'hephy-earlier-'));
    const needs = [
      { name: 'base', image: 'base' },
      { name: 'tools', image: 'tools' },
    ];
    const built = await withNeededLayouts([base, baseArm, other, pushed], needs, 'linux/amd64', dir, 's');
    expect(downloads).toEqual([{ id: 1, path: join(dir, 'hephy-s-layout-base--linux-amd64') }]);
    expect(built.map((b) => [b.image, b.platform, b.layout])).toEqual([
      ['base', 'linux/amd64', join(dir, 'hephy-s-layout-base--linux-amd64', 'hephy-s-layout-base--linux-amd64')],
      ['base', 'linux/arm64', undefined],
      ['other', 'linux/amd64', undefined],
      ['tools', 'linux/amd64', undefined],
    ]);
  });

  it('leaves the layout out when its artifact is missing or does not hold the digest: the dependant is then skipped', async () => {
    const { files, digest } = layoutFiles();
    const name = layoutName('base--linux-amd64');
    const dir = mkdtempSync(join(tmpdir(), 'hephy-earlier-'));
    const needs = [{ name: 'base', image: 'base' }];
    expect((await withNeededLayouts([record({ digest, layout: name })], needs, 'linux/amd64', dir))[0].layout).toBeUndefined();
    // The artifact holds a layout, but of another image than the record's digest.
    service.set(name, { id: 9, files: Object.fromEntries(Object.entries(files).map(([f, c]) => [`${name}/${f}`, c])) });
    const wrong = record({ digest: `sha256:${'1'.repeat(64)}`, layout: name });
    expect((await withNeededLayouts([wrong], needs, 'linux/amd64', dir))[0].layout).toBeUndefined();
  });
});

describe("a build job's outputs, with the artifact service stood in", () => {
  beforeEach(() => {
    uploads.length = 0;
  });
  const log = () => {
    const lines: string[] = [];
    return { lines, info: (l: string) => lines.push(`info ${l}`), warning: (l: string) => lines.push(`warning ${l}`) };
  };

  it('uploads the layout before the record that names it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hephy-build-job-'));
    const { files, digest } = layoutFiles();
    const name = layoutName('base--linux-amd64', 's');
    writeLayout(join(root, 'layouts', name), files);
    const out = log();
    await uploadLegOutputs(record({ digest, layout: name }), { records: join(root, 'records'), layouts: join(root, 'layouts') }, 's', out);
    expect(uploads.map((u) => u.name)).toEqual([name, legRecordName('base--linux-amd64', 's')]);
    const written = JSON.parse(readFileSync(join(root, 'records', `${legRecordName('base--linux-amd64', 's')}.json`), 'utf8'));
    expect(written.layout).toBe(name);
    expect(out.lines[0]).toMatch(/^info OCI layout handed to the next wave: artifact hephy-s-layout-base--linux-amd64 \(0\.0 MiB\)$/);
  });

  it('drops the layout from the record, with a warning, when it is over the cap', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hephy-build-job-'));
    const { files, digest } = layoutFiles();
    const name = layoutName('base--linux-amd64');
    writeLayout(join(root, 'layouts', name), files);
    const out = log();
    await uploadLegOutputs(
      record({ digest, layout: name }),
      { records: join(root, 'records'), layouts: join(root, 'layouts') },
      '',
      out,
      10,
    );
    expect(uploads.map((u) => u.name)).toEqual([legRecordName('base--linux-amd64')]);
    const written = JSON.parse(readFileSync(join(root, 'records', `${legRecordName('base--linux-amd64')}.json`), 'utf8'));
    expect(written.layout).toBeUndefined();
    expect(out.lines).toEqual([
      'warning the OCI layout of base--linux-amd64 is not handed to the next wave, whose legs built on it are skipped: its OCI layout is 0.0 MiB, over the 0.0 MiB an artifact for the next wave may have; push the base instead',
    ]);
  });
});
