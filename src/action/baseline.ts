// The baseline store (src/core/report/history.ts: the last 10 default-branch records of each leg)
// kept with @actions/cache. Cache entries are immutable, so each default-branch merge saves the
// store under a key of its own (prefix + run id + attempt) after merging its records into the
// newest entry; every run restores the newest entry of the default branch by prefix (the default
// branch's caches are readable from every branch and pull request; a pull request never saves).
//
// Two default-branch merges at once (two roots, or a run the concurrency group did not hold back)
// both start from the same entry, and the later save wins: the other run's records are missing
// from the store until those legs build again. One sample lost, never the others' history.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cache from '@actions/cache';
import { parseHistory, serializeHistory, type HistoryStore } from '../core/report/history.js';
import { messageOf } from '../core/problem.js';

/** v1: the per-leg store. (The whole-run baseline before it was saved under hephy-baseline-.) */
export function historyKeyPrefix(branch: string): string {
  return `hephy-history-v1-${branch.replace(/[^A-Za-z0-9._-]/g, '_')}-`;
}

/**
 * Relative to the workspace (the action's working directory), not under RUNNER_TEMP: @actions/cache
 * versions an entry by the path strings it was given, so an absolute path that differs between
 * runs never matches. RUNNER_TEMP differs between self-hosted runners installed in different
 * places, and between every two jobs under act.
 */
const HISTORY_DIR = '.hephy-history';
const HISTORY_FILE = 'history.json';

export interface RestoredHistory {
  /**
   * hit: the newest store; miss: there is none yet (a new store may start); unavailable: no cache
   * service; failed: the cache or the entry could not be read — a store saved now would start
   * afresh and drop every other leg's history, so none must be.
   */
  status: 'hit' | 'miss' | 'unavailable' | 'failed';
  store?: HistoryStore;
  /** The cache key it came from, or why there is none. */
  source: string;
}

/** The newest store of the default branch; never throws. */
export async function restoreHistory(defaultBranch: string): Promise<RestoredHistory> {
  if (!cache.isFeatureAvailable()) return { status: 'unavailable', source: 'no cache service on this runner' };
  const prefix = historyKeyPrefix(defaultBranch);
  try {
    // A stale file from another job must not pass for this branch's store.
    rmSync(HISTORY_DIR, { recursive: true, force: true });
    mkdirSync(HISTORY_DIR, { recursive: true });
    const hit = await cache.restoreCache([HISTORY_DIR], `${prefix}latest`, [prefix]);
    const file = join(HISTORY_DIR, HISTORY_FILE);
    if (!hit) return { status: 'miss', source: `no cache entry ${prefix}*` };
    if (!existsSync(file)) return { status: 'failed', source: `cache entry ${hit} holds no ${HISTORY_FILE}` };
    return { status: 'hit', store: parseHistory(readFileSync(file, 'utf8'), `cache entry ${hit}`), source: hit };
  } catch (error) {
    return { status: 'failed', source: messageOf(error) };
  }
}

/** Saves the store as this run's entry; resolves to the key. */
export async function saveHistory(branch: string, store: HistoryStore, runKey: string): Promise<string | undefined> {
  if (!cache.isFeatureAvailable()) return undefined;
  mkdirSync(HISTORY_DIR, { recursive: true });
  writeFileSync(join(HISTORY_DIR, HISTORY_FILE), serializeHistory(store));
  const key = `${historyKeyPrefix(branch)}${runKey}`;
  await cache.saveCache([HISTORY_DIR], key);
  return key;
}
