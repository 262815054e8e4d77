// A failed tool's own error, in one line: what a failed leg's record, `run` and the summary say.
// Pure: callers hand in what the tool printed. The command line never is the reason (it is in
// the log); the compiler's `file:line: message`, the failing build step and its last output, or
// the registry's status is.

/** Longest reason kept: a summary table cell, not a log. */
export const MAX_REASON_CHARS = 400;

/** Whitespace folded to one line and cut at MAX_REASON_CHARS. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_REASON_CHARS ? `${flat.slice(0, MAX_REASON_CHARS - 3)}...` : flat;
}

function lines(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
}

// gc and vet print `path/file.go:LINE:COL: message` (cmd/compile, go/scanner), after a `# package` line.
const GO_ERROR = /^(?:\.\/)?(\S+\.go):(\d+)(?::(\d+))?: (.+)$/;

/** The compiler's errors as `file:line:col: message` (the first, and how many more), if any. */
export function goCompilerReason(output: string): string | undefined {
  const errors = lines(output)
    .map((line) => line.replace(/^.*?\bmsg="(.*)"$/, '$1').trim())
    .filter((line) => GO_ERROR.test(line));
  if (errors.length === 0) return undefined;
  const first = errors[0].replace(/^\.\//, '');
  return oneLine(errors.length > 1 ? `${first} (and ${errors.length - 1} more)` : first);
}

/**
 * Why `ko build` failed: the Go compiler's first error when the build got that far, else ko's own
 * `Error: ...` line (e.g. `error building "ko://example.com/app": no matching platforms in base
 * image index`), without the outer "failed to publish images" that every failure carries.
 */
export function koFailureReason(stderr: string): string | undefined {
  const compiler = goCompilerReason(stderr);
  if (compiler) return compiler;
  const errorLine = [...lines(stderr)].reverse().find((line) => /^Error: /.test(line.trim()));
  if (!errorLine) return undefined;
  return oneLine(
    errorLine
      .trim()
      .replace(/^Error: /, '')
      .replace(/^failed to publish images: /, ''),
  );
}

/**
 * Why `buildx build --progress=plain` failed: the failing step (`[build 2/4] RUN make`), where it
 * is in the Dockerfile, its last output line (the compiler's or the script's own message), and
 * BuildKit's error (`process "/bin/sh -c make" did not complete successfully: exit code: 2`, or a
 * registry's `401 Unauthorized`), without the "failed to solve" wrapping.
 */
export function buildkitFailureReason(output: string): string | undefined {
  const all = lines(output);
  const final = [...all].reverse().find((line) => /^ERROR: /.test(line));
  const vertexError = all.map((line) => /^#(\d+) ERROR: (.*)$/.exec(line)).find(Boolean);
  const cause = (final ?? (vertexError ? `ERROR: ${vertexError[2]}` : undefined))
    ?.replace(/^ERROR: /, '')
    .replace(/^failed to build: /, '')
    .replace(/^failed to solve: /, '');
  if (!cause) return undefined;
  if (!vertexError) return oneLine(cause);
  const id = vertexError[1];
  // A vertex's first line is its name: `[build 2/4] RUN make`, `exporting to image`.
  const step = all.map((line) => new RegExp(`^#${id} (.*)$`).exec(line)?.[1]).find(Boolean);
  const stepOutput = all
    .map((line) => new RegExp(`^#${id} \\d+\\.\\d+ (.*)$`).exec(line)?.[1])
    .filter((line): line is string => Boolean(line && line.trim()));
  const location = all.map((line) => /^(\S*Dockerfile\S*):(\d+)$/.exec(line)).find(Boolean);
  const where = location ? ` (${location[1].split('/').pop()}:${location[2]})` : '';
  const compiler = goCompilerReason(stepOutput.join('\n'));
  const last = compiler ?? stepOutput[stepOutput.length - 1];
  const head = step ? `${step}${where}` : `build step${where}`;
  return oneLine(last ? `${head}: ${last}; ${cause}` : `${head}: ${cause}`);
}
