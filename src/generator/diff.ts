// A short unified diff of two small texts, for `generate --check` to show what drifted. Workflow
// files are a few hundred lines, so a plain LCS table is fast enough and has no dependency.

interface Edit {
  op: ' ' | '-' | '+';
  line: string;
  /** 1-based line numbers in the old and new text (of the line, or of where it would be). */
  a: number;
  b: number;
}

function editScript(a: string[], b: string[]): Edit[] {
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  // On a tie the deletion comes first, so a changed line reads `-old` then `+new`.
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ op: ' ', line: a[i], a: i + 1, b: j + 1 });
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i][j + 1] > lcs[i + 1][j])) {
      edits.push({ op: '+', line: b[j], a: i + 1, b: j + 1 });
      j++;
    } else {
      edits.push({ op: '-', line: a[i], a: i + 1, b: j + 1 });
      i++;
    }
  }
  return edits;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface DiffOptions {
  context?: number;
  /** Stop after this many output lines and say how many were left out. */
  maxLines?: number;
}

/**
 * `--- a` / `+++ b` and `@@ -l +l @@` hunks with `context` unchanged lines around each change;
 * empty when the texts are equal.
 */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, options: DiffOptions = {}): string {
  if (oldText === newText) return '';
  const context = options.context ?? 2;
  const maxLines = options.maxLines ?? 60;
  const edits = editScript(splitLines(oldText), splitLines(newText));
  const changed = edits.map((e, k) => (e.op !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) {
    // Only the final newline differs.
    return `--- ${oldName}\n+++ ${newName}\n@@ end of file @@\n(the files differ only in their final newline)\n`;
  }
  // Group changes whose context windows touch into hunks.
  const hunks: Array<[number, number]> = [];
  for (const k of changed) {
    const start = Math.max(0, k - context);
    const end = Math.min(edits.length - 1, k + context);
    const last = hunks[hunks.length - 1];
    if (last && start <= last[1] + 1) last[1] = end;
    else hunks.push([start, end]);
  }
  const out: string[] = [`--- ${oldName}`, `+++ ${newName}`];
  for (const [start, end] of hunks) {
    const slice = edits.slice(start, end + 1);
    const oldCount = slice.filter((e) => e.op !== '+').length;
    const newCount = slice.filter((e) => e.op !== '-').length;
    out.push(`@@ -${slice[0].a},${oldCount} +${slice[0].b},${newCount} @@`);
    for (const e of slice) out.push(`${e.op}${e.line}`);
  }
  if (out.length > maxLines) {
    const left = out.length - maxLines;
    return `${out.slice(0, maxLines).join('\n')}\n... (${left} more diff lines)\n`;
  }
  return `${out.join('\n')}\n`;
}
