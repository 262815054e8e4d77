// Summary options shared by `run` and `merge`: the history to compare with (the same per-leg
// judgement a pull request gets, src/core/report/compare.ts) and the thresholds, named like the
// action inputs.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError, messageOf } from '../core/problem.js';
import {
  historyFromRecords,
  mergeIntoHistory,
  parseHistory,
  serializeHistory,
  emptyHistory,
  type HistoryStore,
} from '../core/report/history.js';
import { DEFAULT_THRESHOLDS, THRESHOLD_OPTIONS, thresholdsFrom, type Thresholds } from '../core/report/thresholds.js';
import type { LegRecord } from '../core/model.js';
import { readLegRecords } from '../pipeline/merge.js';
import { formatBytes, formatDuration } from '../core/report/format.js';
import { stringOption, type CliIO, type ParsedArgs } from './args.js';

export const summaryOptions = {
  history: { type: 'string' },
  'save-history': { type: 'string' },
  [THRESHOLD_OPTIONS.timeFloor]: { type: 'string' },
  [THRESHOLD_OPTIONS.timeThreshold]: { type: 'string' },
  [THRESHOLD_OPTIONS.sizeThreshold]: { type: 'string' },
} as const;

export const summaryHelp = `  --history PATH        compare each leg with its earlier records: a history file (--save-history
                        writes one), or a directory of leg records (e.g. earlier --out dirs)
  --save-history FILE   after the run, add its legs to the history (the last 10 per leg) in FILE
  --time-floor DURATION a leg's time counts when this far outside its range (default ${formatDuration(DEFAULT_THRESHOLDS.timeFloorMs)})
  --time-threshold PCT  with fewer than 3 records, also this far off the newest (default ${Math.round(DEFAULT_THRESHOLDS.timeRatio * 100)}%)
  --size-threshold SIZE a platform image's size counts from this change on (default ${formatBytes(DEFAULT_THRESHOLDS.sizeBytes).replace(' ', '')})`;

export interface SummaryChoice {
  history?: HistoryStore;
  thresholds: Thresholds;
  /** Absolute path the updated history goes to, if asked. */
  saveTo?: string;
}

/** A history from a file written by --save-history (or the action's cache), or from a dir of leg records. */
export function readHistory(path: string): HistoryStore {
  if (!existsSync(path)) throw new UserError(`--history: ${path}: no such file or directory`);
  const isDir = statSync(path).isDirectory();
  if (isDir) {
    const { records, problems } = readLegRecords(path);
    if (!records.length) throw new UserError(`--history: no leg records under ${path}${problems.length ? ` (${problems[0]})` : ''}`);
    return historyFromRecords(records);
  }
  try {
    return parseHistory(readFileSync(path, 'utf8'), path);
  } catch (error) {
    throw new UserError(`--history: ${messageOf(error)}`);
  }
}

export function summaryFromArgs(args: ParsedArgs, io: CliIO): SummaryChoice {
  const thresholds = thresholdsFrom({
    timeFloor: stringOption(args, THRESHOLD_OPTIONS.timeFloor),
    timeThreshold: stringOption(args, THRESHOLD_OPTIONS.timeThreshold),
    sizeThreshold: stringOption(args, THRESHOLD_OPTIONS.sizeThreshold),
  });
  const historyPath = stringOption(args, 'history');
  const savePath = stringOption(args, 'save-history');
  let history = historyPath ? readHistory(resolve(io.cwd, historyPath)) : undefined;
  // The file to update is also the one to compare with, when it exists and none other was given.
  if (!history && savePath) {
    try {
      history = parseHistory(readFileSync(resolve(io.cwd, savePath), 'utf8'), savePath);
    } catch {
      history = undefined;
    }
  }
  return { history, thresholds, saveTo: savePath ? resolve(io.cwd, savePath) : undefined };
}

/** Adds the run's legs to the history and writes it; resolves to how many legs it now holds. */
export function saveHistoryFile(choice: SummaryChoice, records: LegRecord[]): number {
  if (!choice.saveTo) return 0;
  const next = mergeIntoHistory(choice.history ?? emptyHistory(), records);
  writeFileSync(choice.saveTo, serializeHistory(next));
  return Object.keys(next.legs).length;
}
