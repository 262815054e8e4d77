import { unifiedDiff } from '../../src/generator/index.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'a', 'b')).toBe('');
  });

  it('shows a changed line with two lines of context and correct line numbers', () => {
    const before = lines(10);
    const after = before.replace('line 5\n', 'line five\n');
    expect(unifiedDiff(before, after, 'a/f', 'b/f')).toBe(
      ['--- a/f', '+++ b/f', '@@ -3,5 +3,5 @@', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ''].join('\n'),
    );
  });

  it('keeps distant changes in separate hunks and counts added lines', () => {
    const before = lines(20);
    const after = before.replace('line 2\n', 'line 2\nnew\n').replace('line 18\n', '');
    const diff = unifiedDiff(before, after, 'a', 'b');
    expect(diff.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,4 +1,5 @@', '@@ -16,5 +17,4 @@']);
    expect(diff).toContain('+new\n');
    expect(diff).toContain('-line 18\n');
  });

  it('says when only the final newline differs', () => {
    expect(unifiedDiff('a\n', 'a', 'x', 'y')).toContain('differ only in their final newline');
  });

  it('stops after maxLines and says how much it left out', () => {
    const diff = unifiedDiff(lines(50), lines(50).replace(/line/g, 'LINE'), 'a', 'b', { maxLines: 10 });
    expect(diff.split('\n')).toHaveLength(12);
    expect(diff).toMatch(/\.\.\. \(\d+ more diff lines\)\n$/);
  });
});
