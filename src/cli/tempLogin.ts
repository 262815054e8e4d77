// The CLI's temporary docker config dirs (registry logins) are removed on every way out: the
// command's end, an error, process.exit, and SIGINT/SIGTERM/SIGHUP (after which the process dies
// of the same signal, as it would have without us). A login left in /tmp would hand the registry
// password to whoever reads the file later.
import { rmSync } from 'node:fs';

const dirs = new Set<string>();
let installed = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeAll(): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

/** Removes `dir` when the process ends, whichever way; `release` removes it now. */
export function removeOnExit(dir: string): { release(): void } {
  dirs.add(dir);
  if (!installed) {
    installed = true;
    process.on('exit', removeAll);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  return {
    release() {
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}
