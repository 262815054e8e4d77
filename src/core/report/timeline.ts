// The run as a picture: a Mermaid Gantt chart (GitHub renders ```mermaid blocks in comments and
// job summaries) with each leg's setup, build and push on one wall-clock axis, and the critical
// path — the leg that finished last, then the merge — marked `crit`.
//
// Syntax as Mermaid's gantt grammar and ganttDb read it (mermaid 11, packages/mermaid/src/
// diagrams/gantt): `dateFormat x` takes Unix milliseconds for both the start and the end of a
// task; `displayMode: compact` in the front matter packs a section's tasks onto one row when they
// don't overlap, which is what puts a leg's three phases on one line. A task's name ends at its
// `:`, so names and section titles are cleaned of `:`, `;`, `#` and `%`.
import type { LegRecord } from '../model.js';
import type { RunReport } from './runReport.js';

/** Up to this many legs, one row per leg with its phases; beyond, one bar per image. */
export const TIMELINE_MAX_LEGS = 50;
/** Rows drawn at most in the per-image chart (the images that finished last). */
export const TIMELINE_MAX_ROWS = 100;

export interface CriticalPath {
  /** The leg that finished last: the run could not publish before it. */
  record?: LegRecord;
  /** How long that leg started after the first leg (a queue for a runner, or --jobs locally). */
  waitMs: number;
  mergeMs: number;
  /** From the first leg's start to the end of the merge. */
  wallMs: number;
}

const time = (iso: string) => Date.parse(iso);

function legsOf(report: RunReport): LegRecord[] {
  return report.outcomes.flatMap((o) => o.records).filter((r) => Number.isFinite(time(r.startedAt)) && Number.isFinite(time(r.finishedAt)));
}

export function criticalPath(report: RunReport): CriticalPath {
  const legs = legsOf(report);
  if (!legs.length) return { waitMs: 0, mergeMs: report.mergeMs, wallMs: report.mergeMs };
  const first = Math.min(...legs.map((r) => time(r.startedAt)));
  const last = legs.reduce((a, b) => (time(b.finishedAt) > time(a.finishedAt) ? b : a));
  const lastFinish = time(last.finishedAt);
  const mergeStart = mergeStartOf(report, lastFinish);
  return {
    record: last,
    waitMs: time(last.startedAt) - first,
    mergeMs: report.mergeMs,
    wallMs: mergeStart + report.mergeMs - first,
  };
}

/** When the merge started: recorded by the merge, else right after the last leg. */
function mergeStartOf(report: RunReport, lastFinish: number): number {
  const started = report.startedAt ? time(report.startedAt) : NaN;
  return Number.isFinite(started) && started >= lastFinish ? started : lastFinish;
}

