import { planMerge } from '../../src/core/mergePlan.js';
import type { Leg, LegRecord } from '../../src/core/model.js';
import type { PublishOptions } from '../../src/core/tags.js';

const opts: PublishOptions = { registry: 'r:5000', prefix: 'imgs', mode: 'single-repo', perArchTags: true };
const leg = (image: string, platform: string): Leg => ({
  id: `${image}--${platform.replace(/\//g, '-')}`,
  image,
  dir: image,
  backend: 'ko',
  platform,
  runner: 'ubuntu-latest',
  emulated: false,
});
const record = (l: Leg, extra: Partial<LegRecord> = {}): LegRecord => ({
  schema: 1,
  legId: l.id,
  image: l.image,
  dir: l.dir,
  platform: l.platform,
  backend: l.backend,
  runner: l.runner,
  repository: 'r:5000/imgs',
  digest: `sha256:${l.platform.length.toString().repeat(64).slice(0, 64)}`,
  durationsMs: { setup: 1, build: 2, push: 3, total: 6 },
  status: 'success',
  startedAt: 't0',
  finishedAt: 't1',
  ...extra,
});

describe('planMerge', () => {
  const legs = [leg('a', 'linux/amd64'), leg('a', 'linux/arm64'), leg('b', 'linux/amd64'), leg('b', 'linux/arm64')];
  const images = [
    { image: 'a', tags: ['a-20260102', 'a-latest'] },
    { image: 'b', tags: ['b-20260102'] },
  ];

  it('publishes an image whose legs all succeeded, over every platform digest', () => {
    const [a] = planMerge(
      images,
      legs,
      legs.map((l) => record(l)),
      opts,
    );
    expect(a.status).toBe('ready');
    expect(a.tags).toEqual(['r:5000/imgs:a-20260102', 'r:5000/imgs:a-latest']);
    expect(a.sources).toHaveLength(2);
    expect(a.sources[0]).toMatch(/^r:5000\/imgs@sha256:/);
    expect(a.perArch.map((p) => p.tag)).toEqual([
      'r:5000/imgs:a-20260102-amd64',
      'r:5000/imgs:a-latest-amd64',
      'r:5000/imgs:a-20260102-arm64',
      'r:5000/imgs:a-latest-arm64',
    ]);
  });

  it("takes the plan's full references as they are when they name the merge's repository", () => {
    const [a] = planMerge(
      [{ image: 'a', tags: ['r:5000/imgs:a-1.2.3'] }],
      legs.slice(0, 2),
      legs.slice(0, 2).map((l) => record(l)),
      opts,
    );
    expect(a).toMatchObject({ status: 'ready', tags: ['r:5000/imgs:a-1.2.3'] });
  });

  it('fails an image before any push when a per-arch variant of a tag is over 128 characters', () => {
    const tag = `a-${'x'.repeat(120)}`; // 122 characters; -amd64 makes it 128, -arm64 too, -riscv64 130
    const riscv = leg('a', 'linux/riscv64');
    const [a] = planMerge([{ image: 'a', tags: [tag] }], [riscv], [record(riscv)], opts);
    expect(a.status).toBe('failed');
    expect(a.error).toMatch(/is 130 characters long, over the limit of 128 \(a per-arch tag\); no tag moved/);
  });

  it('annotates the index with what every leg put on its manifest alike', () => {
    const shared = { 'org.opencontainers.image.revision': 'abc', 'org.opencontainers.image.title': 'a' };
    const [a, b] = planMerge(
      images,
      legs,
      [
        record(legs[0], { annotations: { ...shared, 'com.example.arch': 'amd64' } }),
        record(legs[1], { annotations: { ...shared, 'com.example.arch': 'arm64' } }),
        record(legs[2], { annotations: shared }),
        record(legs[3]),
      ],
      opts,
    );
    expect(a.annotations).toEqual(shared);
    // A record of an older build says nothing: the index says nothing either.
    expect(b.annotations).toEqual({});
  });

  it('holds back only the image with a failed or missing leg', () => {
    const records = [
      record(legs[0]),
      record(legs[1], { status: 'failure', digest: undefined, error: 'exit 2: no Go files' }),
      record(legs[2]),
    ];
    const [a, b] = planMerge(images, legs, records, opts);
    expect(a.status).toBe('failed');
    expect(a.failedLegs).toEqual([{ legId: 'a--linux-arm64', platform: 'linux/arm64', reason: 'exit 2: no Go files' }]);
    expect(b.status).toBe('failed');
    expect(b.failedLegs[0].reason).toMatch(/no leg record/);
  });

  it('with push off, an image whose legs all built is ready, even without a digest', () => {
    const records = [
      record(legs[0], { pushed: false }),
      record(legs[1], { pushed: false, digest: undefined }),
      record(legs[2], { pushed: false, status: 'failure', error: 'boom' }),
    ];
    const [a, b] = planMerge(images, legs, records, opts, false);
    expect(a.status).toBe('ready');
    expect(a.failedLegs).toEqual([]);
    expect(a.sources).toHaveLength(1);
    expect(b.status).toBe('failed');
    expect(b.failedLegs.map((l) => l.reason)).toEqual(['boom', expect.stringMatching(/no leg record/)]);
  });

  it('with push on, holds back an image with a leg built without pushing', () => {
    const [a] = planMerge(images.slice(0, 1), legs.slice(0, 2), [record(legs[0]), record(legs[1], { pushed: false })], opts);
    expect(a.status).toBe('failed');
    expect(a.failedLegs).toEqual([
      { legId: 'a--linux-arm64', platform: 'linux/arm64', reason: expect.stringMatching(/built with push disabled/) },
    ]);
  });

  it('takes the latest record of a re-run leg', () => {
    const first = record(legs[0], { status: 'failure', digest: undefined, finishedAt: '2026-01-01T00:00:00Z' });
    const rerun = record(legs[0], { finishedAt: '2026-01-01T01:00:00Z' });
    const [a] = planMerge(images.slice(0, 1), legs.slice(0, 1), [rerun, first], opts);
    expect(a.status).toBe('ready');
  });
});
