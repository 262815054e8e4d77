// The merge against a real registry: per-platform manifests pushed by digest (no tag), then
// mergeImages with the real `buildx imagetools`. Also the guarantee that matters most: an image
// with a failed leg keeps its previous tags.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeImages, readLegRecords } from '../../src/pipeline/merge.js';
import { toolEnv } from '../../src/tools/paths.js';
import type { Leg } from '../../src/core/model.js';
import type { PublishOptions } from '../../src/core/tags.js';
import { run } from '../../src/tools/exec.js';
import { digestOf } from '../../src/core/oci.js';
import { indexDigest, inspectRaw, manifestCompressedSize } from '../../src/tools/imagetools.js';
import { imageConfig, rawManifest, services, tempDir } from './harness.js';
import { testLegRecord } from '../helpers/legRecords.js';

const env = toolEnv();
const crane = (...args: string[]) => run('crane', [...args, '--insecure'], { env });

interface BasePlatforms {
  amd64: string;
  arm64: string;
}

/** Digests of the two platform manifests of hephy's busybox base image. */
async function basePlatforms(): Promise<BasePlatforms> {
  const index = await rawManifest(services().busybox);
  const find = (arch: string) => index.manifests.find((m: any) => m.platform.architecture === arch).digest as string;
  return { amd64: find('amd64'), arm64: find('arm64') };
}

/** Copies a platform manifest into repository by digest only, as a build leg pushes it. */
async function pushByDigest(digest: string, repository: string): Promise<void> {
  const base = services().busybox.replace(/:[^/:]+$/, '');
  await crane('copy', `${base}@${digest}`, `${repository}@${digest}`);
}

const leg = (image: string, platform: string): Leg => ({
  id: `${image}--${platform.replace(/\//g, '-')}`,
  image,
  dir: image,
  backend: 'buildkit',
  platform,
  runner: 'ubuntu-latest',
  emulated: false,
});

