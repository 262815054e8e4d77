// The one process runner every tool wrapper uses. @actions/exec (v3) starts the process and
// collects its output; this layer masks secrets in everything captured or reported, and turns a
// failed command into a ToolError that says which command failed and what it printed last, so the
// user never has to dig through a stack trace.
//
// What @actions/exec lacks, read in its lib/toolrunner.js (3.0.0), and the own code kept for it:
// - It writes `input` to the child's stdin with no error listener: a child that exits before
//   reading it all (git outside a repository, or any fast command given an empty input) makes the
//   write fail with EPIPE, an unhandled 'error' that ends our process. Without `input` it leaves
//   stdin an open pipe, so a tool that reads stdin would wait forever. So the tool runs under
//   /bin/sh: stdin from /dev/null, or, with input, the rest drained by cat after the tool exits.
// - No timeout, and no handle on the child: ToolRunner keeps its ChildProcess to itself and gives
//   spawn no AbortSignal. A command with timeoutMs runs under coreutils `timeout --foreground
//   --signal=KILL` (foreground: the tool stays in our process group, so Ctrl-C still reaches it).
// - It looks the executable up on process.env.PATH (@actions/io's which), where spawn would use
//   options.env.PATH, which is where the pinned tools are (toolEnv). `which` below resolves the
//   command on the PATH of the env we pass, and a missing one is our "command not found".
// - Its line listeners drop an unfinished last line and decode each chunk alone (cutting a
//   multi-byte character in two): lines are split here, from the raw chunks.
// - A death by signal comes back as exit code null, without the signal's name.
// `silent: true` is what keeps it from echoing `[command]<argv>` and all output to stdout: an argv
// or an output line may carry a secret, and the CLI's stdout is its result.
import { getExecOutput } from '@actions/exec';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export type Stream = 'stdout' | 'stderr';

