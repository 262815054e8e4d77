// Runs and default-branch histories for summary tests: legs with given phase times laid on a
// clock, and histories of N earlier records per leg with given totals (newest first).
import type { LegRecord } from '../../src/core/model.js';
import { mergeIntoHistory, emptyHistory, type HistoryStore } from '../../src/core/report/history.js';
import type { ImageOutcome, RunReport } from '../../src/core/report/runSummary.js';

export const T0 = Date.parse('2026-11-25T10:00:00Z');
export const digest = (seed: string | number) => `sha256:${String(seed).repeat(64).slice(0, 64)}`;

export interface LegSpec {
  image: string;
  platform?: string;
  backend?: LegRecord['backend'];
  /** ms after T0 the leg started. */
  startAt?: number;
  setup?: number;
  build?: number;
  push?: number;
  size?: number;
  failed?: string;
  digestSeed?: string | number;
}

export function leg(spec: LegSpec): LegRecord {
  const platform = spec.platform ?? 'linux/amd64';
  const setup = spec.setup ?? 1000;
  const build = spec.build ?? 20_000;
  const push = spec.failed ? 0 : (spec.push ?? 2000);
  const total = setup + build + push;
  const start = T0 + (spec.startAt ?? 0);
  return {
    schema: 1,
    legId: `${spec.image}--${platform.replace(/\//g, '-')}`,
    image: spec.image,
    dir: spec.image,
    platform,
    backend: spec.backend ?? 'kaniko',
    runner: platform.includes('arm64') ? 'ubuntu-24.04-arm' : 'ubuntu-latest',
    repository: spec.failed ? undefined : `registry.example.com/team/${spec.image}`,
    digest: spec.failed ? undefined : digest(spec.digestSeed ?? 'c'),
    compressedSize: spec.failed ? undefined : (spec.size ?? 30 * 1024 * 1024),
    durationsMs: { setup, build, push, total },
    status: spec.failed ? 'failure' : 'success',
    error: spec.failed,
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(start + total).toISOString(),
  };
}

/** One outcome per image of the legs given, published unless a leg failed. */
export function runOf(records: LegRecord[], mergeMs = 2000): RunReport {
  const images = [...new Set(records.map((r) => r.image))];
  const outcomes: ImageOutcome[] = images.map((image) => {
    const legs = records.filter((r) => r.image === image);
    const failed = legs.filter((r) => r.status !== 'success');
    return {
      image,
      status: failed.length ? 'failed' : 'published',
      digest: failed.length ? undefined : digest('f'),
      tags: failed.length ? [] : [`registry.example.com/team/${image}:20261125`, `registry.example.com/team/${image}:fb2bc27`],
      platforms: legs.map((r) => r.platform),
      failedLegs: failed.map((r) => ({ legId: r.legId, platform: r.platform, reason: `build failed: ${r.error}` })),
      records: legs,
    };
  });
  return { outcomes, mergeMs };
}

/** A deterministic pseudo-random source in [0, 1) (mulberry32), for noisy timings. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A default-branch history: for each leg of `records`, one earlier record per entry of `totals`
 * (newest first, one day apart), with the leg's own size unless `size` says otherwise.
 */
export function historyFor(
  records: LegRecord[],
  totals: (legId: string) => number[],
  size: (legId: string) => number | undefined = () => undefined,
): HistoryStore {
  let store = emptyHistory();
  for (const record of records) {
    const list = totals(record.legId);
    list.forEach((total, i) => {
      const finished = T0 - (i + 1) * 86_400_000;
      const earlier: LegRecord = {
        ...record,
        status: 'success',
        error: undefined,
        pushed: undefined,
        repository: `registry.example.com/team/${record.image}`,
        digest: digest(i % 10),
        compressedSize: size(record.legId) ?? record.compressedSize ?? 30 * 1024 * 1024,
        durationsMs: { setup: 1000, build: total - 3000, push: 2000, total },
        startedAt: new Date(finished - total).toISOString(),
        finishedAt: new Date(finished).toISOString(),
      };
      const sha = `${(i + 1).toString(16).padStart(7, '0')}${'0'.repeat(33)}`;
      store = mergeIntoHistory(store, [earlier], { ref: 'main', sha, runId: `${100 - i}` });
    });
  }
  return store;
}
