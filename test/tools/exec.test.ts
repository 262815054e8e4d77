import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCommand, maskSecrets, run, ToolError, which } from '../../src/tools/exec.js';

describe('run', () => {
  it('captures stdout, stderr and the exit code', async () => {
    const result = await run('sh', ['-c', 'echo out; echo err >&2']);
    expect(result).toMatchObject({ code: 0, stdout: 'out\n', stderr: 'err\n' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('feeds input to stdin', async () => {
    const result = await run('cat', [], { input: 'a\nb\n' });
    expect(result.stdout).toBe('a\nb\n');
  });

  it('runs in cwd with the given env', async () => {
    const result = await run('sh', ['-c', 'pwd; echo $HB_TEST'], { cwd: '/', env: { PATH: process.env.PATH, HB_TEST: 'x1' } });
    expect(result.stdout).toBe('/\nx1\n');
  });

  it('throws a ToolError naming the command and the last stderr lines', async () => {
    const failing = run('sh', ['-c', 'for i in $(seq 1 30); do echo line$i >&2; done; exit 3']);
    await expect(failing).rejects.toBeInstanceOf(ToolError);
    const error = (await failing.catch((e: unknown) => e)) as ToolError;
    expect(error.code).toBe(3);
    expect(error.message).toContain('exited with code 3');
    expect(error.message).toContain('sh -c');
    expect(error.message).toContain('line30');
    expect(error.message).not.toContain('line10\n');
  });

  it('returns the failure code when allowFailure is set', async () => {
    const result = await run('sh', ['-c', 'exit 4'], { allowFailure: true });
    expect(result.code).toBe(4);
  });

  it('masks secrets in output, line callbacks, and the error message', async () => {
    const lines: string[] = [];
    const ok = await run('sh', ['-c', 'echo token=hunter2; echo hunter2 >&2'], {
      secrets: ['hunter2'],
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
    });
    expect(ok.stdout).toBe('token=***\n');
    expect(ok.stderr).toBe('***\n');
    expect(lines).toEqual(expect.arrayContaining(['stdout:token=***', 'stderr:***']));

    const error = (await run('sh', ['-c', 'echo hunter2 >&2; exit 1', 'hunter2'], { secrets: ['hunter2'] }).catch(
      (e: unknown) => e,
    )) as ToolError;
    expect(error.message).not.toContain('hunter2');
    expect(error.command).not.toContain('hunter2');
    expect(error.stderr).toBe('***\n');
  });

  it('reports lines split across chunks and a last line without newline', async () => {
    const lines: string[] = [];
    await run('sh', ['-c', 'printf "ab"; sleep 0.05; printf "c\\nd"'], { onLine: (_s, l) => lines.push(l) });
    expect(lines).toEqual(['abc', 'd']);
  });

  it('rejects a missing command with "command not found"', async () => {
    await expect(run('hephy-no-such-command', [])).rejects.toThrow(/hephy-no-such-command: command not found/);
  });

  it('kills a command that runs past its timeout', async () => {
    await expect(run('sleep', ['5'], { timeoutMs: 100 })).rejects.toThrow(/timed out after 100 ms/);
  });

  it('gives a command an empty stdin when there is no input', async () => {
    // An open stdin would keep cat waiting until the timeout.
    await expect(run('cat', [], { timeoutMs: 3_000 })).resolves.toMatchObject({ code: 0, stdout: '' });
  });

  it('survives a command that exits without reading its input', async () => {
    // @actions/exec writes the input with no error listener: EPIPE here would end the process.
    const input = 'x'.repeat(1 << 20);
    for (let i = 0; i < 5; i += 1) {
      await expect(run('sh', ['-c', 'exit 3'], { input, allowFailure: true })).resolves.toMatchObject({ code: 3 });
    }
  });

  it('decodes a character split across chunks', async () => {
    const lines: string[] = [];
    const result = await run('sh', ['-c', 'printf "\\303"; sleep 0.05; printf "\\251\\n"'], { onLine: (_s, l) => lines.push(l) });
    expect(lines).toEqual(['\u00e9']);
    expect(result.stdout).toBe('\u00e9\n');
  });

  it("finds the command on the PATH of the env it is given, not only on this process's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-exec-bin-'));
    try {
      writeFileSync(join(dir, 'hephy-only-here'), '#!/bin/sh\necho found "$@"\n');
      chmodSync(join(dir, 'hephy-only-here'), 0o755);
      const result = await run('hephy-only-here', ['a b'], { env: { PATH: dir } });
      expect(result.stdout).toBe('found a b\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints nothing itself: no command line, no output (the argv may hold a secret)', async () => {
    const written: string[] = [];
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((stream) => stream.write);
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof stream.write;
    }
    try {
      await run('sh', ['-c', 'echo out; echo err >&2', 'hunter2'], { secrets: ['hunter2'] });
      await run('sh', ['-c', 'exit 1', 'hunter2'], { secrets: ['hunter2'], allowFailure: true });
    } finally {
      streams.forEach((stream, i) => (stream.write = originals[i]));
    }
    expect(written).toEqual([]);
  });
});

describe('helpers', () => {
  it('quotes arguments that need it and masks secrets', () => {
    expect(formatCommand('docker', ['login', '-p', 's3cr3t', 'a b'], ['s3cr3t'])).toBe("docker login -p *** 'a b'");
  });

  it('masks the longest secret first', () => {
    expect(maskSecrets('abcdef abc', ['abc', 'abcdef'])).toBe('*** ***');
  });

  it('finds executables on PATH', () => {
    expect(which('sh')).toMatch(/\/sh$/);
    expect(which('hephy-no-such-command')).toBeUndefined();
  });
});
