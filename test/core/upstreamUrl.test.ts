// Which upstream_repo URLs a build may clone. git's URL forms: git-clone(1) "GIT URLS" (git 2.39):
// ssh://, git://, http(s)://, file://, scp-like [user@]host:path (a colon before the first slash),
// local paths, and <transport>::<address> for remote helpers (git-remote-ext(1) runs a command).
import { redactUrl, upstreamUrlProblem } from '../../src/core/upstreamUrl.js';

describe('upstream_repo URLs', () => {
  it.each([
    'https://github.com/owner/repo.git',
    'https://git.example.com:8443/team/repo',
    'ssh://git@github.com/owner/repo.git',
    'ssh://git@git.example.com:2222/owner/repo.git',
    'git@github.com:owner/repo.git',
    'github.com:owner/repo.git',
    'http://127.0.0.1:8080/repo.git',
    'git://localhost/repo',
    'git://127.0.0.1:9418/repo',
    'http://[::1]:8080/repo.git',
  ])('accepts %s', (url) => expect(upstreamUrlProblem(url)).toBeUndefined());

  it.each([
    ['file:///etc', 'file:// scheme is not allowed (it reads a directory of the build host)'],
    ['/home/user/.ssh', 'is a local path'],
    ['./repo', 'is a local path'],
    ['../../repo', 'is a local path'],
    ['repo', 'is a local path'],
    ['ext::sh -c touch% /tmp/pwned', 'names a git remote helper'],
    ['fd::17', 'names a git remote helper'],
    ['http://example.com/repo.git', 'http:// is unencrypted and unauthenticated, allowed only to a loopback host'],
    ['git://example.com/repo', 'git:// is unencrypted'],
    ['ftp://example.com/repo', 'the ftp:// scheme is not allowed'],
    ['--upload-pack=touch /tmp/x', 'starts with "-"'],
    ['https://example.com/repo\n', 'whitespace or control characters'],
  ])('refuses %s', (url, message) => expect(upstreamUrlProblem(url)?.message).toContain(message));

  it('refuses credentials in a URL, with a hint, and never quotes them', () => {
    for (const url of [
      'https://user:s3cret@github.com/o/r.git',
      'https://ghp_T0KEN@github.com/o/r.git',
      'ssh://git:s3cret@host/r',
      'http://user:s3cret@127.0.0.1/r',
    ]) {
      const problem = upstreamUrlProblem(url)!;
      expect(problem.message).toMatch(/credentials|password/);
      expect(problem.hint).toMatch(/secret|SSH key/);
      expect(`${problem.message} ${problem.hint}`).not.toMatch(/s3cret|ghp_T0KEN/);
    }
  });

  it('redacts what could be a credential wherever a URL is printed', () => {
    expect(redactUrl('https://user:s3cret@github.com/o/r.git')).toBe('https://***:***@github.com/o/r.git');
    expect(redactUrl('https://ghp_T0KEN@github.com/o/r.git')).toBe('https://***@github.com/o/r.git');
    expect(redactUrl('ssh://git@github.com/o/r.git')).toBe('ssh://git@github.com/o/r.git');
    expect(redactUrl('https://github.com/o/r.git')).toBe('https://github.com/o/r.git');
  });
});
