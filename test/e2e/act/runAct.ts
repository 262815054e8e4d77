// Runs the fixture repository's caller workflow under act through scripts/act.sh (host mode,
// offline, local artifact and cache servers) and returns act's JSON log.
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseActLog, type ActEntry } from './actLog.js';
import { CALLER_PATH, REPOSITORY } from './fixtureRepo.js';

const ACT_SH = new URL('../../../scripts/act.sh', import.meta.url).pathname;

export interface ActRunOptions {
  repoDir: string;
  event: 'push' | 'pull_request';
  payload: Record<string, unknown>;
  /** Kept between runs: artifacts, act's cache server (the timing baseline lives there) and logs. */
  stateDir: string;
  runId: number;
  /** Variables for every step (host mode: act passes its own environment on as well). */
  env?: Record<string, string>;
  /** Secrets, written to a 0600 secret file rather than the command line. */
  secrets?: Record<string, string>;
  timeoutMs?: number;
}

export interface ActRun {
  code: number;
  entries: ActEntry[];
  /** The JSON log on disk, kept for a look after a failure. */
  logFile: string;
  stderr: string;
}

export async function runAct(o: ActRunOptions): Promise<ActRun> {
  const eventFile = join(o.stateDir, `event-${o.runId}.json`);
  writeFileSync(eventFile, JSON.stringify(o.payload));
  const secretFile = join(o.stateDir, `secrets-${o.runId}`);
  writeFileSync(
    secretFile,
    Object.entries(o.secrets ?? {})
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const envArgs = Object.entries({ GITHUB_REPOSITORY: REPOSITORY, ...(o.env ?? {}) }).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const args = [
    ACT_SH,
    '--state-dir',
    o.stateDir,
    '--run-id',
    String(o.runId),
    '--',
    o.event,
    '-W',
    CALLER_PATH,
    '-e',
    eventFile,
    '--defaultbranch',
    'main',
    '--secret-file',
    secretFile,
    '--json',
    ...envArgs,
  ];
  const logFile = join(o.stateDir, `act-${o.runId}.jsonl`);
  const log = createWriteStream(logFile);
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout stops act and its jobs' tools too, not just the script.
    const child = spawn('bash', args, { cwd: o.repoDir, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      log.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGTERM'), o.timeoutMs ?? 8 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      log.end();
      resolve({ code: code ?? -1, entries: parseActLog(stdout), logFile, stderr });
    });
  });
}
