import { canonicalJson, effectiveConfig, inputDigest, inputDigestTag, type InputDigestMaterial } from '../../src/core/inputDigest.js';

const material = (over: Partial<InputDigestMaterial> = {}): InputDigestMaterial => ({
  backend: 'kaniko',
  tools: { kaniko: 'v1.25.5' },
  platform: 'linux/amd64',
  config: { build_backend: 'kaniko', build_args: ['A=${X}'], additional_tags: ['latest'] },
  expanded: { build_args: ['A=1'] },
  dockerfile: 'app/Dockerfile',
  options: {},
  files: [
    { path: 'app/Dockerfile', sha256: 'a'.repeat(64), kind: 'file', executable: false },
    { path: 'app/run.sh', sha256: 'b'.repeat(64), kind: 'file', executable: true },
  ],
  baseImages: { 'reg/base:1': `sha256:${'c'.repeat(64)}` },
  ...over,
});

describe('inputDigest', () => {
  const base = inputDigest(material());

  it('is a sha256 digest, stable for the same material in any order', () => {
    expect(base).toMatch(/^sha256:[a-f0-9]{64}$/);
    const reordered = material();
    reordered.files = [...reordered.files].reverse();
    expect(inputDigest(reordered)).toBe(base);
  });

  it.each<[string, Partial<InputDigestMaterial>]>([
    ['a file content', { files: [{ path: 'app/Dockerfile', sha256: 'd'.repeat(64), kind: 'file', executable: false }] }],
    ['a file path', { files: [{ path: 'app/Dockerfile2', sha256: 'a'.repeat(64), kind: 'file', executable: false }] }],
    [
      'an executable bit',
      {
        files: [
          { path: 'app/Dockerfile', sha256: 'a'.repeat(64), kind: 'file', executable: false },
          { path: 'app/run.sh', sha256: 'b'.repeat(64), kind: 'file', executable: false },
        ],
      },
    ],
    ['the platform', { platform: 'linux/arm64' }],
    ['the backend and its version', { tools: { kaniko: 'v1.25.6' } }],
    ['an expanded build arg', { expanded: { build_args: ['A=2'] } }],
    ['the target', { target: 'prod' }],
    ['the Dockerfile path', { dockerfile: 'app/Dockerfile.prod' }],
    ['a base image digest', { baseImages: { 'reg/base:1': `sha256:${'e'.repeat(64)}` } }],
    ['a config key', { config: { build_backend: 'kaniko', build_args: ['A=${X}'], platforms: ['linux/amd64'] } }],
    ['a run option', { options: { kanikoImage: 'reg/kaniko@sha256:1' } }],
  ])('moves with %s', (_what, change) => {
    expect(inputDigest(material(change))).not.toBe(base);
  });

  it('does not move with the published tags or the image name', () => {
    expect(
      inputDigest(material({ config: { build_backend: 'kaniko', build_args: ['A=${X}'], additional_tags: ['v2'], image_name: 'x' } })),
    ).toBe(base);
    expect(effectiveConfig({ additional_tags: ['a'], image_name: 'n', target: 't' })).toEqual({ target: 't' });
  });

  it('refuses a file listed twice', () => {
    const twice = material();
    twice.files = [twice.files[0], twice.files[0]];
    expect(() => inputDigest(twice)).toThrow('app/Dockerfile is listed twice');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});

describe('inputDigestTag', () => {
  it('is in- and the hex, a valid OCI tag (at most 128 chars of [a-zA-Z0-9_.-])', () => {
    const tag = inputDigestTag(`sha256:${'f'.repeat(64)}`);
    expect(tag).toBe(`in-${'f'.repeat(64)}`);
    expect(tag).toMatch(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/);
    expect(() => inputDigestTag('sha512:00')).toThrow('not a sha256 digest');
  });
});
