import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anyFailed, mergeImages, mergePushes, readLegRecords, type MergeOptions } from '../../src/pipeline/merge.js';
import type { ImageSpec, Leg, LegRecord } from '../../src/core/model.js';
import type { PublishOptions } from '../../src/core/tags.js';
import { testLegRecord } from '../helpers/legRecords.js';
import { digestOf, type ManifestDocument, type OciPlatform } from '../../src/core/oci.js';
import type { CreateIndexOptions } from '../../src/tools/imagetools.js';
import type { Signer } from '../../src/pipeline/sign.js';
import { missingAttestationsNote } from '../../src/pipeline/attest.js';
import { renderRunSummaryMarkdown, renderRunSummaryText } from '../../src/core/report/runSummary.js';
import type { Cosign } from '../../src/tools/cosign.js';

const publish: PublishOptions = {
  registry: '127.0.0.1:5000',
  prefix: 'images',
  mode: 'single-repo',
  perArchTags: false,
};
const REPO = '127.0.0.1:5000/images';

const digestFor = (leg: string) => digestOf(leg);
const leg = (image: string, platform: string): Leg => ({
  id: `${image}--${platform.replace(/\//g, '-')}`,
  image,
  dir: image,
  backend: 'ko',
  platform,
  runner: 'ubuntu-latest',
  emulated: false,
});
const record = (l: Leg, extra: Partial<LegRecord> = {}): LegRecord => testLegRecord(l, REPO, digestFor(l.id), extra);

