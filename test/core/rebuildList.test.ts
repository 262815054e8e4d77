import { normalizeDir, parseRebuildList, unknownListedDirs } from '../../src/core/rebuildList.js';

describe('parseRebuildList', () => {
  it('reads one dir per line with comments, blanks and trailing slashes', () => {
    const text = '# weekly\n\ncurl/\n  ./tools/manifest-tool   # pinned\r\nko-test\n';
    const { dirs, problems } = parseRebuildList(text, 'rebuild-weekly.txt');
    expect(problems).toEqual([]);
    expect(dirs).toEqual([
      { dir: 'curl', line: 3, column: 1 },
      { dir: 'tools/manifest-tool', line: 4, column: 3 },
      { dir: 'ko-test', line: 5, column: 1 },
    ]);
  });

  it('reports bad lines with their line numbers', () => {
    const { dirs, problems } = parseRebuildList('curl\ncurl/\na b\n../x\n/abs\n', 'w.txt');
    expect(dirs.map((d) => d.dir)).toEqual(['curl']);
    expect(problems.map((p) => `${p.line}:${p.severity}:${p.message}`)).toEqual([
      '2:warning:curl is already listed on line 1',
      '3:error:one directory per line, got 2 words: a b',
      '4:error:../x is outside the repository; list directories relative to its root',
      '5:error:/abs is outside the repository; list directories relative to its root',
    ]);
  });

  it('warns about stale lines, with a suggestion or the reason discovery knows', () => {
    const { dirs } = parseRebuildList('# x\ncurl\nmanifest-tol\nretired\nexamples/a\n', 'w.txt');
    const skipped = [{ dir: 'examples/a', reason: 'excluded by .hephyignore:1 (examples/)' }];
    expect(unknownListedDirs(dirs, ['curl', 'manifest-tool'], 'w.txt', skipped)).toEqual([
      {
        file: 'w.txt',
        line: 3,
        column: 1,
        path: '',
        message: 'manifest-tol is not an app directory (no build-config.yaml there); this line is skipped',
        hint: 'did you mean `manifest-tool`?',
        severity: 'warning',
      },
      expect.objectContaining({ line: 4, severity: 'warning', hint: 'remove the line, or restore the app' }),
      expect.objectContaining({
        line: 5,
        message: 'examples/a is not an app directory (excluded by .hephyignore:1 (examples/)); this line is skipped',
      }),
    ]);
  });

  it.each([
    ['./', '.'],
    ['.', '.'],
    ['a//b/', 'a/b'],
    ['a\\b', 'a/b'],
  ])('normalizeDir(%s) = %s', (raw, dir) => {
    expect(normalizeDir(raw)).toBe(dir);
  });
});
