import { imageInputDigest, inputRecordRef, splitByPublished } from '../../src/core/digestSelection.js';
import { legsOf } from '../../src/core/plan.js';
import type { ImageSpec, Plan } from '../../src/core/model.js';

const spec = (image: string, platforms: string[]): ImageSpec => ({
  image,
  dir: image,
  config: {},
  backend: 'kaniko',
  backendReason: 'test',
  platforms,
  source: { kind: 'local', dir: image },
  additionalTags: ['latest'],
  tags: [`${image}-20261125`],
});
const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('inputRecordRef', () => {
  it('is the in- tag in the image repository, prefixed by the image in single-repo mode', () => {
    expect(inputRecordRef('app', d('a'), { registry: 'r:5000', prefix: 'team', mode: 'per-image' })).toBe(
      `r:5000/team/app:in-${'a'.repeat(64)}`,
    );
    expect(inputRecordRef('app', d('a'), { registry: 'r:5000', prefix: 'images', mode: 'single-repo' })).toBe(
      `r:5000/images:app-in-${'a'.repeat(64)}`,
    );
  });
});

describe('splitByPublished', () => {
  const images = [spec('a', ['linux/amd64', 'linux/arm64']), spec('b', ['linux/amd64', 'linux/arm64']), spec('c', ['linux/amd64'])];
  const legs = images.flatMap((s) => legsOf(s)).map((leg) => (leg.image === 'c' ? leg : { ...leg, inputDigest: d(leg.image) }));
  const plan: Plan = {
    mode: { kind: 'all' },
    images,
    matrix: { include: legs },
    skipped: [],
    problems: [],
    publish: { mode: 'per-image', perArchTags: false, run: 'the default branch main', push: true, recordInputs: true },
  };

  const legsPublished = new Map([
    ['a--linux-amd64', d('1')],
    ['a--linux-arm64', d('2')],
    ['b--linux-amd64', d('3')],
  ]);

  it('leaves out an image whose every platform and index is published, builds one with a platform missing, and one without digests', () => {
    const split = splitByPublished(plan, { legs: legsPublished, indexes: new Map([['a', d('9')]]) });
    expect(split.images.map((s) => s.image)).toEqual(['b', 'c']);
    expect(split.matrix.include.map((l) => l.id)).toEqual(['b--linux-amd64', 'b--linux-arm64', 'c--linux-amd64']);
    expect(split.unchanged).toEqual([
      {
        image: 'a',
        dir: 'a',
        tags: ['a-20261125'],
        index: d('9'),
        platforms: [
          { platform: 'linux/amd64', digest: d('1'), inputDigest: d('a') },
          { platform: 'linux/arm64', digest: d('2'), inputDigest: d('a') },
        ],
      },
    ]);
  });

  it('builds an image whose platforms are published but whose index is not (it is copied, so it must exist)', () => {
    const split = splitByPublished(plan, { legs: legsPublished, indexes: new Map() });
    expect(split.images.map((s) => s.image)).toEqual(['a', 'b', 'c']);
    expect(split.unchanged).toEqual([]);
  });

  it("keeps an unchanged image's supply-chain settings: the merge signs and checks it by them", () => {
    const settings = { sbom: true, provenance: false, sign: 'none' as const };
    const withSettings = { ...plan, images: plan.images.map((s) => (s.image === 'a' ? { ...s, supplyChain: settings } : s)) };
    const split = splitByPublished(withSettings, { legs: legsPublished, indexes: new Map([['a', d('9')]]) });
    expect(split.unchanged?.map((u) => [u.image, u.supplyChain])).toEqual([['a', settings]]);
  });

  it('needs no index for a WebAssembly artifact: its tags point at the artifact', () => {
    const wasm = spec('w', ['wasi/wasm32']);
    const wasmLegs = legsOf(wasm).map((leg) => ({ ...leg, inputDigest: d('e') }));
    const split = splitByPublished(
      { ...plan, images: [wasm], matrix: { include: wasmLegs } },
      { legs: new Map([[wasmLegs[0].id, d('5')]]), indexes: new Map() },
    );
    expect(split.images).toEqual([]);
    expect(split.unchanged).toEqual([
      { image: 'w', dir: 'w', tags: ['w-20261125'], platforms: [{ platform: 'wasi/wasm32', digest: d('5'), inputDigest: d('e') }] },
    ]);
  });
});

describe('imageInputDigest', () => {
  it('changes when any platform changes, not with the order platforms are listed in, and needs every one', () => {
    const one = imageInputDigest([
      { platform: 'linux/amd64', inputDigest: d('1') },
      { platform: 'linux/arm64', inputDigest: d('2') },
    ]);
    expect(one).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(
      imageInputDigest([
        { platform: 'linux/arm64', inputDigest: d('2') },
        { platform: 'linux/amd64', inputDigest: d('1') },
      ]),
    ).toBe(one);
    expect(
      imageInputDigest([
        { platform: 'linux/amd64', inputDigest: d('1') },
        { platform: 'linux/arm64', inputDigest: d('3') },
      ]),
    ).not.toBe(one);
    expect(imageInputDigest([{ platform: 'linux/amd64', inputDigest: d('1') }, { platform: 'linux/arm64' }])).toBeUndefined();
  });
});