function toPlatform(platform: string): OciPlatform {
  const [os, architecture, variant] = platform.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

/**
 * A registry in memory behind the imagetools interface: sources resolve through `platforms`
 * (digest -> os/arch as the pushed manifest's config says); each tag holds the digest of the last
 * document pushed to it, as a registry does. A carbon copy (one source, preferIndex false) keeps
 * the source's digest.
 */
class FakeImagetools {
  readonly platforms = new Map<string, string>();
  readonly tags = new Map<string, { digest: string; doc?: ManifestDocument }>();
  readonly calls: string[] = [];
  /** The index annotations each plan and create call asked for, in call order. */
  readonly annotations: (Record<string, string> | undefined)[] = [];
  /** The annotations of index entries (by platform) each plan and create call asked for. */
  readonly entryAnnotations: (Record<string, Record<string, string>> | undefined)[] = [];
  failCreate = new Set<string>();
  /** Runs right after a push lands, before the read-back: another run writing the same tags. */
  afterPush?: (tags: string[]) => void;
  delayMs = 0;

  private index(sources: string[]): ManifestDocument {
    return {
      schemaVersion: 2,
      manifests: sources.map((source) => {
        const digest = source.split('@')[1];
        const platform = this.platforms.get(digest);
        if (!platform) throw new Error(`ERROR: ${source}: not found`);
        return { digest, size: 400, platform: toPlatform(platform) };
      }),
    };
  }

  planIndex = async (options: Pick<CreateIndexOptions, 'sources' | 'annotations' | 'entryAnnotations'>) => {
    this.calls.push(`plan ${options.sources.join(' ')}`);
    this.annotations.push(options.annotations);
    this.entryAnnotations.push(options.entryAnnotations);
    const manifest = this.index(options.sources);
    return { manifest, digest: digestOf(JSON.stringify(manifest)) };
  };

  createIndex = async (options: CreateIndexOptions) => {
    this.calls.push(`create ${options.preferIndex === false ? '--copy ' : ''}${options.tags.join(' ')}`);
    this.annotations.push(options.annotations);
    this.entryAnnotations.push(options.entryAnnotations);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    // One source that is an index is copied as it is, whatever preferIndex says (buildx docs).
    const sourceIsIndex =
      options.sources.length === 1 && [...this.tags.values()].some((t) => t.doc && t.digest === options.sources[0].split('@')[1]);
    const copy = (options.preferIndex === false || sourceIsIndex) && options.sources.length === 1;
    const doc = copy ? undefined : this.index(options.sources);
    const digest = copy ? options.sources[0].split('@')[1] : digestOf(JSON.stringify(doc));
    // buildx pushes the tags one by one: those before a refused one have moved.
    for (const tag of options.tags) {
      if (this.failCreate.has(tag)) throw new Error('imagetools create exited with code 1: 401 Unauthorized');
      this.tags.set(tag, { digest, doc });
    }
    this.afterPush?.(options.tags);
  };

  indexDigest = async (ref: string) => {
    this.calls.push(`digest ${ref}`);
    const found = this.tags.get(ref);
    if (!found) throw new Error(`ERROR: ${ref}: not found`);
    return found.digest;
  };

  /** Registers the pushed leg manifests of these legs (as the build step would have). */
  pushed(legs: Leg[], platformOf: (l: Leg) => string = (l) => l.platform): this {
    for (const l of legs) this.platforms.set(digestFor(l.id), platformOf(l));
    return this;
  }
}

const appLegs = [leg('app', 'linux/amd64'), leg('app', 'linux/arm64')];
const apiLegs = [leg('api', 'linux/amd64'), leg('api', 'linux/arm64')];
// The plan's tags (decided at plan time): bare, composed with the merge's repository.
const images = [
  { image: 'app', tags: ['app-20261125', 'app-latest'] },
  { image: 'api', tags: ['api-20261125'] },
];

function options(tools: FakeImagetools, records: LegRecord[], extra: Partial<MergeOptions> = {}): MergeOptions {
  return { images, legs: [...appLegs, ...apiLegs], records, publish, imagetools: tools, env: {}, ...extra };
}

describe('mergeImages', () => {
  it('publishes every image as one index under all its tags, checked before and after the push', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const log: string[] = [];
    const report = await mergeImages(
      options(
        tools,
        [...appLegs, ...apiLegs].map((l) => record(l)),
        { log: (line) => log.push(line), concurrency: 1 },
      ),
    );
    const [app, api] = report.outcomes;
    expect(app).toMatchObject({
      image: 'app',
      status: 'published',
      tags: [`${REPO}:app-20261125`, `${REPO}:app-latest`],
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    expect(app.digest).toBe(digestOf(JSON.stringify(tools.tags.get(`${REPO}:app-20261125`)?.doc)));
    expect(app.records).toHaveLength(2);
    expect(api).toMatchObject({ image: 'api', status: 'published', tags: [`${REPO}:api-20261125`] });
    expect(tools.calls).toEqual([
      `plan ${REPO}@${digestFor('app--linux-amd64')} ${REPO}@${digestFor('app--linux-arm64')}`,
      `create ${REPO}:app-20261125 ${REPO}:app-latest`,
      `digest ${REPO}:app-20261125`,
      `digest ${REPO}:app-latest`,
      `plan ${REPO}@${digestFor('api--linux-amd64')} ${REPO}@${digestFor('api--linux-arm64')}`,
      `create ${REPO}:api-20261125`,
      `digest ${REPO}:api-20261125`,
    ]);
    expect(anyFailed(report)).toBe(false);
    expect(log).toContain(`[app] ${REPO}:app-20261125, ${REPO}:app-latest -> ${app.digest}`);
  });

  it('annotates the index with what the legs recorded alike, in the plan and the push', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    const shared = { 'org.opencontainers.image.revision': 'a'.repeat(40) };
    const records = [
      record(appLegs[0], { annotations: { ...shared, 'com.example.only-amd64': 'x' } }),
      record(appLegs[1], { annotations: shared }),
    ];
    const report = await mergeImages(options(tools, records, { images: [images[0]], legs: appLegs }));
    expect(report.outcomes[0].status).toBe('published');
    expect(tools.annotations).toEqual([shared, shared]);
  });

  it('makes no imagetools call for an image with a failed leg, and still publishes the others', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const records = [
      record(appLegs[0]),
      record(appLegs[1], { status: 'failure', digest: undefined, error: 'go build: undefined: Foo' }),
      ...apiLegs.map((l) => record(l)),
    ];
    const report = await mergeImages(options(tools, records));
    const [app, api] = report.outcomes;
    expect(app).toMatchObject({
      status: 'failed',
      tags: [],
      failedLegs: [{ legId: 'app--linux-arm64', platform: 'linux/arm64', reason: 'go build: undefined: Foo' }],
    });
    expect(app.digest).toBeUndefined();
    expect(tools.calls.filter((c) => c.includes('app'))).toEqual([]);
    expect(api.status).toBe('published');
    expect(anyFailed(report)).toBe(true);
  });

  it('moves no tag when the assembled index lacks a planned platform', async () => {
    // The arm64 leg pushed an amd64 image (e.g. a backend ignored the platform).
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs], (l) => (l.id === 'app--linux-arm64' ? 'linux/amd64' : l.platform));
    const report = await mergeImages(
      options(
        tools,
        [...appLegs, ...apiLegs].map((l) => record(l)),
      ),
    );
    const [app, api] = report.outcomes;
    expect(app.status).toBe('failed');
    expect(app.error).toMatch(/lacks linux\/arm64 \(it has linux\/amd64, linux\/amd64\).*no tag moved/);
    expect(tools.calls.some((c) => c.startsWith('create') && c.includes('app'))).toBe(false);
    expect([...tools.tags.keys()].some((t) => t.includes(':app-'))).toBe(false);
    expect(api.status).toBe('published');
  });

  it('fails with "overwritten by another run" and both digests when a tag serves another index after the push', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const theirs = 'sha256:' + 'e'.repeat(64);
    // Another run's merge of app lands on app-latest between our push and our read-back.
    tools.afterPush = (tags) => {
      if (tags.includes(`${REPO}:app-latest`)) tools.tags.set(`${REPO}:app-latest`, { digest: theirs });
    };
    const report = await mergeImages(
      options(
        tools,
        [...appLegs, ...apiLegs].map((l) => record(l)),
      ),
    );
    const [app, api] = report.outcomes;
    expect(app.status).toBe('failed');
    // Never the other run's digest as its own: ours is reported, and theirs is named as theirs.
    expect(app.digest).toBe(tools.tags.get(`${REPO}:app-20261125`)?.digest);
    expect(app.digest).not.toBe(theirs);
    expect(app.tags).toEqual([`${REPO}:app-20261125`]);
    expect(app.error).toBe(
      `overwritten by another run: ${REPO}:app-latest now points at ${theirs}, not at ${app.digest} which this run pushed (still ours: ${REPO}:app-20261125)`,
    );
    expect(api.status).toBe('published');
  });

  it('reports a push that failed part way with the tags that moved and those that did not, and carries on', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    tools.failCreate.add(`${REPO}:app-latest`);
    const report = await mergeImages(
      options(
        tools,
        [...appLegs, ...apiLegs].map((l) => record(l)),
      ),
    );
    const [app, api] = report.outcomes;
    expect(app.status).toBe('failed');
    expect(app.tags).toEqual([`${REPO}:app-20261125`]);
    expect(app.error).toBe(
      `pushing the index failed part way: moved ${REPO}:app-20261125; not moved ${REPO}:app-latest: imagetools create exited with code 1: 401 Unauthorized`,
    );
    expect(api.status).toBe('published');
  });

  it('moves no tag of an image when one of its tags is invalid, checking all of them before the first push', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const long = `app-${'x'.repeat(125)}`;
    const report = await mergeImages(
      options(
        tools,
        [...appLegs, ...apiLegs].map((l) => record(l)),
        { images: [{ image: 'app', tags: ['app-20261125', long] }, images[1]] },
      ),
    );
    expect(report.outcomes[0].status).toBe('failed');
    expect(report.outcomes[0].error).toBe(`the tag \`${long}\` is 129 characters long, over the limit of 128; no tag moved`);
    expect(tools.calls.some((c) => c.includes('app'))).toBe(false);
    expect(report.outcomes[1].status).toBe('published');
  });

  it('refuses full references of another repository than the merge publishes to', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    const report = await mergeImages(
      options(
        tools,
        appLegs.map((l) => record(l)),
        { images: [{ image: 'app', tags: ['other.example/x/app:1.0'] }], legs: appLegs },
      ),
    );
    expect(report.outcomes[0].error).toMatch(
      /plan tagged it as other.example\/x\/app:1.0, but this merge publishes to 127.0.0.1:5000\/images.*no tag moved/,
    );
    expect(tools.calls).toEqual([]);
  });

  it('fails an image whose leg digest the registry does not have, before moving tags', async () => {
    const tools = new FakeImagetools().pushed([appLegs[0], ...apiLegs]);
    const report = await mergeImages(
      options(
        tools,
        [...appLegs, ...apiLegs].map((l) => record(l)),
      ),
    );
    expect(report.outcomes[0].error).toMatch(/could not assemble the index .*\(no tag moved\): ERROR: .*not found/);
    expect(tools.calls.filter((c) => c.startsWith('create'))).toEqual([`create ${REPO}:api-20261125`]);
  });

  it('treats linux/arm64/v8 in the plan and linux/arm64 in the index as the same platform', async () => {
    const legs = [leg('app', 'linux/amd64'), leg('app', 'linux/arm64/v8')];
    const tools = new FakeImagetools().pushed(legs, (l) => (l.platform === 'linux/arm64/v8' ? 'linux/arm64' : l.platform));
    const report = await mergeImages({
      images: images.slice(0, 1),
      legs,
      records: legs.map((l) => record(l)),
      publish,
      imagetools: tools,
      env: {},
    });
    expect(report.outcomes[0].status).toBe('published');
  });

  it('adds a per-arch variant of each tag of the plan as plain copies of each platform manifest', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    const report = await mergeImages({
      images: images.slice(0, 1),
      legs: appLegs,
      records: appLegs.map((l) => record(l)),
      publish: { ...publish, perArchTags: true },
      imagetools: tools,
      env: {},
    });
    expect(report.outcomes[0].tags).toEqual([
      `${REPO}:app-20261125`,
      `${REPO}:app-latest`,
      `${REPO}:app-20261125-amd64`,
      `${REPO}:app-latest-amd64`,
      `${REPO}:app-20261125-arm64`,
      `${REPO}:app-latest-arm64`,
    ]);
    expect(tools.calls.filter((c) => c.startsWith('create --copy'))).toEqual([
      `create --copy ${REPO}:app-20261125-amd64`,
      `create --copy ${REPO}:app-latest-amd64`,
      `create --copy ${REPO}:app-20261125-arm64`,
      `create --copy ${REPO}:app-latest-arm64`,
    ]);
    expect(tools.tags.get(`${REPO}:app-20261125-arm64`)?.digest).toBe(digestFor('app--linux-arm64'));
  });

  it('measures the merge wall time', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    tools.delayMs = 30;
    const report = await mergeImages({
      images: images.slice(0, 1),
      legs: appLegs,
      records: appLegs.map((l) => record(l)),
      publish,
      imagetools: tools,
      env: {},
    });
    expect(report.mergeMs).toBeGreaterThanOrEqual(25);
  });

  it('keeps the outcomes in plan order when images merge concurrently', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const legs = names.map((n) => leg(n, 'linux/amd64'));
    const tools = new FakeImagetools().pushed(legs);
    tools.delayMs = 5;
    const report = await mergeImages({
      images: names.map((image) => ({ image, tags: [`${image}-20261125`] })),
      legs,
      records: legs.map((l) => record(l)),
      publish,
      imagetools: tools,
      env: {},
      concurrency: 3,
    });
    expect(report.outcomes.map((o) => `${o.image}:${o.status}`)).toEqual(names.map((n) => `${n}:published`));
  });
});

