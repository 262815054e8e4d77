// The baseline store: the last HISTORY_DEPTH default-branch records of each leg, whichever runs
// built them. A run adds the legs it built and leaves every other leg's history as it was, so a
// partial default-branch run (one app changed) never drops the others. A pull request compares
// each leg with its newest record and judges noise by the spread of all of them.
//
// The store crosses runs (the action keeps it with @actions/cache, the CLI in a file), so it is
// parsed with a schema on the way in, like leg records.
import { runnerSchema } from '../leg.js';
import { z } from 'zod';
import { BACKENDS } from '../config/schema.js';
import type { LegRecord } from '../model.js';
import { parseJsonDocument } from '../jsonDocument.js';

/** Records kept per leg. */
export const HISTORY_DEPTH = 10;

const durations = z.object({ setup: z.number(), build: z.number(), push: z.number(), total: z.number() });

const sampleSchema = z.object({
  image: z.string(),
  platform: z.string(),
  backend: z.enum(BACKENDS),
  // What runs-on took (core/runners.ts): a label, a list of labels or a group; older stores hold labels.
  runner: runnerSchema,
  durationsMs: durations,
  /** Bytes, config plus compressed layers of the pushed platform manifest. */
  compressedSize: z.number().int().nonnegative().optional(),
  /** Where the platform manifest was pushed: what "what grew" reads the layers of. */
  repository: z.string().optional(),
  digest: z
    .string()
    .regex(/^sha256:[a-f0-9]{64}$/)
    .optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** The default-branch run that built it. */
  ref: z.string().optional(),
  sha: z.string().optional(),
  runId: z.string().optional(),
});

export type LegSample = z.infer<typeof sampleSchema>;

const storeSchema = z.object({
  schema: z.literal(1),
  /** Per leg id, newest first, at most HISTORY_DEPTH. */
  legs: z.record(z.string(), z.array(sampleSchema)),
});

export type HistoryStore = z.infer<typeof storeSchema>;

/** Which default-branch run the records come from. */
export interface RunMeta {
  ref?: string;
  sha?: string;
  runId?: string;
}

export function emptyHistory(): HistoryStore {
  return { schema: 1, legs: {} };
}

/**
 * Parses a store read from a cache or a file.
 * @throws UserError naming `source` and the first problem (src/core/jsonDocument.ts).
 */
export function parseHistory(text: string, source: string): HistoryStore {
  return parseJsonDocument(text, storeSchema, source, 'history');
}

/** Only a leg that built and pushed is a reference: a failed or unpushed leg has no size. */
export function isReference(record: LegRecord): boolean {
  return record.status === 'success' && record.pushed !== false;
}

export function sampleOf(record: LegRecord, meta: RunMeta = {}): LegSample {
  return {
    image: record.image,
    platform: record.platform,
    backend: record.backend,
    runner: record.runner,
    durationsMs: { ...record.durationsMs },
    compressedSize: record.compressedSize,
    repository: record.repository,
    digest: record.digest,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    ref: meta.ref,
    sha: meta.sha ?? record.sourceCommit,
    runId: meta.runId,
  };
}

const newestFirst = (a: LegSample, b: LegSample) => b.finishedAt.localeCompare(a.finishedAt);

/**
 * The store with a run's reference records added: each leg keeps its newest HISTORY_DEPTH
 * records; legs the run did not build are untouched. A record already in the store (the same
 * leg and start time: a merge job run twice) is not added again. Pure: returns a new store.
 */
export function mergeIntoHistory(store: HistoryStore, records: LegRecord[], meta: RunMeta = {}, depth = HISTORY_DEPTH): HistoryStore {
  const legs: HistoryStore['legs'] = { ...store.legs };
  for (const record of records.filter(isReference)) {
    const kept = legs[record.legId] ?? [];
    if (kept.some((s) => s.startedAt === record.startedAt && s.digest === record.digest)) continue;
    legs[record.legId] = [sampleOf(record, meta), ...kept].sort(newestFirst).slice(0, depth);
  }
  return { schema: 1, legs };
}

/** A store made of loose leg records (earlier local runs' `legs/` dirs), newest kept. */
export function historyFromRecords(records: LegRecord[], depth = HISTORY_DEPTH): HistoryStore {
  return mergeIntoHistory(emptyHistory(), records, {}, depth);
}

/** A leg's records, newest first; [] when it has none. */
export function samplesOf(store: HistoryStore | undefined, legId: string): LegSample[] {
  return store?.legs[legId] ?? [];
}

/** The newest record of a leg: what a pull request compares with. */
export function newestSample(store: HistoryStore | undefined, legId: string): LegSample | undefined {
  return samplesOf(store, legId)[0];
}

export function serializeHistory(store: HistoryStore): string {
  return `${JSON.stringify(store, null, 1)}\n`;
}
