import {
  basesOf,
  dependantsOf,
  MAX_WAVES,
  needBuildArg,
  needBuildArgs,
  neededImagesFor,
  imagesWithDependants,
  layoutNeedProblem,
  orderImages,
  type GraphImage,
} from '../../src/core/imageGraph.js';

const node = (image: string, needs: string[] = [], file = `${image}/build-config.yaml`, entryName?: string): GraphImage => ({
  image,
  file,
  ...(entryName ? { entryName } : {}),
  needs: needs.map((name, i) => ({ name, at: { file, line: 2 + i, column: 9, path: `needs[${i}]` } })),
});

describe('orderImages', () => {
  it('puts images without needs in wave 1 and each dependant one wave past its deepest need', () => {
    const graph = orderImages([node('base'), node('tools', ['base']), node('app', ['base', 'tools']), node('other')]);
    expect(Object.fromEntries(graph.waves)).toEqual({ base: 1, tools: 2, app: 3, other: 1 });
    expect(graph.needs.get('app')).toEqual([
      { name: 'base', image: 'base' },
      { name: 'tools', image: 'tools' },
    ]);
    expect(graph.problems.size).toBe(0);
  });

  it('resolves a need to an images[].name of the same file before an image name of the repository', () => {
    const file = 'mono/build-config.yaml';
    const graph = orderImages([node('base'), node('mono-base', [], file, 'base'), node('mono-app', ['base'], file, 'app')]);
    expect(graph.needs.get('mono-app')).toEqual([{ name: 'base', image: 'mono-base' }]);
  });

  it('names the images of a cycle, in order, at the need that closes it', () => {
    const graph = orderImages([node('a', ['b']), node('b', ['c']), node('c', ['a']), node('d', ['a'])]);
    expect(graph.waves.size).toBe(0);
    expect(graph.problems.get('a')?.[0].message).toBe('a cycle of needs: a -> b -> c -> a');
    expect(graph.problems.get('b')?.[0].message).toBe('a cycle of needs: a -> b -> c -> a');
    expect(graph.problems.get('d')?.[0].message).toBe('needs a, which cannot be planned');
  });

  it(`refuses a chain deeper than ${MAX_WAVES} waves, naming it`, () => {
    const graph = orderImages([node('a'), node('b', ['a']), node('c', ['b']), node('d', ['c'])]);
    expect(graph.waves.get('c')).toBe(3);
    expect(graph.waves.has('d')).toBe(false);
    expect(graph.problems.get('d')?.[0]).toMatchObject({
      file: 'd/build-config.yaml',
      line: 2,
      path: 'needs[0]',
      message: 'image d would build in wave 4 (a -> b -> c -> d); hephy-builder builds at most 3 waves',
    });
  });

  it('reports an unknown need, a need of itself and a need named twice at the need', () => {
    const graph = orderImages([node('a', ['nope', 'a']), node('b', ['a', 'a'])]);
    expect(graph.problems.get('a')?.map((p) => p.message)).toEqual([
      'needs `nope`, which is no image of this repository',
      'image a needs itself',
    ]);
    expect(graph.problems.get('b')?.map((p) => [p.line, p.message])).toEqual([[3, '`a` is needed twice (image a)']]);
  });
});

describe('orderImages: platforms', () => {
  const on = (n: GraphImage, platforms: string[]): GraphImage => ({ ...n, platforms });
  it('refuses a need not built for every platform of the image, at the need (each leg builds on the same platform of its need)', () => {
    const graph = orderImages([
      on(node('pb'), ['linux/amd64']),
      on(node('pa', ['pb']), ['linux/amd64', 'linux/arm64']),
      on(node('ok', ['pb']), ['linux/amd64']),
    ]);
    expect(graph.problems.get('pa')).toEqual([
      expect.objectContaining({
        file: 'pa/build-config.yaml',
        line: 2,
        path: 'needs[0]',
        severity: 'error',
        message: "needs pb, which is not built for linux/arm64: each platform of pa builds on pb's image of the same platform",
      }),
    ]);
    expect(graph.waves.has('pa')).toBe(false);
    expect(graph.waves.get('ok')).toBe(2);
  });
});

describe('selection along needs', () => {
  const { needs } = orderImages([node('base'), node('app1', ['base']), node('app2', ['base']), node('top', ['app1'])]);
  it('a selected base selects every image built on it, through others too', () => {
    expect([...dependantsOf(['base'], needs)].sort()).toEqual(['app1', 'app2', 'base', 'top']);
    expect([...dependantsOf(['app2'], needs)]).toEqual(['app2']);
  });
  it('a selected dependant brings its bases, not their other dependants', () => {
    expect([...basesOf(['top'], needs)].sort()).toEqual(['app1', 'base', 'top']);
  });
});

describe('needBuildArg', () => {
  it('upper-cases the name and turns what is not A-Z0-9 into _', () => {
    expect(needBuildArg('base')).toBe('BASE_IMAGE');
    expect(needBuildArg('go-base.v2')).toBe('GO_BASE_V2_IMAGE');
  });
});

