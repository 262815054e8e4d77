import { parseLsRemote, resolveAdvertisedRef, type AdvertisedRef } from '../../src/core/upstreamRef.js';

const sha = (c: string) => c.repeat(40);
const REPO = 'https://git.example.com/up.git';

describe('parseLsRemote', () => {
  it('reads oid and ref per line, peeled tags included, and skips anything else', () => {
    const text = `${sha('a')}\tHEAD\n${sha('a')}\trefs/heads/main\n${sha('b')}\trefs/tags/v1\n${sha('c')}\trefs/tags/v1^{}\nwarning: x\n\n`;
    expect(parseLsRemote(text)).toEqual([
      { oid: sha('a'), name: 'HEAD' },
      { oid: sha('a'), name: 'refs/heads/main' },
      { oid: sha('b'), name: 'refs/tags/v1' },
      { oid: sha('c'), name: 'refs/tags/v1^{}' },
    ]);
  });
});

describe('resolveAdvertisedRef', () => {
  const refs: AdvertisedRef[] = [
    { oid: sha('1'), name: 'HEAD' },
    { oid: sha('1'), name: 'refs/heads/main' },
    { oid: sha('2'), name: 'refs/heads/release' },
    { oid: sha('3'), name: 'refs/tags/release' },
    { oid: sha('4'), name: 'refs/tags/v1.0' },
    { oid: sha('5'), name: 'refs/tags/v1.0^{}' },
  ];

  // git-rev-parse(1) SPECIFYING REVISIONS, <refname>: refs/<name>, then refs/tags/<name>, then
  // refs/heads/<name>...; git fetch matches a remote's refs with the same rules (refs.c
  // ref_rev_parse_rules). test/tools/git.test.ts checks these answers against git fetch itself.
  it.each([
    ['main', 'refs/heads/main', sha('1')],
    ['HEAD', 'HEAD', sha('1')],
    ['release', 'refs/tags/release', sha('3')],
    ['heads/release', 'refs/heads/release', sha('2')],
    ['refs/heads/release', 'refs/heads/release', sha('2')],
    ['v1.0', 'refs/tags/v1.0', sha('5')],
  ])('%s is %s', (ref, name, commit) => {
    expect(resolveAdvertisedRef(ref, refs, REPO)).toEqual({ ref: name, commit });
  });

  it('takes a full commit id as it is, and leaves an abbreviated one to the fetch', () => {
    expect(resolveAdvertisedRef(sha('9'), [], REPO)).toEqual({ ref: sha('9'), commit: sha('9') });
    expect(resolveAdvertisedRef('9'.repeat(64), [], REPO)).toEqual({ ref: '9'.repeat(64), commit: '9'.repeat(64) });
    expect(resolveAdvertisedRef('abc1234', refs, REPO)).toEqual({ abbreviated: 'abc1234' });
  });

  it('names the ref and the repository when nothing matches', () => {
    expect(resolveAdvertisedRef('mian', refs, REPO)).toEqual({ problem: `upstream_ref mian is not a branch or tag of ${REPO}` });
    // A partial name is no match: git matches whole ref names only.
    expect(resolveAdvertisedRef('v1', refs, REPO)).toHaveProperty('problem');
  });
});
