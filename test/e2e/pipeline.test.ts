// The whole pipeline, as `hephy-builder run` drives it, over a copy of examples/ in a fresh git
// repository: plan, ten legs on the real backends (ko, Kaniko in podman, BuildKit; arm64 under
// QEMU; spin-go with the Spin CLI of spinStandIn.ts), merge with imagetools into the e2e registry,
// summary. Everything is checked from what the REGISTRY serves afterwards, not from what the CLI
// says it did. spin-go's artifact is checked in depth by backends-spin.test.ts.
//
// examples/spin-hello is left out: it needs Rust's wasm32-wasip1 target, which nothing installs
// here, so its leg could only fail.
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/tools/paths.js';
import { parseLegRecord } from '../../src/core/legRecord.js';
import type { LegRecord } from '../../src/core/model.js';
import { dateStamp } from '../../src/core/tags.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import {
  extractFile,
  fileType,
  imageConfig,
  indexEntries,
  rawManifest,
  runCli,
  services,
  tagDigest,
  tempDir,
  type CliRun,
} from './harness.js';
import { repositoryTags } from './registryTags.js';
import { exampleFilter, spinTitle, useSpinOnPath } from './spinStandIn.js';

const RUN_TIMEOUT_MS = 20 * 60 * 1000;
const CHECK_TIMEOUT_MS = 2 * 60 * 1000;
const BOTH = ['linux/amd64', 'linux/arm64'];

interface Expected {
  image: string;
  platforms: string[];
  extraTags: string[];
}

// What examples/*/build-config.yaml ask for (spin-hello excluded, see above).
const EXPECTED: Expected[] = [
  { image: 'buildkit-cache', platforms: BOTH, extraTags: [] },
  { image: 'go-hello', platforms: BOTH, extraTags: ['latest'] },
  { image: 'go-nocfg', platforms: BOTH, extraTags: ['latest'] },
  { image: 'kaniko-app', platforms: BOTH, extraTags: ['latest', 'stable'] },
  { image: 'nested-tools-arm-only', platforms: ['linux/arm64'], extraTags: [] },
];
// The Spin app: one wasi/wasm32 artifact, tagged as it is (no index).
const SPIN_LEG = 'spin-go--wasi-wasm32';
const LEG_IDS = [...EXPECTED.flatMap((e) => e.platforms.map((p) => `${e.image}--${p.replace('/', '-')}`)), SPIN_LEG].sort();

const ELF = {
  'linux/amd64': /^ELF 64-bit LSB .*x86-64/,
  'linux/arm64': /^ELF 64-bit LSB .*ARM aarch64/,
} as Record<string, RegExp>;
const UNAME = { 'linux/amd64': 'x86_64', 'linux/arm64': 'aarch64' } as Record<string, string>;

/** A repository's tags less the input-digest records (`in-<hex>`, issue 10), and those records. */
function splitRecords(all: string[]): { tags: string[]; records: string[] } {
  const isRecord = (tag: string) => /^in-[a-f0-9]{64}$/.test(tag);
  return { tags: all.filter((t) => !isRecord(t)), records: all.filter(isRecord) };
}