const unique = () => `e2e-merge-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

describe('mergeImages against a registry', () => {
  let base: BasePlatforms;
  let dir: string;
  beforeAll(async () => {
    base = await basePlatforms();
    dir = tempDir('merge');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes one index with both platforms under every tag, from untagged leg digests', async () => {
    const publish: PublishOptions = {
      registry: services().registry,
      prefix: unique(),
      mode: 'single-repo',
      perArchTags: true,
    };
    const repository = `${publish.registry}/${publish.prefix}`;
    await pushByDigest(base.amd64, repository);
    await pushByDigest(base.arm64, repository);
    // Pushed by digest only: the repository has no tag yet.
    const before = await crane('ls', repository).catch((e: Error) => e);
    expect(before instanceof Error ? before.message : before.stdout.trim()).toMatch(/NAME_UNKNOWN|^$/);

    // Leg records come back as artifacts, one subdirectory each.
    const legs = [leg('app', 'linux/amd64'), leg('app', 'linux/arm64')];
    legs.forEach((l, i) => {
      mkdirSync(join(dir, `hephy-leg-${l.id}`), { recursive: true });
      writeFileSync(
        join(dir, `hephy-leg-${l.id}`, 'record.json'),
        JSON.stringify(testLegRecord(l, repository, i === 0 ? base.amd64 : base.arm64)),
      );
    });
    const { records, problems } = readLegRecords(dir);
    expect(problems).toEqual([]);

    const log: string[] = [];
    const report = await mergeImages({
      images: [{ image: 'app', tags: ['app-20261125', 'app-latest'] }],
      legs,
      records,
      publish,
      env,
      log: (line) => log.push(line),
    });
    const [app] = report.outcomes;
    expect(app.error).toBeUndefined();
    expect(app.status).toBe('published');
    expect(app.tags).toEqual([
      `${repository}:app-20261125`,
      `${repository}:app-latest`,
      `${repository}:app-20261125-amd64`,
      `${repository}:app-latest-amd64`,
      `${repository}:app-20261125-arm64`,
      `${repository}:app-latest-arm64`,
    ]);
    expect(report.mergeMs).toBeGreaterThan(0);

    for (const tag of app.tags.slice(0, 2)) {
      const index = await rawManifest(tag);
      expect(index.manifests.map((m: any) => m.digest).sort()).toEqual([base.amd64, base.arm64].sort());
      expect((await crane('digest', tag)).stdout.trim()).toBe(app.digest);
    }
    // Each platform manifest's config really is that platform.
    for (const [arch, digest] of Object.entries(base)) {
      const config = await imageConfig(`${repository}@${digest}`);
      expect([config.os, config.architecture]).toEqual(['linux', arch]);
    }
    // Per-arch tags are the platform manifests themselves, not one-entry indexes.
    expect((await crane('digest', `${repository}:app-20261125-arm64`)).stdout.trim()).toBe(base.arm64);
    expect(log.join('\n')).toContain(`[app] ${repository}:app-20261125, ${repository}:app-latest -> ${app.digest}`);
  });

  it('keeps the previous tags of an image with a failed leg while the other image publishes', async () => {
    const registry = services().registry;
    const prefix = unique();
    const publish: PublishOptions = { registry, prefix, mode: 'per-image', perArchTags: false };
    const repoA = `${registry}/${prefix}/a`;
    const repoB = `${registry}/${prefix}/b`;
    // A was published before: its tags point at the amd64 manifest.
    await crane('copy', `${services().busybox.replace(/:[^/:]+$/, '')}@${base.amd64}`, `${repoA}:20261125`);
    await crane('tag', `${repoA}:20261125`, 'stable');
    const previous = (await crane('digest', `${repoA}:20261125`)).stdout.trim();
    for (const repository of [repoA, repoB]) {
      await pushByDigest(base.amd64, repository);
      await pushByDigest(base.arm64, repository);
    }

    const legsA = [leg('a', 'linux/amd64'), leg('a', 'linux/arm64')];
    const legsB = [leg('b', 'linux/amd64'), leg('b', 'linux/arm64')];
    const records = [
      testLegRecord(legsA[0], repoA, base.amd64),
      testLegRecord(legsA[1], repoA, undefined, {
        error: 'buildctl exited with code 1: process "/bin/sh -c make" did not complete successfully',
      }),
      testLegRecord(legsB[0], repoB, base.amd64),
      testLegRecord(legsB[1], repoB, base.arm64),
    ];
    const report = await mergeImages({
      images: [
        { image: 'a', tags: ['20261125', 'stable'] },
        { image: 'b', tags: ['20261125'] },
      ],
      legs: [...legsA, ...legsB],
      records,
      publish,
      env,
    });
    const [a, b] = report.outcomes;
    expect(a.status).toBe('failed');
    expect(a.failedLegs).toEqual([
      { legId: 'a--linux-arm64', platform: 'linux/arm64', reason: expect.stringContaining('did not complete successfully') },
    ]);
    for (const tag of ['20261125', 'stable']) {
      expect((await crane('digest', `${repoA}:${tag}`)).stdout.trim()).toBe(previous);
    }
    expect(b.status).toBe('published');
    const indexB = await rawManifest(`${repoB}:20261125`);
    expect(indexB.manifests.map((m: any) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64']);
  });
});

describe('imagetools against a registry', () => {
  it('reports the digest a pull by tag gets, and the compressed size of a platform manifest', async () => {
    const busybox = services().busybox;
    const digest = await indexDigest(busybox, env);
    expect(digest).toBe((await crane('digest', busybox)).stdout.trim());
    const raw = await run('bash', ['-c', 'crane manifest --insecure "$1"', '_', busybox], { env });
    expect(digestOf(raw.stdout)).toBe(digest);
    expect((await inspectRaw(busybox, env)).manifests).toHaveLength(2);

    const amd64 = (await rawManifest(busybox)).manifests.find((m: any) => m.platform.architecture === 'amd64').digest;
    const ref = `${busybox.replace(/:[^/:]+$/, '')}@${amd64}`;
    const manifest = await rawManifest(ref);
    const expected = manifest.config.size + manifest.layers.reduce((sum: number, l: any) => sum + l.size, 0);
    expect(await manifestCompressedSize(ref, env)).toBe(expected);
    await expect(manifestCompressedSize(busybox, env)).rejects.toThrow(/is an image index/);
  });
});
