// Real or noise: each leg of a run against its own default-branch history.
//
// Time varies from run to run on the same code (other tenants on the host, cache hits, network),
// so a time is judged against the leg's observed range: it is a finding only when it lies beyond
// the slowest (or fastest) of the leg's records by a margin, the larger of `timeFloorMs` and half
// the range's width. The floor keeps short legs quiet; the half-width keeps noisy legs quiet: a
// new time exceeds the largest of 10 earlier ones by chance one time in 11, which over 300 legs
// would be 27 false alarms, while under normally distributed noise (10 samples span about 3.1
// standard deviations, their maximum sits about 1.5 above the mean) max + range/2 is about 3.1
// standard deviations above the mean: about one chance in 1,000 per leg. With fewer than
// MIN_SPREAD_SAMPLES records there is no range yet, and a time must also differ from the newest
// by `timeRatio`. Sizes are exact (the same inputs give the same bytes), so a size is compared with
// the newest record alone and any move of at least `sizeBytes` counts.
import type { LegRecord } from '../model.js';
import { samplesOf, type HistoryStore, type LegSample } from './history.js';
import { DEFAULT_THRESHOLDS, MIN_SPREAD_SAMPLES, type Thresholds } from './thresholds.js';

export interface TimeJudgement {
  /** new: no record to compare with; failed: the leg has no time worth judging. */
  verdict: 'slower' | 'faster' | 'steady' | 'new' | 'failed';
  currentMs: number;
  /** Current minus the newest record. */
  deltaMs?: number;
  newestMs?: number;
  /** The observed range over `samples` records. */
  minMs?: number;
  maxMs?: number;
  /** How many default-branch records the judgement rests on. */
  samples: number;
  /** spread: judged by the observed range; ratio: too few records, judged by the newest alone. */
  basis?: 'spread' | 'ratio';
}

export interface SizeJudgement {
  /** unknown: no size on one side (not pushed, failed, or the reference had none). */
  verdict: 'bigger' | 'smaller' | 'same' | 'new' | 'unknown';
  currentBytes?: number;
  newestBytes?: number;
  deltaBytes?: number;
}

export interface LegComparison {
  record: LegRecord;
  /** The leg's history, newest first (empty for a new leg). */
  samples: LegSample[];
  time: TimeJudgement;
  size: SizeJudgement;
}

/** How far outside its observed range a time must lie to count: the floor, or half the range if wider. */
export function spreadMargin(minMs: number, maxMs: number, floorMs: number): number {
  return Math.max(floorMs, (maxMs - minMs) / 2);
}

export function judgeTime(record: LegRecord, samples: LegSample[], thresholds: Thresholds): TimeJudgement {
  const currentMs = record.durationsMs.total;
  if (record.status !== 'success') return { verdict: 'failed', currentMs, samples: samples.length };
  if (!samples.length) return { verdict: 'new', currentMs, samples: 0 };
  const totals = samples.map((s) => s.durationsMs.total);
  const newestMs = totals[0];
  const minMs = Math.min(...totals);
  const maxMs = Math.max(...totals);
  const base = { currentMs, deltaMs: currentMs - newestMs, newestMs, minMs, maxMs, samples: samples.length };
  const floor = thresholds.timeFloorMs;
  if (samples.length >= MIN_SPREAD_SAMPLES) {
    const margin = spreadMargin(minMs, maxMs, floor);
    const verdict = currentMs - maxMs >= margin ? 'slower' : minMs - currentMs >= margin ? 'faster' : 'steady';
    return { ...base, verdict, basis: 'spread' };
  }
  const ratio = 1 + thresholds.timeRatio;
  const slower = currentMs - newestMs >= floor && currentMs >= newestMs * ratio;
  const faster = newestMs - currentMs >= floor && newestMs >= currentMs * ratio;
  return { ...base, verdict: slower ? 'slower' : faster ? 'faster' : 'steady', basis: 'ratio' };
}

export function judgeSize(record: LegRecord, newest: LegSample | undefined, thresholds: Thresholds): SizeJudgement {
  const currentBytes = record.status === 'success' && record.pushed !== false ? record.compressedSize : undefined;
  if (!newest) return { verdict: record.status === 'success' ? 'new' : 'unknown', currentBytes };
  const newestBytes = newest.compressedSize;
  if (currentBytes === undefined || newestBytes === undefined) return { verdict: 'unknown', currentBytes, newestBytes };
  const deltaBytes = currentBytes - newestBytes;
  const verdict = deltaBytes >= thresholds.sizeBytes ? 'bigger' : -deltaBytes >= thresholds.sizeBytes ? 'smaller' : 'same';
  return { verdict, currentBytes, newestBytes, deltaBytes };
}

export function compareLeg(record: LegRecord, history: HistoryStore | undefined, thresholds = DEFAULT_THRESHOLDS): LegComparison {
  const samples = samplesOf(history, record.legId);
  return { record, samples, time: judgeTime(record, samples, thresholds), size: judgeSize(record, samples[0], thresholds) };
}

/** Every leg of the run against its history, in the run's order. */
export function compareRecords(records: LegRecord[], history: HistoryStore | undefined, thresholds = DEFAULT_THRESHOLDS): LegComparison[] {
  return records.map((record) => compareLeg(record, history, thresholds));
}
