// A problem found in user input, with enough position to become `file:line:col: message` on a
// terminal and an annotation on that line in GitHub Actions.
export interface Problem {
  file: string;
  line: number; // 1-based; 1 when the problem concerns the whole file
  column: number; // 1-based
  /** Dotted key path, e.g. ko_config.platforms[1]; empty for the whole document. */
  path: string;
  message: string;
  /** e.g. "did you mean `build_backend`?" */
  hint?: string;
  severity: 'error' | 'warning';
}

export function formatProblem(p: Problem): string {
  const where = p.path ? `${p.path}: ` : '';
  const hint = p.hint ? ` (${p.hint})` : '';
  return `${p.file}:${p.line}:${p.column}: ${p.severity}: ${where}${p.message}${hint}`;
}

/** Thrown for input errors that must reach the user as a message, never as a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The message of anything thrown: an Error's message, or the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
