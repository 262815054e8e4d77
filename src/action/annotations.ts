// Problems become annotations on the offending file and line, so a config error shows up in the
// PR's "Files changed" view right where it is.
import * as core from '@actions/core';
import type { Problem } from '../core/problem.js';

export function annotate(problems: Problem[]): void {
  for (const p of problems) {
    const message = `${p.path ? `${p.path}: ` : ''}${p.message}${p.hint ? ` (${p.hint})` : ''}`;
    const props = { file: p.file, startLine: p.line, startColumn: p.column, title: 'hephy-builder' };
    if (p.severity === 'error') core.error(message, props);
    else core.warning(message, props);
  }
}
