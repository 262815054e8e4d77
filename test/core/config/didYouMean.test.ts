import { editDistance, normalizeKey, suggest } from '../../../src/core/config/didYouMean.js';
import { BACKENDS, TOP_LEVEL_KEYS } from '../../../src/core/config/schema.js';

describe('suggest', () => {
  test.each([
    ['build_backnd', 'build_backend'],
    ['buildBackend', 'build_backend'],
    ['build-backend', 'build_backend'],
    ['BUILD_BACKEND', 'build_backend'],
    ['bulid_backend', 'build_backend'],
    ['platform', 'platforms'],
    ['dockerfile', 'dockerfile_path'],
    ['backend', 'build_backend'],
    ['additional_tag', 'additional_tags'],
    ['useLocalContext', 'use_local_context'],
    ['upstream-ref', 'upstream_ref'],
    ['name', 'image_name'],
  ])('%s -> %s', (word, expected) => {
    expect(suggest(word, TOP_LEVEL_KEYS)).toBe(expected);
  });

  test.each(['version', 'foo', 'x', '', 'completely_unrelated_key', 'a'.repeat(10_000)])('no hint for %s', (word) => {
    expect(suggest(word, TOP_LEVEL_KEYS)).toBeUndefined();
  });

  test('values too', () => {
    expect(suggest('kanico', BACKENDS)).toBe('kaniko');
    expect(suggest('Buildkit', BACKENDS)).toBe('buildkit');
    expect(suggest('docker', BACKENDS)).toBeUndefined();
  });

  test('two equally close candidates give no hint', () => {
    expect(suggest('v9', ['v5', 'v6', 'v7', 'v8'])).toBeUndefined();
  });
});

test('editDistance counts a swap as one edit', () => {
  expect(editDistance('bulid', 'build')).toBe(1);
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('', 'abc')).toBe(3);
});

test('normalizeKey folds case, dashes and camelCase', () => {
  expect(normalizeKey('buildBackend')).toBe('build_backend');
  expect(normalizeKey('Build-Backend')).toBe('build_backend');
  expect(normalizeKey('ko_config.platforms')).toBe('ko_config_platforms');
});
