// A failure as the one line a leg record, `run` and the summary show.
import { basename } from 'node:path';
import { oneLine } from '../core/failureReason.js';
import { messageOf } from '../core/problem.js';
import { ToolError } from '../tools/exec.js';

/**
 * A tool's own last error line, after the tool's name (not its command line, which the log has,
 * and which would push the cause past the cut of a long line); anything else folded onto one line.
 */
export function reasonOf(error: unknown): string {
  if (error instanceof ToolError) {
    const last = error.stderr.trim().split('\n').pop()?.trim();
    if (last)
      return oneLine(
        `${basename(error.command.split(' ')[0])}: ${last.replace(/^.*?\bmsg="(.*)"$/, '$1').replace(/^(Error|ERROR): /, '')}`,
      );
  }
  return oneLine(messageOf(error));
}