describe('readLegRecords', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hephy-records-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every record under the dir, recursively, and reports broken files without stopping', () => {
    mkdirSync(join(dir, 'hephy-leg-app--linux-amd64'));
    mkdirSync(join(dir, 'hephy-leg-app--linux-arm64', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'hephy-leg-app--linux-amd64', 'record.json'), JSON.stringify(record(appLegs[0])));
    writeFileSync(join(dir, 'hephy-leg-app--linux-arm64', 'deeper', 'record.json'), JSON.stringify(record(appLegs[1])));
    writeFileSync(join(dir, 'truncated.json'), '{"schema": 1, "legId"');
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ schema: 2 }));
    writeFileSync(join(dir, 'notes.txt'), 'not a record');
    const { records, problems } = readLegRecords(dir);
    expect(records.map((r) => r.legId)).toEqual(['app--linux-amd64', 'app--linux-arm64']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^skipped other\.json: not a valid leg record: schema/);
    expect(problems[1]).toMatch(/^skipped truncated\.json: not a JSON leg record/);
  });

  it('reports a missing dir as a problem, not an exception', () => {
    const { records, problems } = readLegRecords(join(dir, 'absent'));
    expect(records).toEqual([]);
    expect(problems[0]).toMatch(/cannot read leg records from .*absent/);
  });
});

describe('mergeImages with a WebAssembly app', () => {
  it('tags the one wasm artifact as it is, without an index', async () => {
    const wasmLeg = { ...leg('edge', 'wasi/wasm32'), backend: 'spin' as const };
    const tools = new FakeImagetools().pushed([wasmLeg]);
    const report = await mergeImages({
      images: [{ image: 'edge', tags: ['edge-20261125', 'edge-wasm'] }],
      legs: [wasmLeg],
      records: [record(wasmLeg)],
      publish,
      imagetools: tools,
      env: {},
    });
    expect(report.outcomes[0]).toMatchObject({
      status: 'published',
      digest: digestFor(wasmLeg.id),
      tags: [`${REPO}:edge-20261125`, `${REPO}:edge-wasm`],
    });
    expect(tools.calls).toEqual([
      `create --copy ${REPO}:edge-20261125 ${REPO}:edge-wasm`,
      `digest ${REPO}:edge-20261125`,
      `digest ${REPO}:edge-wasm`,
    ]);
  });
});

