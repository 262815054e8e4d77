import { formatPlatform, isWasm, normalizePlatform, parsePlatform, platformSlug, samePlatform } from '../../src/core/platform.js';

describe('parsePlatform', () => {
  // The normal form is containerd's, which BuildKit, buildx and Kaniko parse platforms with
  // (containerd/platforms database.go normalizeArch, as vendored by moby/moby): amd64/v1 and
  // arm64/v8 drop the default variant, arm without one is arm/v7.
  test.each([
    ['linux/amd64', { os: 'linux', arch: 'amd64' }],
    ['linux/arm64', { os: 'linux', arch: 'arm64' }],
    ['linux/arm64/v8', { os: 'linux', arch: 'arm64' }],
    ['linux/amd64/v1', { os: 'linux', arch: 'amd64' }],
    ['linux/amd64/v3', { os: 'linux', arch: 'amd64', variant: 'v3' }],
    ['linux/arm', { os: 'linux', arch: 'arm', variant: 'v7' }],
    ['linux/arm/v6', { os: 'linux', arch: 'arm', variant: 'v6' }],
    ['wasi/wasm32', { os: 'wasi', arch: 'wasm32' }],
    ['windows/amd64', { os: 'windows', arch: 'amd64' }],
    ['linux/s390x', { os: 'linux', arch: 's390x' }],
  ])('%s', (input, expected) => {
    expect(parsePlatform(input)).toEqual(expected);
  });

  test('the error says what was expected, what is wrong and what was meant', () => {
    expect(parsePlatform('linux/amd65')).toEqual({
      error: 'expected os/arch[/variant], e.g. linux/amd64; `linux/amd65`: unknown architecture amd65 (did you mean amd64?)',
      reason: '`linux/amd65`: unknown architecture amd65',
      hint: 'did you mean `linux/amd64`?',
    });
  });

  // containerd would also take the kernel's names (aarch64, x86_64) as aliases; the config asks for
  // the OCI names instead, so leg ids, artifact names and every tool see one spelling.
  test.each([
    ['linux/aarch64', 'unknown architecture aarch64', 'did you mean `linux/arm64`?'],
    ['linux/x86_64', 'unknown architecture x86_64', 'did you mean `linux/amd64`?'],
    ['Linux/AMD64', 'unknown operating system Linux', 'did you mean `linux/amd64`?'],
    ['darwn/arm64', 'unknown operating system darwn', 'did you mean `darwin/arm64`?'],
    ['aarch64', 'not of the form os/arch', 'did you mean `linux/arm64`?'],
    ['wasi/wasm', 'unknown architecture wasm', 'did you mean `wasi/wasm32`?'],
    ['linux/wasm32', 'wasm32 goes only with wasi', 'did you mean `wasi/wasm32`?'],
    ['linux/386/v2', '386 has no variants', 'did you mean `linux/386`?'],
    ['linux/amd64/V3', 'unknown amd64 variant V3', 'did you mean `linux/amd64/v3`?'],
    // v9 is one edit from v5, v6, v7 and v8: no guess is better than a wrong one.
    ['linux/arm/v9', 'unknown arm variant v9 (known: v5, v6, v7, v8)', undefined],
    ['linux/arm64/v8/x', 'not of the form os/arch', undefined],
    ['linux//amd64', 'not of the form os/arch', 'did you mean `linux/amd64`?'],
    ['', 'empty platform', undefined],
  ])('%s is refused', (input, reason, hint) => {
    const result = parsePlatform(input);
    expect(result).toMatchObject({ error: expect.stringContaining(reason), hint });
    expect((result as { error: string }).error.startsWith('expected os/arch[/variant], e.g. linux/amd64; ')).toBe(true);
  });

  test('a non-string never throws', () => {
    expect(parsePlatform(42 as unknown as string)).toHaveProperty('error');
  });
});

describe('normalisation', () => {
  test('default variants compare equal, others do not', () => {
    expect(samePlatform('linux/arm64/v8', 'linux/arm64')).toBe(true);
    expect(samePlatform('linux/arm', 'linux/arm/v7')).toBe(true);
    expect(samePlatform('linux/amd64/v1', 'linux/amd64')).toBe(true);
    expect(samePlatform('linux/amd64/v3', 'linux/amd64')).toBe(false);
    expect(samePlatform('linux/arm/v6', 'linux/arm')).toBe(false);
  });

  test('normalizePlatform keeps an unparsable string as written', () => {
    expect(normalizePlatform('linux/arm64/v8')).toBe('linux/arm64');
    expect(normalizePlatform(' linux/amd65 ')).toBe('linux/amd65');
    expect(formatPlatform({ os: 'linux', arch: 'arm', variant: 'v7' })).toBe('linux/arm/v7');
  });
});

describe('platformSlug', () => {
  test.each([
    ['linux/amd64', 'linux-amd64'],
    ['linux/arm64/v8', 'linux-arm64'],
    ['linux/arm/v7', 'linux-arm-v7'],
    ['wasi/wasm32', 'wasi-wasm32'],
    ['linux/amd65 ?', 'linux-amd65-'],
  ])('%s -> %s', (input, slug) => {
    expect(platformSlug(input)).toBe(slug);
  });

  test('accepts a parsed platform', () => {
    expect(platformSlug({ os: 'linux', arch: 'arm64' })).toBe('linux-arm64');
  });
});

test('isWasm', () => {
  expect(isWasm('wasi/wasm32')).toBe(true);
  expect(isWasm({ os: 'wasi', arch: 'wasm32' })).toBe(true);
  expect(isWasm('linux/amd64')).toBe(false);
  expect(isWasm('wasi/wasm')).toBe(false);
});