export interface RunOptions {
  cwd?: string;
  /** Replaces the environment when given; merge with process.env yourself to extend it. */
  env?: NodeJS.ProcessEnv;
  /** Written to the process's stdin, which is then closed. */
  input?: string;
  /** Values replaced by *** in captured output, line callbacks and error messages. */
  secrets?: string[];
  /** Called for each complete output line (already masked), e.g. to stream a build log. */
  onLine?: (stream: Stream, line: string) => void;
  timeoutMs?: number;
  /** Return a non-zero exit code instead of throwing. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** How tool wrappers run a process: `run` below, or a fake one in tests. */
export type Runner = (cmd: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

/** What a tool wrapper takes from its caller for every tool it runs. */
export interface ToolContext {
  /** The tool's whole environment (toolEnv, registry login). */
  env: NodeJS.ProcessEnv;
  /** Values to mask in everything the tool prints or an error says. */
  secrets?: string[];
  /** Where the tool's output lines go (stdout and stderr alike), e.g. the leg's log. */
  onLine?: (line: string) => void;
}

/** The RunOptions of a ToolContext; `edit` rewrites each line before it reaches onLine. */
export function toolRunOptions(context: ToolContext, edit: (line: string) => string = (line) => line): RunOptions {
  const { env, secrets, onLine } = context;
  return { env, secrets, onLine: onLine ? (_stream, line) => onLine(edit(line)) : undefined };
}

const STDERR_TAIL_LINES = 20;
/** What a shell reports for a process killed by a signal, when the signal is not known. */
const KILLED_EXIT_CODE = 128;
/** Where execvp looks when the environment has no PATH (glibc's default search path). */
const DEFAULT_PATH = '/bin:/usr/bin';

/** A command that could not start, exited non-zero, or timed out. */
export class ToolError extends Error {
  constructor(
    message: string,
    /** The command line with secrets masked. */
    readonly command: string,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const secret of [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    masked = masked.split(secret).join('***');
  }
  return masked;
}

function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatCommand(cmd: string, args: readonly string[], secrets: readonly string[] = []): string {
  return maskSecrets([cmd, ...args].map(quoteArg).join(' '), secrets);
}

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

function stderrTail(stderr: string): string {
  const last = tail(stderr, STDERR_TAIL_LINES);
  return last ? `:\n${last}` : '';
}

/** Splits a byte stream into lines (UTF-8 decoded across chunks), holding back the unfinished last line. */
function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emitComplete = () => {
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      emit(pending.slice(0, newline).replace(/\r$/, ''));
      pending = pending.slice(newline + 1);
    }
  };
  return {
    push(chunk) {
      pending += decoder.write(chunk);
      emitComplete();
    },
    flush() {
      pending += decoder.end();
      emitComplete();
      if (pending.length > 0) emit(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}

/** A system tool (sh, cat, timeout) from the system dirs, else from our own PATH. */
function systemTool(name: string): string | undefined {
  return which(name, DEFAULT_PATH) ?? which(name);
}

// The wrappers' scripts: "$@" is the tool's argv; $0 is cat's path in the draining one.
const STDIN_FROM_NULL = 'exec "$@" </dev/null';
const STDIN_DRAINED = '"$@"; status=$?; "$0" >/dev/null; exit $status';

/** The argv @actions/exec starts: the tool under /bin/sh (stdin) and `timeout` (timeoutMs). */
function wrappedArgv(executable: string, args: readonly string[], options: RunOptions): string[] | string {
  const sh = systemTool('sh');
  if (!sh) return 'sh is not on PATH to start it';
  // @actions/exec parses its first argument as a command line (argStringToArray): keep it plain.
  if (/[\s"\\]/.test(sh)) return `the path of sh (${sh}) holds a blank, a quote or a backslash`;
  let argv = [executable, ...args];
  if (options.timeoutMs !== undefined) {
    const timeout = systemTool('timeout');
    if (!timeout) return 'timeout (coreutils) is not on PATH to bound its run time';
    argv = [timeout, '--foreground', '--signal=KILL', `${Math.max(options.timeoutMs, 1) / 1000}s`, ...argv];
  }
  if (options.input === undefined) return [sh, '-c', STDIN_FROM_NULL, 'sh', ...argv];
  const cat = systemTool('cat');
  if (!cat) return 'cat is not on PATH to feed it its input';
  return [sh, '-c', STDIN_DRAINED, cat, ...argv];
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export async function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const secrets = options.secrets ?? [];
  const command = formatCommand(cmd, args, secrets);
  const env = options.env ?? process.env;
  const toolError = (message: string, code: number | null, stdout = '', stderr = '') =>
    new ToolError(maskSecrets(message, secrets), command, code, maskSecrets(stdout, secrets), maskSecrets(stderr, secrets));

  // A path with a slash is taken as it is (relative to cwd), a bare name is looked up on env.PATH.
  const executable = which(cmd.includes('/') && !isAbsolute(cmd) ? resolve(options.cwd ?? '.', cmd) : cmd, env.PATH ?? DEFAULT_PATH);
  if (!executable) throw toolError(`${command} could not start: ${cmd}: command not found`, null);
  const argv = wrappedArgv(executable, args, options);
  if (typeof argv === 'string') throw toolError(`${command} could not start: ${argv}`, null);

  const lines = {
    stdout: lineSplitter((line) => options.onLine?.('stdout', maskSecrets(line, secrets))),
    stderr: lineSplitter((line) => options.onLine?.('stderr', maskSecrets(line, secrets))),
  };
  const started = Date.now();
  let output;
  try {
    output = await getExecOutput(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: definedEnv(env),
      silent: true,
      ignoreReturnCode: true,
      input: options.input === undefined ? undefined : Buffer.from(options.input, 'utf8'),
      listeners: options.onLine ? { stdout: (chunk) => lines.stdout.push(chunk), stderr: (chunk) => lines.stderr.push(chunk) } : undefined,
    });
  } catch (error) {
    throw toolError(`${command} could not start: ${error instanceof Error ? error.message : String(error)}`, null);
  }
  if (options.onLine) {
    lines.stdout.flush();
    lines.stderr.flush();
  }
  const durationMs = Date.now() - started;
  // Typed number, but null after a death by signal.
  const code = output.exitCode as number | null;
  if (code !== 0 && options.timeoutMs !== undefined && durationMs >= options.timeoutMs) {
    throw toolError(`${command} timed out after ${options.timeoutMs} ms${stderrTail(output.stderr)}`, null, output.stdout, output.stderr);
  }
  const exitCode = code ?? KILLED_EXIT_CODE;
  if (exitCode !== 0 && !options.allowFailure) {
    const how = code === null ? 'was killed by a signal' : `exited with code ${exitCode}`;
    throw toolError(`${command} ${how}${stderrTail(output.stderr)}`, exitCode, output.stdout, output.stderr);
  }
  return {
    code: exitCode,
    stdout: maskSecrets(output.stdout, secrets),
    stderr: maskSecrets(output.stderr, secrets),
    durationMs,
  };
}

/** The absolute path of an executable on PATH, or undefined. */
export function which(cmd: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = cmd.includes('/')
    ? [cmd]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, cmd));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/**
 * The variables a tool that reaches a registry keeps when its environment is scrubbed (ko, syft):
 * its search path, home and temp dir, the registry login file, proxies and CA certificates.
 * Anything else (tokens, the runner's secrets) it never sees.
 */
export const REGISTRY_TOOL_ENV_NAMES: readonly string[] = [
  'PATH',
  'HOME',
  'TMPDIR',
  'DOCKER_CONFIG',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];
