// When a change in a leg's time or an image's size is worth a line at the top of the summary.
// The defaults and where they come from are in docs/summaries.md; the action inputs and the CLI
// flags of the same names set them.
import { UserError } from '../problem.js';

export interface Thresholds {
  /**
   * Milliseconds. A leg's time is a finding only when it lies at least this far outside the
   * leg's observed range (the slowest, or fastest, of its history): smaller moves are noise
   * whatever the history says.
   */
  timeFloorMs: number;
  /**
   * A fraction (0.5 = 50 %). While a leg has fewer than MIN_SPREAD_SAMPLES records there is no
   * range to judge by: its time must also differ from the newest record by this fraction.
   */
  timeRatio: number;
  /** Bytes. Growth (or shrinking) of a platform image by at least this much is a finding. */
  sizeBytes: number;
}

/** Records a leg needs before its observed range (min..max) is the yardstick. */
export const MIN_SPREAD_SAMPLES = 3;

export const DEFAULT_THRESHOLDS: Thresholds = {
  timeFloorMs: 30_000,
  timeRatio: 0.5,
  sizeBytes: 128 * 1024,
};

/** The names of the options (action inputs and CLI flags) that set the thresholds. */
export const THRESHOLD_OPTIONS = {
  timeFloor: 'time-floor',
  timeThreshold: 'time-threshold',
  sizeThreshold: 'size-threshold',
} as const;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "30s", "1m30s", "1.5m", "500ms", "45" (seconds) -> milliseconds. */
export function parseDuration(text: string, option: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== value)
    throw new UserError(`${option}: expected a duration such as 30s, 1m30s or 500ms, got \`${text}\``);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS[unit], 0);
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** "128KiB", "1MiB", "500kB", "2048" (bytes) -> bytes. */
export function parseSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match?.[2].toLowerCase() || 'b';
  if (!match || !(unit in SIZE_UNITS)) throw new UserError(`${option}: expected a size such as 128KiB, 1MiB or 500kB, got \`${text}\``);
  return Math.round(Number(match[1]) * SIZE_UNITS[unit]);
}

/** "50%" or "50" -> 0.5. */
export function parsePercent(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(text.trim());
  if (!match) throw new UserError(`${option}: expected a percentage such as 50%, got \`${text}\``);
  return Number(match[1]) / 100;
}

/** Thresholds from option values as typed; empty or absent values keep the defaults. */
export function thresholdsFrom(values: { timeFloor?: string; timeThreshold?: string; sizeThreshold?: string }): Thresholds {
  const given = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v : undefined);
  const timeFloor = given(values.timeFloor);
  const timeThreshold = given(values.timeThreshold);
  const sizeThreshold = given(values.sizeThreshold);
  return {
    timeFloorMs: timeFloor === undefined ? DEFAULT_THRESHOLDS.timeFloorMs : parseDuration(timeFloor, THRESHOLD_OPTIONS.timeFloor),
    timeRatio: timeThreshold === undefined ? DEFAULT_THRESHOLDS.timeRatio : parsePercent(timeThreshold, THRESHOLD_OPTIONS.timeThreshold),
    sizeBytes: sizeThreshold === undefined ? DEFAULT_THRESHOLDS.sizeBytes : parseSize(sizeThreshold, THRESHOLD_OPTIONS.sizeThreshold),
  };
}