describe('mergeImages with push off', () => {
  const builtRecords = () => [...appLegs, ...apiLegs].map((l) => record(l, { pushed: false, compressedSize: undefined }));

  it('makes no imagetools call at all and reports every image whose legs built as built, not failed', async () => {
    const tools = new FakeImagetools();
    const log: string[] = [];
    const report = await mergeImages(options(tools, builtRecords(), { push: false, log: (line) => log.push(line) }));
    expect(tools.calls).toEqual([]);
    expect(report.outcomes.map((o) => [o.image, o.status, o.tags, o.digest])).toEqual([
      ['app', 'built', [], undefined],
      ['api', 'built', [], undefined],
    ]);
    expect(report.outcomes[0].records.map((r) => r.digest)).toEqual([digestFor('app--linux-amd64'), digestFor('app--linux-arm64')]);
    expect(anyFailed(report)).toBe(false);
    expect(log[0]).toBe('push disabled: nothing is published, no tag moves');
  });

  it('still fails an image with a failed leg, without any imagetools call', async () => {
    const tools = new FakeImagetools();
    const records = builtRecords();
    records[1] = record(appLegs[1], { status: 'failure', digest: undefined, error: 'RUN make failed' });
    const report = await mergeImages(options(tools, records, { push: false }));
    expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'built']);
    expect(tools.calls).toEqual([]);
    expect(anyFailed(report)).toBe(true);
  });

  it('is off by itself when every successful record was built without pushing', async () => {
    const tools = new FakeImagetools();
    const report = await mergeImages(options(tools, builtRecords()));
    expect(report.outcomes.map((o) => o.status)).toEqual(['built', 'built']);
    expect(tools.calls).toEqual([]);
  });

  it('decides from the option first, then from the records (older records without the field pushed)', () => {
    const built = builtRecords();
    expect(mergePushes({ records: built })).toBe(false);
    expect(mergePushes({ records: built, push: true })).toBe(true);
    expect(mergePushes({ records: [record(appLegs[0])], push: false })).toBe(false);
    expect(mergePushes({ records: [record(appLegs[0]), ...built] })).toBe(true);
    expect(mergePushes({ records: [] })).toBe(true);
    expect(mergePushes({ records: [record(appLegs[0], { status: 'failure', digest: undefined })] })).toBe(true);
  });

  it('with push forced on, moves no tag over a leg that was not pushed', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const records = [record(appLegs[0]), record(appLegs[1], { pushed: false }), ...apiLegs.map((l) => record(l))];
    const report = await mergeImages(options(tools, records, { push: true }));
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', failedLegs: [{ legId: 'app--linux-arm64' }] });
    // Only api's three calls (plan, create, its one tag read back): none for app.
    expect(tools.calls).toHaveLength(3);
    expect(tools.calls.every((c) => c.includes('api') || c.includes(digestFor('api--linux-amd64')))).toBe(true);
    expect(report.outcomes[1].status).toBe('published');
  });
});

