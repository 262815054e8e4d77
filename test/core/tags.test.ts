import { dateStamp, defaultImagePrefix, parseTagMode, perArchTag, repositoryFor, type PublishOptions } from '../../src/core/tags.js';
import { UserError } from '../../src/core/problem.js';

const base: PublishOptions = {
  registry: '127.0.0.1:5000',
  prefix: 'team/images',
  mode: 'single-repo',
  perArchTags: false,
};

describe('tags', () => {
  it('stamps the UTC date', () => {
    expect(dateStamp(new Date('2026-11-25T23:59:00Z'))).toBe('20261125');
  });
  it('puts every image in one repository in single-repo mode, each in its own in per-image mode', () => {
    expect(repositoryFor('curl', base)).toBe('127.0.0.1:5000/team/images');
    expect(repositoryFor('curl', { ...base, mode: 'per-image', prefix: 'team' })).toBe('127.0.0.1:5000/team/curl');
    expect(repositoryFor('a', { ...base, mode: 'per-image', prefix: '/p/' })).toBe('127.0.0.1:5000/p/a');
  });
  it('makes the per-platform variant of a tag', () => {
    expect(perArchTag('curl-20261125', 'linux/arm64')).toBe('curl-20261125-arm64');
    expect(perArchTag('20261125', 'linux/arm/v7')).toBe('20261125-armv7');
  });
  it("defaults the image prefix to the repository's owner/name, lower-cased", () => {
    expect(defaultImagePrefix('Octo/Shop', 'Octo')).toBe('octo/shop');
    expect(defaultImagePrefix(undefined, 'Octo')).toBe('octo');
    expect(defaultImagePrefix(undefined)).toBe('hephy');
  });
});

describe('parseTagMode', () => {
  it('reads either mode, and absent or empty as per-image', () => {
    expect(parseTagMode('single-repo', '--tag-mode')).toBe('single-repo');
    expect(parseTagMode('per-image', '--tag-mode')).toBe('per-image');
    expect(parseTagMode(undefined, '--tag-mode')).toBe('per-image');
    expect(parseTagMode('', 'input tag-mode')).toBe('per-image');
  });
  it('rejects anything else with one message naming where the value came from', () => {
    expect(() => parseTagMode('per-repo', 'input tag-mode')).toThrow(UserError);
    expect(() => parseTagMode('Per-Image', '--tag-mode')).toThrow('--tag-mode: expected one of single-repo, per-image, got `Per-Image`');
  });
});
