// The one process runner every tool wrapper uses. It captures output, masks secrets in everything
// it captures or reports, and turns a failed command into a ToolError that says which command
// failed and what it printed last, so the user never has to dig through a stack trace.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

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

const STDERR_TAIL_LINES = 20;

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

/** Splits a byte stream into lines, holding back the unfinished last line. */
function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        emit(pending.slice(0, newline).replace(/\r$/, ''));
        pending = pending.slice(newline + 1);
      }
    },
    flush() {
      if (pending.length > 0) emit(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}

export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const secrets = options.secrets ?? [];
  const command = formatCommand(cmd, args, secrets);
  const started = Date.now();

  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const raw: Record<Stream, string> = { stdout: '', stderr: '' };
    const splitters = {} as Record<Stream, ReturnType<typeof lineSplitter>>;
    for (const stream of ['stdout', 'stderr'] as const) {
      // Masking happens per line for callbacks, so a secret split across chunks is still caught.
      splitters[stream] = lineSplitter((line) => options.onLine?.(stream, maskSecrets(line, secrets)));
      child[stream].setEncoding('utf8');
      child[stream].on('data', (chunk: string) => {
        raw[stream] += chunk;
        if (options.onLine) splitters[stream].push(chunk);
      });
    }

    let timedOut = false;
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;

    let settled = false;
    const fail = (message: string, code: number | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const stdout = maskSecrets(raw.stdout, secrets);
      const stderr = maskSecrets(raw.stderr, secrets);
      reject(new ToolError(maskSecrets(message, secrets), command, code, stdout, stderr));
    };

    child.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? `${cmd}: command not found` : err.message;
      fail(`${command} could not start: ${why}`, null);
    });
    // The process may exit before reading stdin; that is not our error to report.
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();

    child.on('close', (code, signal) => {
      if (settled) return;
      splitters.stdout.flush();
      splitters.stderr.flush();
      const durationMs = Date.now() - started;
      const exitCode = code ?? 128;
      if (timedOut) {
        fail(`${command} timed out after ${options.timeoutMs} ms${stderrTail(raw.stderr)}`, null);
        return;
      }
      if (exitCode !== 0 && !options.allowFailure) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
        fail(`${command} ${how}${stderrTail(raw.stderr)}`, exitCode);
        return;
      }
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({
        code: exitCode,
        stdout: maskSecrets(raw.stdout, secrets),
        stderr: maskSecrets(raw.stderr, secrets),
        durationMs,
      });
    });
  });
}

function stderrTail(stderr: string): string {
  const last = tail(stderr, STDERR_TAIL_LINES);
  return last ? `:\n${last}` : '';
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
