import { dateStamp, indexTags, parseTagMode, perArchTag, repositoryFor, type PublishOptions } from '../../src/core/tags.js';
import { UserError } from '../../src/core/problem.js';

const base: PublishOptions = {
  registry: '127.0.0.1:5000',
  prefix: 'team/images',
  mode: 'single-repo',
  date: new Date('2026-11-25T23:59:00Z'),
  sha: '0123456789abcdef0123456789abcdef01234567',
  perArchTags: false,
};

describe('tags', () => {
  it('stamps the UTC date', () => {
    expect(dateStamp(base.date)).toBe('20261125');
  });
  it('follows the origin convention in single-repo mode', () => {
    expect(repositoryFor('curl', base)).toBe('127.0.0.1:5000/team/images');
    expect(indexTags('curl', ['latest', 'stable'], base)).toEqual(['curl-20261125', 'curl-latest', 'curl-stable']);
    expect(perArchTag('curl', 'linux/arm64', base)).toBe('curl-20261125-arm64');
    expect(perArchTag('curl', 'linux/arm/v7', base)).toBe('curl-20261125-armv7');
  });
  it('gives each image its own repository in per-image mode', () => {
    const opts = { ...base, mode: 'per-image' as const, prefix: 'team' };
    expect(repositoryFor('curl', opts)).toBe('127.0.0.1:5000/team/curl');
    expect(indexTags('curl', ['latest'], opts)).toEqual(['20261125', '0123456', 'latest']);
    expect(perArchTag('curl', 'linux/amd64', opts)).toBe('20261125-amd64');
  });
  it('never repeats a tag and tolerates slashes around the prefix', () => {
    expect(indexTags('a', ['x', 'x'], base)).toEqual(['a-20261125', 'a-x']);
    expect(repositoryFor('a', { ...base, mode: 'per-image', prefix: '/p/' })).toBe('127.0.0.1:5000/p/a');
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