describe('input-digest records and unchanged images', () => {
  const withDigests = (legs: Leg[]) => legs.map((l, i) => ({ ...l, inputDigest: `sha256:${String(i + 1).repeat(64)}` }));
  const hex = (i: number) => String(i).repeat(64);

  it('puts each platform input digest on its index entry, and writes the records only when the plan says the run may', async () => {
    const legs = withDigests(appLegs);
    for (const recordInputs of [true, false]) {
      const tools = new FakeImagetools().pushed(appLegs);
      const report = await mergeImages({
        images: [images[0]],
        legs,
        records: appLegs.map((l) => record(l)),
        publish,
        imagetools: tools,
        env: {},
        recordInputs,
      });
      expect(report.outcomes[0].status).toBe('published');
      expect(tools.entryAnnotations[0]).toEqual({
        'linux/amd64': { 'dev.hephy.input-digest': `sha256:${hex(1)}` },
        'linux/arm64': { 'dev.hephy.input-digest': `sha256:${hex(2)}` },
      });
      const records = [...tools.tags.keys()].filter((tag) => tag.includes('-in-'));
      if (!recordInputs) {
        expect(records).toEqual([]);
        continue;
      }
      // Each platform's record is its manifest; the image's record is the index just published.
      expect(tools.tags.get(`${REPO}:app-in-${hex(1)}`)?.digest).toBe(digestFor('app--linux-amd64'));
      expect(tools.tags.get(`${REPO}:app-in-${hex(2)}`)?.digest).toBe(digestFor('app--linux-arm64'));
      expect(records).toHaveLength(3);
      const indexRecord = records.find((tag) => !tag.endsWith(hex(1)) && !tag.endsWith(hex(2)))!;
      expect(tools.tags.get(indexRecord)?.digest).toBe(report.outcomes[0].digest);
    }
  });

  it("re-tags an unchanged image with this run's tags as a copy of its published index, building and planning nothing", async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    // A default-branch run published the index under an earlier tag.
    const first = await mergeImages({
      images: [{ image: 'app', tags: ['app-20261124'] }],
      legs: withDigests(appLegs),
      records: appLegs.map((l) => record(l)),
      publish: { ...publish, perArchTags: true },
      imagetools: tools,
      env: {},
      recordInputs: true,
    });
    const index = first.outcomes[0].digest!;
    tools.calls.length = 0;
    const log: string[] = [];
    const report = await mergeImages({
      images: [],
      legs: [],
      records: [],
      publish: { ...publish, perArchTags: true },
      imagetools: tools,
      env: {},
      log: (line) => log.push(line),
      unchanged: [
        {
          image: 'app',
          dir: 'app',
          tags: ['app-20261125', 'app-abc1234'],
          index,
          platforms: appLegs.map((l, i) => ({ platform: l.platform, digest: digestFor(l.id), inputDigest: `sha256:${hex(i + 1)}` })),
        },
      ],
    });
    expect(report.outcomes).toEqual([
      expect.objectContaining({
        image: 'app',
        status: 'published',
        unchanged: true,
        digest: index,
        tags: [
          `${REPO}:app-20261125`,
          `${REPO}:app-abc1234`,
          `${REPO}:app-20261125-amd64`,
          `${REPO}:app-20261125-arm64`,
          `${REPO}:app-abc1234-amd64`,
          `${REPO}:app-abc1234-arm64`,
        ],
      }),
    ]);
    expect(tools.tags.get(`${REPO}:app-20261125`)?.digest).toBe(index);
    expect(tools.tags.get(`${REPO}:app-abc1234-arm64`)?.digest).toBe(digestFor('app--linux-arm64'));
    expect(tools.calls.some((c) => c.startsWith('plan'))).toBe(false);
    expect(log.join('\n')).toContain('not rebuilt');
  });

  it('with a registry reader, pushes nothing for an unchanged image whose tags all name its index already, and only the others', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    const first = await mergeImages({
      images: [{ image: 'app', tags: ['app-20261124', 'app-latest'] }],
      legs: withDigests(appLegs),
      records: appLegs.map((l) => record(l)),
      publish,
      imagetools: tools,
      env: {},
    });
    const index = first.outcomes[0].digest!;
    // The registry API as the fake registry holds it: one read per tag, no imagetools process.
    const reads: string[] = [];
    const reader = {
      resolve: async (ref: string) => {
        reads.push(ref);
        const digest = tools.tags.get(ref)?.digest;
        if (!digest) throw new Error(`${ref}: no such image`);
        return digest;
      },
    };
    const unchanged = (tags: string[]) => [
      {
        image: 'app',
        dir: 'app',
        tags,
        index,
        platforms: appLegs.map((l, i) => ({ platform: l.platform, digest: digestFor(l.id), inputDigest: `sha256:${hex(i + 1)}` })),
      },
    ];
    const retag = (tags: string[]) =>
      mergeImages({ images: [], legs: [], records: [], publish, imagetools: tools, env: {}, reader, unchanged: unchanged(tags) });
    tools.calls.length = 0;
    const same = await retag(['app-20261124', 'app-latest']);
    expect(same.outcomes[0]).toMatchObject({ status: 'published', digest: index, tags: [`${REPO}:app-20261124`, `${REPO}:app-latest`] });
    expect(tools.calls).toEqual([]);
    expect(reads).toEqual([`${REPO}:app-20261124`, `${REPO}:app-latest`]);
    // A new day: only the new tag is pushed, and read back.
    const next = await retag(['app-20261125', 'app-latest']);
    expect(next.outcomes[0]).toMatchObject({ status: 'published', tags: [`${REPO}:app-latest`, `${REPO}:app-20261125`] });
    expect(tools.calls.filter((c) => c.startsWith('create'))).toEqual([`create ${REPO}:app-20261125`]);
    expect(tools.tags.get(`${REPO}:app-20261125`)?.digest).toBe(index);
  });

  it('reads a tag back with imagetools when the registry reader cannot', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    const reader = { resolve: async () => Promise.reject(new Error('registry.example: not allowed to read (HTTP 403)')) };
    const report = await mergeImages({
      images: [images[0]],
      legs: appLegs,
      records: appLegs.map((l) => record(l)),
      publish,
      imagetools: tools,
      env: {},
      reader,
    });
    expect(report.outcomes[0].status).toBe('published');
  });

  it('moves no tag of an unchanged image whose tags name another repository, nor without its index', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    const platforms = appLegs.map((l, i) => ({ platform: l.platform, digest: digestFor(l.id), inputDigest: `sha256:${hex(i + 1)}` }));
    const report = await mergeImages({
      images: [],
      legs: [],
      records: [],
      publish,
      imagetools: tools,
      env: {},
      push: true,
      unchanged: [
        { image: 'app', dir: 'app', tags: ['other.example/x/app:20261125'], index: `sha256:${hex(9)}`, platforms },
        { image: 'app', dir: 'app', tags: ['app-20261125'], platforms },
      ],
    });
    expect(report.outcomes.map((o) => [o.status, o.tags])).toEqual([
      ['failed', []],
      ['failed', []],
    ]);
    expect(report.outcomes[0].error).toContain('this merge publishes to');
    expect(report.outcomes[1].error).toContain('without its published index');
    expect(tools.calls).toEqual([]);
  });

  it('re-tags nothing when the merge pushes nothing', async () => {
    const tools = new FakeImagetools();
    const report = await mergeImages({
      images: [],
      legs: [],
      records: [],
      publish,
      imagetools: tools,
      env: {},
      push: false,
      unchanged: [{ image: 'app', dir: 'app', tags: ['app-1'], index: `sha256:${hex(9)}`, platforms: [] }],
    });
    expect(report.outcomes).toEqual([]);
    expect(tools.calls).toEqual([]);
  });
});

/**
 * cosign in memory: a digest is signed once `sign` ran on it (recursively: the index's manifests
 * too, as cosign v3 sign/sign.go does with --recursive); verify answers from that set.
 */
