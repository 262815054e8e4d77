import { inputRecordRef, splitByPublished } from '../../src/core/digestSelection.js';
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
  const plan: Plan = { mode: { kind: 'all' }, images, matrix: { include: legs }, skipped: [], problems: [] };

  it('leaves out an image whose every platform is published, builds one with a platform missing, and one without digests', () => {
    const published = new Map([
      ['a--linux-amd64', d('1')],
      ['a--linux-arm64', d('2')],
      ['b--linux-amd64', d('3')],
    ]);
    const split = splitByPublished(plan, published);
    expect(split.images.map((s) => s.image)).toEqual(['b', 'c']);
    expect(split.matrix.include.map((l) => l.id)).toEqual(['b--linux-amd64', 'b--linux-arm64', 'c--linux-amd64']);
    expect(split.unchanged).toEqual([
      {
        image: 'a',
        dir: 'a',
        additionalTags: ['latest'],
        platforms: [
          { platform: 'linux/amd64', digest: d('1'), inputDigest: d('a') },
          { platform: 'linux/arm64', digest: d('2'), inputDigest: d('a') },
        ],
      },
    ]);
  });
});