describe('neededImagesFor: a leg of wave N from the records of the earlier waves', () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  const needs = [{ name: 'base', image: 'base' }];
  const record = (platform: string, extra: object = {}) => ({
    image: 'base',
    platform,
    status: 'success' as const,
    repository: 'reg/p/base',
    digest,
    ...extra,
  });

  it('gives each need as the digest pushed for the same platform, and its build arg', () => {
    const got = neededImagesFor(needs, 'linux/arm64', [record('linux/amd64', { digest: 'sha256:other' }), record('linux/arm64')]);
    expect(got).toEqual({ needs: [{ name: 'base', ref: `reg/p/base@${digest}` }] });
    expect(needBuildArgs('needs' in got ? got.needs : [])).toEqual([`BASE_IMAGE=reg/p/base@${digest}`]);
  });

  it('skips the leg when the need failed, pushed nothing, or has no leg for the platform', () => {
    expect(neededImagesFor(needs, 'linux/arm64', [record('linux/arm64', { status: 'failure', digest: undefined })])).toEqual({
      skip: 'its need base failed for linux/arm64',
    });
    expect(neededImagesFor(needs, 'linux/arm64', [record('linux/amd64')])).toEqual({ skip: 'its need base has no leg for linux/arm64' });
  });

  it('needs nothing for an image without needs', () => {
    expect(neededImagesFor(undefined, 'linux/amd64', [])).toEqual({ needs: [] });
  });
});

describe('neededImagesFor with push off: a need built without pushing arrives as its OCI layout, where the backend can build on one', () => {
  const digest = `sha256:${'c'.repeat(64)}`;
  const needs = [{ name: 'base', image: 'base' }];
  const unpushed = (extra: object = {}) => ({
    image: 'base',
    platform: 'linux/amd64',
    status: 'success' as const,
    repository: 'reg/p/base',
    digest,
    pushed: false,
    layout: '/run/out/layouts/hephy-layout-base--linux-amd64',
    ...extra,
  });

  it("gives a BuildKit leg the layout its need's leg kept, and the build arg that makes FROM ${BASE_IMAGE} read that named context", () => {
    const got = neededImagesFor(needs, 'linux/amd64', [unpushed()], 'buildkit');
    expect(got).toEqual({
      needs: [{ name: 'base', ref: `reg/p/base@${digest}`, layout: '/run/out/layouts/hephy-layout-base--linux-amd64' }],
    });
    // BuildKit looks a FROM up among the named contexts by its normalized familiar name, the same
    // normalization buildx applies to the --build-context key (moby/buildkit v0.32.2
    // frontend/dockerui/config.go NamedContext; docker/buildx v0.36.1 util/buildflags/context.go):
    // the value is the context's key, never the unpushed ref (which no registry serves).
    expect(needBuildArgs('needs' in got ? got.needs : [])).toEqual(['BASE_IMAGE=base']);
  });

  it('skips a Kaniko leg with the reason (its executor takes no base from a layout); gives a ko leg the layout (through its base cache)', () => {
    expect(neededImagesFor(needs, 'linux/amd64', [unpushed()], 'kaniko')).toEqual({
      skip: 'its need base was built without pushing for linux/amd64, and Kaniko cannot build FROM an OCI layout; push the base or use BuildKit',
    });
    expect(neededImagesFor(needs, 'linux/amd64', [unpushed()], 'ko')).toEqual({
      needs: [{ name: 'base', ref: `reg/p/base@${digest}`, layout: '/run/out/layouts/hephy-layout-base--linux-amd64' }],
    });
    expect(layoutNeedProblem('buildkit')).toBeUndefined();
    expect(layoutNeedProblem('spin')).toBe('Spin builds on no image');
  });

  it('skips a BuildKit leg whose need kept no layout (or whose layout was not found), and any leg when the backend is unknown', () => {
    expect(neededImagesFor(needs, 'linux/amd64', [unpushed({ layout: undefined })], 'buildkit')).toEqual({
      skip: 'its need base was built without pushing for linux/amd64 and kept no OCI layout of it, so there is no image to build on',
    });
    expect(neededImagesFor(needs, 'linux/amd64', [unpushed()])).toEqual({
      skip: 'its need base was built without pushing for linux/amd64, and the backend is not known here',
    });
  });

  it('a pushed need stays a registry ref even beside a layout need', () => {
    const needsTwo = [...needs, { name: 'tools', image: 'tools' }];
    const pushedTools = { ...unpushed({ image: 'tools', repository: 'reg/p/tools', layout: undefined }), pushed: true };
    const got = neededImagesFor(needsTwo, 'linux/amd64', [unpushed(), pushedTools], 'buildkit');
    expect(needBuildArgs('needs' in got ? got.needs : [])).toEqual(['BASE_IMAGE=base', `TOOLS_IMAGE=reg/p/tools@${digest}`]);
  });

  it('names the images others are built on: their legs keep a layout with push off', () => {
    expect(imagesWithDependants([{ needs: [{ name: 'base', image: 'base' }] }, { needs: [{ name: 'b', image: 'multi-b' }] }, {}])).toEqual(
      new Set(['base', 'multi-b']),
    );
  });
});
