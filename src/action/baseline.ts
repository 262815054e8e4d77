// Timings of the last successful default-branch run, kept with @actions/cache: default-branch
// runs save under a per-branch key prefix, and any run restores the newest entry of the default
// branch (caches of the default branch are readable from every branch and pull request).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as cache from '@actions/cache';
import { parseBaseline, type Baseline } from '../core/report/runSummary.js';

export function baselineKeyPrefix(branch: string): string {
  return `hephy-baseline-${branch.replace(/[^A-Za-z0-9._-]/g, '_')}-`;
}

/**
 * Relative to the workspace (the action's working directory), not under RUNNER_TEMP: @actions/cache
 * versions an entry by the path strings it was given, so an absolute path that differs between
 * runs never matches. RUNNER_TEMP differs between self-hosted runners installed in different
 * places, and between every two jobs under act.
 */
const BASELINE_DIR = '.hephy-baseline';

function baselineDir(): string {
  mkdirSync(BASELINE_DIR, { recursive: true });
  return BASELINE_DIR;
}

export async function restoreBaseline(defaultBranch: string): Promise<Baseline | undefined> {
  if (!cache.isFeatureAvailable()) return undefined;
  const dir = baselineDir();
  const prefix = baselineKeyPrefix(defaultBranch);
  const hit = await cache.restoreCache([dir], `${prefix}latest`, [prefix]);
  const file = join(dir, 'baseline.json');
  if (!hit || !existsSync(file)) return undefined;
  // A broken entry throws: the merge warns "no baseline: ..." and compares with nothing.
  return parseBaseline(readFileSync(file, 'utf8'), `cache entry ${hit}`);
}

export async function saveBaseline(branch: string, baseline: Baseline, runKey: string): Promise<void> {
  if (!cache.isFeatureAvailable()) return;
  const dir = baselineDir();
  writeFileSync(join(dir, 'baseline.json'), `${JSON.stringify(baseline, null, 2)}\n`);
  await cache.saveCache([dir], `${baselineKeyPrefix(branch)}${runKey}`);
}
