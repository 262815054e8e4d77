import type { Detection } from '../../src/core/detect.js';
import { defaultPlatforms } from '../../src/core/backendTraits.js';
import { defaultImageName, resolveImageSpec, sanitizeImageName } from '../../src/core/imageSpec.js';
import type { BackendName, BuildConfig } from '../../src/core/config/schema.js';

const detected = (backend: BackendName, reason = 'test'): Detection & { backend: BackendName } => ({ backend, reason, problems: [] });

describe('image names', () => {
  it.each([
    ['curl', 'curl'],
    ['nested/tools/arm-only', 'nested-tools-arm-only'],
    ['Tools/My_App', 'tools-my_app'],
    ['a b/c@d', 'a-b-c-d'],
    ['-x--y__z-', 'x-y_z'],
  ])('%s -> %s', (dir, image) => {
    expect(defaultImageName(dir, 'repo')).toBe(image);
  });

  it('names the root after the repository', () => {
    expect(defaultImageName('.', 'My.Service')).toBe('my.service');
    expect(defaultImageName('.', '---')).toBe('app');
  });

  it('produces names the config schema accepts', () => {
    for (const raw of ['A..B', '__x', 'x.-y', 'ÄÖ/ü', 'a/./b']) {
      expect(sanitizeImageName(raw)).toMatch(/^([a-z0-9]+([._-][a-z0-9]+)*)?$/);
    }
  });
});

describe('resolveImageSpec', () => {
  const resolve = (config: BuildConfig, backend: BackendName = 'kaniko', dir = 'apps/web') =>
    resolveImageSpec({ dir, configFile: `${dir}/build-config.yaml`, config, detection: detected(backend, 'because'), repoName: 'repo' });

  it('fills defaults', () => {
    expect(resolve({}).spec).toEqual({
      image: 'apps-web',
      dir: 'apps/web',
      configFile: 'apps/web/build-config.yaml',
      config: {},
      backend: 'kaniko',
      backendReason: 'because',
      platforms: ['linux/amd64', 'linux/arm64'],
      source: { kind: 'local', dir: 'apps/web' },
      additionalTags: [],
    });
    expect(defaultPlatforms('spin')).toEqual(['wasi/wasm32']);
    expect(resolve({}, 'spin').spec.platforms).toEqual(['wasi/wasm32']);
  });

  it('takes image_name, tags, platforms (normalised) and an upstream source from the config', () => {
    const { spec, problems } = resolve({
      image_name: 'web',
      additional_tags: ['latest'],
      platforms: ['linux/arm64/v8', 'linux/arm/v7'],
      upstream_repo: 'https://example.com/org/web.git',
      upstream_ref: 'v2',
    });
    expect(problems).toEqual([]);
    expect(spec).toMatchObject({
      image: 'web',
      additionalTags: ['latest'],
      platforms: ['linux/arm64', 'linux/arm/v7'],
      source: { kind: 'upstream', repo: 'https://example.com/org/web.git', ref: 'v2' },
    });
  });

  it('reads ko_config.platforms for ko', () => {
    expect(resolve({ ko_config: { platforms: ['linux/arm64'] } }, 'ko').spec.platforms).toEqual(['linux/arm64']);
  });

  it('rejects linux platforms for a detected spin app, and wasm for other detected backends', () => {
    expect(resolve({ platforms: ['linux/amd64'] }, 'spin').problems[0].message).toMatch(
      /detected backend spin \(because\) builds only wasi\/wasm32, not linux\/amd64/,
    );
    expect(resolve({ platforms: ['wasi/wasm32'] }, 'buildkit').problems[0].message).toMatch(/wasi\/wasm32 is built only by spin/);
    // With an explicit backend, the config loader reports this instead.
    expect(resolve({ build_backend: 'spin', platforms: ['linux/amd64'] }, 'spin').problems).toEqual([]);
  });
});