function clean(text: string): string {
  return text.replace(/[:;#%\n]/g, ' ').trim();
}

const PHASES = ['setup', 'build', 'push'] as const;

/** A bar narrower than this share of the axis gets its phase's initial: the name would spill over its neighbour. */
const NAMED_SHARE = 0.06;

/**
 * Each phase of a leg as [phase, label, start, end] in epoch ms, laid end to end from the leg's
 * start. The label is the phase's name, or its initial on a narrow bar; a failed leg's last
 * phase is marked ✗.
 */
function phases(record: LegRecord, spanMs: number): [string, string, number, number][] {
  let at = time(record.startedAt);
  const out: [string, string, number, number][] = [];
  for (const phase of PHASES) {
    const ms = Math.max(0, Math.round(record.durationsMs[phase]));
    if (ms >= 1) out.push([phase, ms >= spanMs * NAMED_SHARE ? phase : phase[0], at, at + ms]);
    at += ms;
  }
  if (record.status !== 'success' && out.length) out[out.length - 1][1] += ' ✗';
  return out;
}

/** Mermaid's gantt.leftPadding (default 75 px) fits about 10 characters of section title. */
function leftPadding(titles: string[]): number {
  const longest = Math.max(10, ...titles.map((t) => t.length));
  return Math.min(320, 20 + longest * 7);
}

function tags(...list: (string | false)[]): string {
  const kept = list.filter(Boolean);
  return kept.length ? `${kept.join(', ')}, ` : '';
}

function axisFormat(spanMs: number): string {
  return spanMs < 3_600_000 ? '%H:%M:%S' : '%H:%M';
}

/**
 * The ```mermaid block of the run, or undefined when no leg has times. Up to `maxLegs` legs: a
 * row per leg (setup grey, build, push light; the critical leg red). More: a bar per image from
 * its first leg's start to its last leg's end, at most `maxRows` of them.
 */
export function renderTimeline(report: RunReport, maxLegs = TIMELINE_MAX_LEGS, maxRows = TIMELINE_MAX_ROWS): string | undefined {
  const legs = legsOf(report);
  if (!legs.length) return undefined;
  const critical = criticalPath(report);
  const first = Math.min(...legs.map((r) => time(r.startedAt)));
  const lastFinish = Math.max(...legs.map((r) => time(r.finishedAt)));
  const mergeStart = mergeStartOf(report, lastFinish);
  const mergeEnd = mergeStart + Math.max(1, Math.round(report.mergeMs));
  const span = mergeEnd - first;
  const body: string[] = [];
  const titles: string[] = [];
  const notes: string[] = [];
  const section = (title: string) => {
    titles.push(clean(title));
    body.push(`    section ${clean(title)}`);
  };

  if (legs.length <= maxLegs) {
    body.push('    title Each leg: setup (grey), build, push (light); the critical path in red');
    // Grouped by image (images in the order they started), so an image's legs sit together.
    const imageStart = new Map<string, number>();
    for (const r of legs) imageStart.set(r.image, Math.min(imageStart.get(r.image) ?? Infinity, time(r.startedAt)));
    const ordered = [...legs].sort(
      (a, b) =>
        imageStart.get(a.image)! - imageStart.get(b.image)! ||
        a.image.localeCompare(b.image) ||
        time(a.startedAt) - time(b.startedAt) ||
        a.legId.localeCompare(b.legId),
    );
    for (const record of ordered) {
      const parts = phases(record, span);
      if (!parts.length) continue;
      const crit = record === critical.record;
      section(`${record.image} ${record.platform}`);
      for (const [phase, label, start, end] of parts) {
        const style = tags(crit && 'crit', phase === 'setup' ? 'done' : phase === 'push' && 'active');
        body.push(`    ${clean(label)} :${style}${start}, ${end}`);
      }
    }
  } else {
    const images = new Map<string, LegRecord[]>();
    for (const record of legs) images.set(record.image, [...(images.get(record.image) ?? []), record]);
    const bars = [...images].map(([image, records]) => ({
      image,
      records,
      start: Math.min(...records.map((r) => time(r.startedAt))),
      end: Math.max(...records.map((r) => time(r.finishedAt))),
    }));
    // The images that finished last decide when the run ends: those are drawn when not all fit.
    const drawn = bars
      .sort((a, b) => b.end - a.end)
      .slice(0, maxRows)
      .sort((a, b) => a.start - b.start || a.image.localeCompare(b.image));
    body.push(`    title ${legs.length} legs of ${images.size} images, one bar per image (the critical path in red)`);
    for (const bar of drawn) {
      const failed = bar.records.filter((r) => r.status !== 'success').length;
      const crit = critical.record !== undefined && bar.records.includes(critical.record);
      section(bar.image);
      const name = `${bar.records.length} leg${bar.records.length === 1 ? '' : 's'}${failed ? `, ${failed} failed` : ''}`;
      body.push(`    ${name} :${tags(crit && 'crit')}${bar.start}, ${Math.max(bar.end, bar.start + 1)}`);
    }
    if (bars.length > drawn.length) notes.push(`${bars.length - drawn.length} images that finished earlier are not drawn.`);
  }
  section('merge');
  body.push(`    merge :crit, ${mergeStart}, ${mergeEnd}`);
  // Front matter: displayMode as the Gantt docs give it; leftPadding through `config`, so that
  // section titles (image and platform) are not cut.
  const lines = [
    '```mermaid',
    '---',
    'displayMode: compact',
    'config:',
    '  gantt:',
    `    leftPadding: ${leftPadding(titles)}`,
    '---',
    'gantt',
  ];
  lines.push('    dateFormat x', `    axisFormat ${axisFormat(span)}`, ...body, '```');
  return [lines.join('\n'), ...notes].join('\n\n');
}
