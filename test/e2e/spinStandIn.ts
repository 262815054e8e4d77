// The Spin CLI for e2e tests: a real `spin` when one is on PATH (a laptop, a runner), else the
// TEST STAND-IN FOR THE SPIN CLI (spin-standin/spin.mjs, which says so in its --version), put on
// PATH as `spin`. What the stand-in does differently from Spin: docs/dev/spin.md.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { which } from '../../src/tools/exec.js';
import { tempDir } from './harness.js';

const STAND_IN = join(dirname(fileURLToPath(import.meta.url)), 'spin-standin', 'spin.mjs');

/** A real Spin CLI on PATH, if there is one (its --version does not say stand-in). */
export function realSpin(): string | undefined {
  const spin = which('spin');
  if (!spin) return undefined;
  return /stand-in/.test(execFileSync(spin, ['--version'], { encoding: 'utf8' })) ? undefined : spin;
}

/** What the test runs as `spin`, for test titles. */
export function spinTitle(): string {
  const real = realSpin();
  return real ? `real Spin (${real})` : 'the TEST STAND-IN FOR THE SPIN CLI';
}

/** Puts the stand-in first on process.env.PATH unless real Spin is there; returns the undo. */
export function useSpinOnPath(): () => void {
  const saved = process.env.PATH;
  if (!realSpin()) {
    const bin = tempDir('spin-standin-bin');
    writeFileSync(join(bin, 'spin'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(STAND_IN)} "$@"\n`);
    chmodSync(join(bin, 'spin'), 0o755);
    process.env.PATH = `${bin}${delimiter}${saved}`;
  }
  return () => {
    process.env.PATH = saved;
  };
}

/** Copies examples/ skipping build outputs and installed packages (and spin-hello: no Rust wasm target here). */
export function exampleFilter(source: string): boolean {
  const parts = source.split('/');
  return !parts.includes('spin-hello') && !parts.includes('node_modules') && !source.endsWith('.wasm');
}