function fakeSigner(tools: FakeImagetools, failSign = false): { signer: Signer; signs: string[]; verifies: string[]; attests: string[] } {
  const signed = new Set<string>();
  const signs: string[] = [];
  const verifies: string[] = [];
  const attests: string[] = [];
  const attested = new Set<string>();
  const cosign: Cosign = {
    // This fake signs with a key; the keyless calls are not expected here.
    async signKeyless() {
      throw new Error('not keyless');
    },
    async verifyKeyless() {
      throw new Error('not keyless');
    },
    async attestKeyless() {
      throw new Error('not keyless');
    },
    async verifyAttestationKeyless() {
      throw new Error('not keyless');
    },
    async sign(request) {
      signs.push(request.reference);
      if (failSign) throw new Error('cosign sign: signing [x]: PUT https://127.0.0.1:5000/v2/...: UNAUTHORIZED');
      const digest = request.reference.split('@')[1];
      signed.add(digest);
      const doc = [...tools.tags.values()].find((t) => t.digest === digest)?.doc;
      if (request.recursive) for (const m of doc?.manifests ?? []) signed.add(m.digest);
      return 5;
    },
    async verify(request) {
      verifies.push(request.reference);
      const digest = request.reference.split('@')[1];
      return signed.has(digest)
        ? { verified: true, signatures: [{ digest }], durationMs: 1 }
        : { verified: false, reason: 'no signatures found' };
    },
    async publicKey() {},
    async attest(request) {
      attests.push(`${request.type} ${request.reference}`);
      attested.add(`${request.type} ${request.reference.split('@')[1]}`);
      return 3;
    },
    async verifyAttestation(request) {
      const digest = request.reference.split('@')[1];
      return attested.has(`${request.type} ${digest}`)
        ? { verified: true, signatures: [{ digest }], durationMs: 1 }
        : { verified: false, reason: 'no matching attestations' };
    },
  };
  const signer: Signer = {
    key: '/keys/cosign.key',
    publicKey: '/tmp/pub/cosign.pub',
    publicKeyShown: '/keys/cosign.pub',
    insecure: false,
    context: { env: {} },
    material: { signingConfig: '/m/sc.json', trustedRoot: '/m/tr.json' },
    cosign,
    dispose: () => undefined,
  };
  return { signer, signs, verifies, attests };
}

