// The ref grammar agrees with git itself: every sample is also given to
// `git check-ref-format --allow-onelevel` (git 2.39, refs.c check_refname_format), and on top a
// leading `-` is refused (object-name.c strbuf_check_branch_ref refuses it for branch names; it is
// what `git fetch origin <ref>` would read as an option).
import { spawnSync } from 'node:child_process';
import { gitRefProblem } from '../../../src/core/grammar/gitRef.js';

const gitAccepts = (ref: string) => spawnSync('git', ['check-ref-format', '--allow-onelevel', ref]).status === 0;

const SAMPLES = [
  'main',
  'v1.2.3',
  'refs/heads/main',
  'feature/x-1',
  '0123456789abcdef0123456789abcdef01234567',
  'release@2024',
  'a..b',
  'a/.hidden',
  'x.lock',
  'a/b.lock/c',
  'ends/',
  'ends.',
  '/leading',
  'double//slash',
  'has space',
  'tilde~1',
  'caret^',
  'colon:x',
  'q?',
  'star*',
  'open[',
  'back\\slash',
  'at@{1}',
  '@',
  'tab\tx',
  'del\u007f',
  '.dot',
];

describe('gitRefProblem agrees with git check-ref-format --allow-onelevel', () => {
  test.each(SAMPLES)('%j', (ref) => {
    expect(gitRefProblem(ref) === undefined).toBe(gitAccepts(ref));
  });
});

describe('option-looking refs are refused although check-ref-format alone would take some', () => {
  test.each(['--upload-pack=touch /tmp/x', '-x', '--end-of-options', '-'])('%j', (ref) => {
    expect(gitRefProblem(ref)).toMatch(/option|space|contains/);
  });
  test('git check-ref-format itself reads `-x` as an option (usage, exit 129): the reason for the extra rule', () => {
    expect(spawnSync('git', ['check-ref-format', '--allow-onelevel', '-x']).status).toBe(129);
    expect(gitRefProblem('-x')).toMatch(/starts with `-`/);
  });
  test('a `-` inside a later component is a ref like any other (git accepts refs/heads/-x)', () => {
    expect(gitAccepts('refs/heads/-x')).toBe(true);
    expect(gitRefProblem('refs/heads/-x')).toBeUndefined();
  });
});