describe(`hephy-builder run over examples/ except spin-hello (no Rust wasm target here), spin-go with ${spinTitle()} (e2e)`, () => {
  const svc = services();
  const prefix = `e2e-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const outDir = tempDir('pipeline-out');
  let repo: TempRepo;
  let sha: string;
  let result: CliRun;
  let days: string[];
  let restorePath = () => undefined as void;

  const repository = (image: string) => `${svc.registry}/${prefix}/${image}`;

  /** Digest of the platform's manifest in the image's published index. */
  async function platformDigest(image: string, platform: string): Promise<string> {
    const entry = indexEntries(await rawManifest(`${repository(image)}:${sha.slice(0, 7)}`)).find((e) => e.platform === platform);
    if (!entry) throw new Error(`${image} has no ${platform} manifest`);
    return entry.digest;
  }

  function record(legId: string): LegRecord {
    return parseLegRecord(readFileSync(join(outDir, 'legs', `hephy-leg-${legId}.json`), 'utf8'), legId);
  }

  beforeAll(async () => {
    restorePath = useSpinOnPath();
    repo = tempRepo();
    cpSync(join(packageRoot(), 'examples'), repo.root, { recursive: true, filter: exampleFilter });
    sha = repo.commit('examples without spin-hello');
    const before = dateStamp(new Date());
    result = await runCli([
      'run',
      '--root',
      repo.root,
      '--registry',
      svc.registry,
      '--image-prefix',
      prefix,
      '--out',
      outDir,
      '--kaniko-image',
      svc.kanikoImage,
    ]);
    // The date tag is taken during the run: a run across midnight (UTC) may use either day.
    days = [before, dateStamp(new Date())];
    if (result.code !== 0) process.stderr.write(`hephy-builder run exited ${result.code}\n${result.stdout}\n${result.stderr}\n`);
  }, RUN_TIMEOUT_MS);

  afterAll(() => {
    restorePath();
    repo?.remove();
  });

  it('plans six images in ten legs and exits 0 with every image published', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan: 6 image(s), 10 leg(s)');
    expect(result.stdout).not.toContain('spin-hello');
    for (const { image, platforms } of EXPECTED) {
      expect(result.stdout).toContain(`published ${image} (${platforms.join(', ')})`);
    }
    expect(result.stdout).toContain('published spin-go (wasi/wasm32)');
  });

  it(
    'spin-go: its date, commit and additional tags all name the leg manifest itself (no index)',
    async () => {
      const all = (await repositoryTags(repository('spin-go'))).filter((t) => !t.startsWith('hephy-leg-'));
      const { tags, records } = splitRecords(all);
      const date = tags.find((t) => /^\d{8}$/.test(t));
      expect(days).toContain(date);
      expect(tags.sort()).toEqual([date!, sha.slice(0, 7), 'latest'].sort());
      // The one bookkeeping record of an artifact: its input digest's, on the artifact itself.
      expect(records).toHaveLength(1);
      for (const tag of all) expect(await tagDigest(`${repository('spin-go')}:${tag}`)).toBe(record(SPIN_LEG).digest);
      const manifest = await rawManifest(`${repository('spin-go')}:latest`);
      expect(manifest.manifests).toBeUndefined();
      expect(manifest.layers[0].mediaType).toBe('application/vnd.wasm.content.layer.v1+wasm');
    },
    CHECK_TIMEOUT_MS,
  );

  describe.each(EXPECTED)('$image', ({ image, platforms, extraTags }) => {
    it(
      'has exactly its date, commit and additional tags, all on one index of its platforms',
      async () => {
        const { tags, records } = splitRecords(await repositoryTags(repository(image)));
        const date = tags.find((t) => /^\d{8}$/.test(t));
        expect(days).toContain(date);
        // No per-leg scratch tag, no `latest` unless asked for: only the index's tags, and the
        // bookkeeping records of a default-branch run (issue 10): one per platform, one for the index.
        expect(tags.sort()).toEqual([date!, sha.slice(0, 7), ...extraTags].sort());
        expect(records).toHaveLength(platforms.length + 1);

        const digests = await Promise.all(tags.map((tag) => tagDigest(`${repository(image)}:${tag}`)));
        expect(new Set(digests).size).toBe(1);
        const index = await rawManifest(`${repository(image)}:${date}`);
        expect(index.mediaType).toMatch(/image\.index|manifest\.list/);
        expect(
          indexEntries(index)
            .map((e) => e.platform)
            .sort(),
        ).toEqual(platforms);
        // The records name each platform's manifest and the index, nothing else.
        const recorded = await Promise.all(records.map((tag) => tagDigest(`${repository(image)}:${tag}`)));
        const entries = index.manifests as Array<{ digest: string; annotations?: Record<string, string> }>;
        expect(recorded.sort()).toEqual([digests[0], ...entries.map((e) => e.digest)].sort());
        // On an OCI index each entry carries its platform's input digest, whose record is that
        // entry's manifest. Over Docker-typed manifests (Kaniko's) buildx writes a Docker manifest
        // list, which has no annotations (buildx v0.36.1 util/imagetools/create.go).
        const kaniko = ['kaniko-app', 'nested-tools-arm-only'].includes(image);
        if (!kaniko) expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
        if (index.mediaType === 'application/vnd.oci.image.index.v1+json') {
          for (const entry of entries) {
            const input = entry.annotations?.['dev.hephy.input-digest'];
            expect(input).toMatch(/^sha256:[a-f0-9]{64}$/);
            expect(records).toContain(`in-${input!.slice('sha256:'.length)}`);
          }
        }
      },
      CHECK_TIMEOUT_MS,
    );

    it.each(platforms)(
      "%s: the manifest is the leg record's digest, with the right os/arch and size",
      async (platform) => {
        const leg = record(`${image}--${platform.replace('/', '-')}`);
        const digest = await platformDigest(image, platform);
        expect(leg.digest).toBe(digest);
        const ref = `${repository(image)}@${digest}`;
        const config = await imageConfig(ref);
        expect(`${config.os}/${config.architecture}`).toBe(platform);
        const manifest = await rawManifest(ref);
        const size = manifest.config.size + manifest.layers.reduce((sum: number, l: { size: number }) => sum + l.size, 0);
        expect(leg.compressedSize).toBe(size);
      },
      CHECK_TIMEOUT_MS,
    );
  });

  it.each([
    ['go-hello', 'hello'],
    ['go-nocfg', 'nocfg'],
  ])(
    '%s: each platform holds a static Go binary of that architecture (ko)',
    async (image, binary) => {
      for (const platform of BOTH) {
        const path = await extractFile(`${repository(image)}:${sha.slice(0, 7)}`, `/ko-app/${binary}`, tempDir('pipeline-ko'), platform);
        expect(await fileType(path)).toMatch(ELF[platform]);
      }
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'kaniko-app: the RUN step ran as each platform (arm64 under QEMU)',
    async () => {
      for (const platform of BOTH) {
        const dir = tempDir('pipeline-kaniko');
        const ref = `${repository('kaniko-app')}:stable`;
        expect(readFileSync(await extractFile(ref, '/built-on.txt', dir, platform), 'utf8').trim()).toBe(UNAME[platform]);
        expect(readFileSync(await extractFile(ref, '/hello.txt', dir, platform), 'utf8').trim()).toBe('hello from kaniko-app');
      }
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'nested-tools-arm-only: one arm64 image whose RUN step ran as aarch64',
    async () => {
      const path = await extractFile(
        `${repository('nested-tools-arm-only')}:${sha.slice(0, 7)}`,
        '/built-on.txt',
        tempDir('pipeline-nested'),
        'linux/arm64',
      );
      expect(readFileSync(path, 'utf8').trim()).toBe('aarch64');
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'buildkit-cache: the arm64 image is built on the arm64 base and its RUN --mount step ran',
    async () => {
      const ref = `${repository('buildkit-cache')}:${sha.slice(0, 7)}`;
      for (const platform of BOTH) {
        const dir = tempDir('pipeline-bk');
        // /bin/busybox comes from FROM ${BASE_IMAGE}: the platform's own binary means the base
        // was resolved for that platform, so the RUN above it ran as that platform too.
        expect(await fileType(await extractFile(ref, '/bin/busybox', dir, platform))).toMatch(ELF[platform]);
        const seen = readFileSync(await extractFile(ref, '/builds-seen.txt', dir, platform), 'utf8').trim();
        expect(Number(seen)).toBeGreaterThanOrEqual(1);
      }
    },
    CHECK_TIMEOUT_MS,
  );

  it('writes a successful leg record per leg, with digest, size and durations', () => {
    const files = readdirSync(join(outDir, 'legs')).sort();
    // Beside each record, unsigned: its SBOM (for Spin, of the app's sources) and provenance (README, Supply chain).
    const records = files.filter((f) => !f.endsWith('.spdx.json') && !f.endsWith('.provenance.json'));
    expect(records).toEqual(LEG_IDS.map((id) => `hephy-leg-${id}.json`).sort());
    expect(files.filter((f) => f.endsWith('.spdx.json'))).toHaveLength(LEG_IDS.length);
    for (const id of LEG_IDS) {
      const leg = record(id);
      expect(leg).toMatchObject({ legId: id, status: 'success', repository: repository(leg.image), sourceCommit: sha });
      expect(leg.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(leg.compressedSize).toBeGreaterThan(0);
      const { setup, build, push, total } = leg.durationsMs;
      expect(build).toBeGreaterThan(0);
      // A push can round to 0 ms: BuildKit reports it from its progress lines in tenths of a
      // second, and every blob but the top layer is already in the registry.
      expect(push).toBeGreaterThanOrEqual(0);
      expect(total).toBeGreaterThanOrEqual(setup + build + push);
      expect(Date.parse(leg.finishedAt)).toBeGreaterThanOrEqual(Date.parse(leg.startedAt));
    }
  });

  it('writes summary.md naming every image and leg', () => {
    const summary = readFileSync(join(outDir, 'summary.md'), 'utf8');
    expect(summary).toContain('**6** image(s) published, **0** failed.');
    expect(summary).toContain('| `spin-go` wasi/wasm32 | ok |');
    for (const { image, platforms } of EXPECTED) {
      expect(summary).toContain(`| \`${image}\` | ${platforms.join(', ')} |`);
      for (const platform of platforms) expect(summary).toContain(`| \`${image}\` ${platform} | ok |`);
    }
  });
});