describe('mergeImages with a signing key', () => {
  it('signs each published index by digest, recursively, and says how to verify it', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const { signer, signs } = fakeSigner(tools);
    const report = await mergeImages(
      options(
        tools,
        [...appLegs, ...apiLegs].map((l) => record(l)),
        { signer },
      ),
    );
    expect(report.outcomes.map((o) => o.status)).toEqual(['published', 'published']);
    const app = report.outcomes[0];
    expect(signs).toContain(`${REPO}@${app.digest}`);
    expect(app.signature).toEqual({
      method: 'key',
      status: 'signed',
      verifyCommand: `cosign verify --key=/keys/cosign.pub --insecure-ignore-tlog=true ${REPO}@${app.digest}`,
      durationMs: expect.any(Number),
    });
  });

  it('signs no image that failed, and signs an unchanged digest only once', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const { signer, signs, verifies } = fakeSigner(tools);
    const records = [...appLegs.map((l) => record(l)), record(apiLegs[0]), record(apiLegs[1], { status: 'failure', error: 'boom' })];
    const first = await mergeImages(options(tools, records, { signer }));
    expect(first.outcomes.map((o) => [o.status, o.signature?.status])).toEqual([
      ['published', 'signed'],
      ['failed', undefined],
    ]);
    expect(signs).toHaveLength(1);
    expect(signs[0]).not.toContain(digestFor('api--linux-amd64'));
    // The same legs again: the same index digest, already signed with this key.
    const second = await mergeImages(options(tools, records, { signer }));
    expect(second.outcomes[0].signature?.status).toBe('already signed');
    expect(signs).toHaveLength(1);
    // The index and both platform manifests were checked.
    expect(verifies.filter((v) => v.includes(digestFor('app--linux-arm64')))).toHaveLength(2);
  });

  it('signs an unchanged image it re-tags (a signing run leaves no published image unsigned), once', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    // Published by an earlier run without a key.
    const first = await mergeImages(
      options(
        tools,
        appLegs.map((l) => record(l)),
      ),
    );
    const index = first.outcomes[0].digest!;
    const { signer, signs } = fakeSigner(tools);
    const unchanged = [
      {
        image: 'app',
        dir: 'app',
        tags: ['app-20261126'],
        index,
        platforms: appLegs.map((l, i) => ({
          platform: l.platform,
          digest: digestFor(l.id),
          inputDigest: `sha256:${String(i + 1).repeat(64)}`,
        })),
      },
    ];
    const retag = () => mergeImages({ images: [], legs: [], records: [], publish, imagetools: tools, env: {}, signer, unchanged });
    const report = await retag();
    expect(report.outcomes.map((o) => [o.unchanged, o.status, o.signature?.status])).toEqual([[true, 'published', 'signed']]);
    expect(signs).toEqual([`${REPO}@${index}`]);
    expect((await retag()).outcomes[0].signature?.status).toBe('already signed');
    expect(signs).toHaveLength(1);
  });

  it('signs only the images whose settings say sign: an unchanged one re-tagged and a built one with sign: false stay unsigned', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const first = await mergeImages(
      options(
        tools,
        appLegs.map((l) => record(l)),
      ),
    );
    const index = first.outcomes.find((o) => o.image === 'app')!.digest!;
    const { signer, signs } = fakeSigner(tools);
    const unchanged = (sign: 'key' | 'none') => ({
      image: 'app',
      dir: 'app',
      tags: ['app-20261126'],
      index,
      platforms: appLegs.map((l, i) => ({
        platform: l.platform,
        digest: digestFor(l.id),
        inputDigest: `sha256:${String(i + 1).repeat(64)}`,
      })),
      supplyChain: { sbom: false, provenance: false, sign },
    });
    const retag = (sign: 'key' | 'none') =>
      mergeImages({ images: [], legs: [], records: [], publish, imagetools: tools, env: {}, signer, unchanged: [unchanged(sign)] });
    const notSigned = await retag('none');
    expect(notSigned.outcomes.map((o) => [o.unchanged, o.status, o.signature])).toEqual([[true, 'published', undefined]]);
    expect(signs).toEqual([]);
    expect((await retag('key')).outcomes[0].signature?.status).toBe('signed');
    expect(signs).toEqual([`${REPO}@${index}`]);

    // A built image: `sign: false` in its config (the plan's settings say none) is not signed either.
    const spec = (image: string, sign: 'key' | 'none') =>
      ({ image, supplyChain: { sbom: false, provenance: false, sign } }) as unknown as ImageSpec;
    const built = await mergeImages(
      options(
        tools,
        apiLegs.map((l) => record(l)),
        {
          images: [{ image: 'api', tags: ['api-20261125'] }],
          legs: apiLegs,
          signer,
          supplyChain: {
            specs: [spec('api', 'none')],
            recordDirs: new Map(),
            outDir: tmpdir(),
            builder: { id: 'hephy-builder 0.1.0', version: '0.1.0' },
            tools: {},
          },
        },
      ),
    );
    expect(built.outcomes.map((o) => [o.image, o.status, o.signature])).toEqual([['api', 'published', undefined]]);
    expect(signs).toHaveLength(1);
  });

  it('says in one line, in the log and the summary, which attestations a re-tagged unchanged image lacks; finds those it has', async () => {
    const tools = new FakeImagetools().pushed(appLegs);
    const index = (
      await mergeImages(
        options(
          tools,
          appLegs.map((l) => record(l)),
        ),
      )
    ).outcomes[0].digest!;
    const { signer, verifies } = fakeSigner(tools);
    const unchanged = [
      {
        image: 'app',
        dir: 'app',
        tags: ['app-20261126'],
        index,
        platforms: appLegs.map((l, i) => ({
          platform: l.platform,
          digest: digestFor(l.id),
          inputDigest: `sha256:${String(i + 1).repeat(64)}`,
        })),
        supplyChain: { sbom: true, provenance: false, sign: 'key' as const },
      },
    ];
    const log: string[] = [];
    const retag = () =>
      mergeImages({ images: [], legs: [], records: [], publish, imagetools: tools, env: {}, signer, unchanged, log: (l) => log.push(l) });
    const report = await retag();
    const note = 'no SBOM attestation on the published digest (built by an earlier run without it); --force-rebuild to make one';
    expect(report.outcomes[0]).toMatchObject({ status: 'published', notes: [note] });
    expect(report.outcomes[0].attestations).toBeUndefined();
    expect(log).toContain(`[app] ${note}`);
    expect(renderRunSummaryText(report)).toContain(`  note: ${note}`);
    expect(renderRunSummaryMarkdown(report)).toContain(`- \`app\`: ${note}`);
    // Read as verify reads it: each platform manifest's spdxjson statement, with the key.
    expect(verifies.length).toBeGreaterThan(0);

    // One platform attested (by an earlier run that had a key): only the other is named.
    await signer.cosign.attest(
      {
        key: signer.key,
        reference: `${REPO}@${digestFor(appLegs[0].id)}`,
        predicate: '/p.json',
        type: 'spdxjson',
        material: signer.material,
      },
      signer.context,
    );
    const partly = (await retag()).outcomes[0];
    expect(partly.notes).toEqual([
      'no SBOM attestation on linux/arm64 of the published digest (built by an earlier run without it); --force-rebuild to make one',
    ]);
    expect(partly.attestations?.platforms).toEqual([
      { platform: 'linux/amd64', digest: digestFor(appLegs[0].id), sbom: 'already attested' },
      { platform: 'linux/arm64', digest: digestFor(appLegs[1].id) },
    ]);
    // The verify command of the statement found, none for what the other platform lacks.
    expect(partly.attestations?.verifyCommands).toEqual([
      `cosign verify-attestation --key=/keys/cosign.pub --type=spdxjson --insecure-ignore-tlog=true ${REPO}@${digestFor(appLegs[0].id)}`,
    ]);
  });

  it('names both kinds in the one line when both are missing', () => {
    const platforms = [{ platform: 'linux/amd64', digest: `sha256:${'a'.repeat(64)}` }];
    expect(missingAttestationsNote(platforms, { sbom: true, provenance: true })).toBe(
      'no SBOM and no provenance attestation on the published digest (built by an earlier run without them); --force-rebuild to make them',
    );
    expect(missingAttestationsNote([{ ...platforms[0], sbom: 'already attested' }], { sbom: true, provenance: false })).toBeUndefined();
  });

  it('fails the image when signing fails, saying its tags stay published', async () => {
    const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
    const { signer } = fakeSigner(tools, true);
    const report = await mergeImages(
      options(
        tools,
        [...appLegs, ...apiLegs].map((l) => record(l)),
        { signer },
      ),
    );
    const app = report.outcomes[0];
    expect(app.status).toBe('failed');
    expect(app.tags).toEqual([`${REPO}:app-20261125`, `${REPO}:app-latest`]);
    expect(app.error).toBe(
      `published at ${REPO}:app-20261125, ${REPO}:app-latest (${app.digest}), but signing failed: cosign sign: signing [x]: PUT https://127.0.0.1:5000/v2/...: UNAUTHORIZED`,
    );
    expect(anyFailed(report)).toBe(true);
  });
});

describe('mergeImages with SBOM and provenance (issue 12)', () => {
  const specOf = (image: string, backend: 'ko' | 'kaniko' = 'ko') =>
    ({
      image,
      dir: image,
      config: {},
      backend,
      backendReason: 'test',
      platforms: ['linux/amd64', 'linux/arm64'],
      source: { kind: 'local', dir: image },
      additionalTags: [],
      tags: [],
      supplyChain: { sbom: true, provenance: true, sign: 'key' },
    }) as never;

  /** Leg records with their SBOM files written beside them in a temp dir. */
  function withSboms(legs: Leg[], dir: string): LegRecord[] {
    return legs.map((l) => {
      const file = `hephy-leg-${l.id}.spdx.json`;
      const text = `{"spdxVersion":"SPDX-2.3","name":"${l.id}"}\n`;
      writeFileSync(join(dir, file), text);
      return record(l, { sbom: { file, tool: 'ko v0.19.1', sha256: createHash('sha256').update(text).digest('hex') } });
    });
  }

  function chain(dir: string) {
    return {
      specs: [specOf('app'), specOf('api')],
      recordDirs: new Map<string, string>(),
      outDir: dir,
      builder: { id: 'hephy-builder 0.1.0', version: '0.1.0' },
      tools: { cosign: 'v3.1.3' },
    };
  }

  it('attests every platform manifest of each published image with an SBOM and a provenance statement, after signing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-attest-'));
    try {
      const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
      const { signer, attests, signs } = fakeSigner(tools);
      const log: string[] = [];
      const report = await mergeImages(
        options(tools, withSboms([...appLegs, ...apiLegs], dir), {
          signer,
          supplyChain: chain(dir),
          log: (l) => log.push(l),
          concurrency: 1,
        }),
      );
      expect(report.outcomes.map((o) => o.status)).toEqual(['published', 'published']);
      expect(signs).toHaveLength(2);
      expect(attests.sort()).toEqual(
        [...appLegs, ...apiLegs]
          .flatMap((l) => [`spdxjson ${REPO}@${digestFor(l.id)}`, `slsaprovenance1 ${REPO}@${digestFor(l.id)}`])
          .sort(),
      );
      expect(report.outcomes[0].attestations?.platforms).toEqual([
        { platform: 'linux/amd64', digest: digestFor(appLegs[0].id), sbom: 'attested', provenance: 'attested' },
        { platform: 'linux/arm64', digest: digestFor(appLegs[1].id), sbom: 'attested', provenance: 'attested' },
      ]);
      const provenance = JSON.parse(readFileSync(join(dir, `hephy-leg-${appLegs[0].id}.provenance.json`), 'utf8'));
      expect(provenance.runDetails.builder.id).toBe('hephy-builder 0.1.0');
      expect(log.some((l) => l.includes('no signing key'))).toBe(false);

      // Again, same digests: every statement verifies already, nothing is attested twice.
      const again = await mergeImages(
        options(tools, withSboms([...appLegs, ...apiLegs], dir), { signer, supplyChain: chain(dir), log: (l) => log.push(l) }),
      );
      expect(again.outcomes[0].attestations?.platforms[0]).toMatchObject({ sbom: 'already attested', provenance: 'already attested' });
      expect(attests).toHaveLength(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a verify command for each statement really attached: none for a kind the settings leave out or one not there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-attest-'));
    try {
      const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
      const { signer } = fakeSigner(tools);
      const sbomOnly = chain(dir);
      sbomOnly.specs = [
        { ...(specOf('app') as object), supplyChain: { sbom: true, provenance: false, sign: 'key' } } as never,
        specOf('api'),
      ];
      const report = await mergeImages(
        options(tools, withSboms([...appLegs, ...apiLegs], dir), { signer, supplyChain: sbomOnly, concurrency: 1 }),
      );
      const [app, api] = report.outcomes;
      const command = (l: Leg, type: string) =>
        `cosign verify-attestation --key=/keys/cosign.pub --type=${type} --insecure-ignore-tlog=true ${REPO}@${digestFor(l.id)}`;
      expect(app.attestations?.verifyCommands).toEqual(appLegs.map((l) => command(l, 'spdxjson')));
      expect(api.attestations?.verifyCommands).toEqual(apiLegs.flatMap((l) => [command(l, 'spdxjson'), command(l, 'slsaprovenance1')]));
      const text = renderRunSummaryText(report);
      expect(text).toContain(`  attested: SBOM on 2, provenance on 0 of 2 platform(s); verify:\n    ${command(appLegs[0], 'spdxjson')}\n`);
      expect(text).not.toContain(command(appLegs[0], 'slsaprovenance1'));
      expect(renderRunSummaryMarkdown(report)).toContain(`\`${command(apiLegs[1], 'slsaprovenance1')}\``);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed image gets no attestation; an altered SBOM fails its image, published but not attested', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-attest-'));
    try {
      const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
      const { signer, attests } = fakeSigner(tools);
      const records = withSboms([...appLegs, ...apiLegs], dir);
      records[1] = { ...records[1], status: 'failure', error: 'build failed: x' };
      writeFileSync(join(dir, records[2].sbom!.file), '{"spdxVersion":"SPDX-2.3","name":"swapped"}\n');
      const report = await mergeImages(options(tools, records, { signer, supplyChain: chain(dir), concurrency: 1 }));
      expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'failed']);
      expect(report.outcomes[1].error).toMatch(/but attesting failed: .*is not the SBOM the leg api--linux-amd64 wrote/);
      expect(attests).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a signer writes the provenance beside the records, attaches nothing, and says so once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-attest-'));
    try {
      const tools = new FakeImagetools().pushed([...appLegs, ...apiLegs]);
      const log: string[] = [];
      const report = await mergeImages(
        options(tools, withSboms([...appLegs, ...apiLegs], dir), { supplyChain: chain(dir), log: (l) => log.push(l) }),
      );
      expect(report.outcomes.map((o) => [o.status, o.attestations])).toEqual([
        ['published', undefined],
        ['published', undefined],
      ]);
      expect(log.filter((l) => l.includes('no signing key'))).toHaveLength(1);
      expect(readdirSync(dir).filter((f) => f.endsWith('.provenance.json'))).toHaveLength(4);
      // The SBOM and provenance files are not leg records.
      expect(readLegRecords(dir).problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
