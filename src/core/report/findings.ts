// The three answers a reviewer wants first — did this change make an image slower or bigger, by
// how much, and is it real — as one line per thing that matters, most serious first:
// failed images (with the cause), images that grew, legs that got slower, new images; then, in
// one line each, what got faster or smaller. Nothing of that: "No significant change".
import type { LegProblem } from '../mergePlan.js';
import type { LegComparison } from './compare.js';
import { formatBytes, formatDuration } from './format.js';
import { type LegGrowth } from './layers.js';
import { cell, inlineCode, plainText } from './planReport.js';
import type { ImageOutcome } from './runReport.js';
import { MIN_SPREAD_SAMPLES, type Thresholds } from './thresholds.js';

export type Finding =
  | { kind: 'failed'; image: string; failedLegs: LegProblem[]; error?: string; tagsMoved: boolean; movedTags: string[] }
  | { kind: 'bigger'; image: string; legs: LegComparison[]; deltaBytes: number }
  | { kind: 'slower'; leg: LegComparison }
  | { kind: 'new'; image: string; platforms: string[]; wholeImage: boolean };

export interface Findings {
  /** In reading order. */
  items: Finding[];
  faster: LegComparison[];
  smaller: LegComparison[];
}

const byDelta = (value: (c: LegComparison) => number) => (a: LegComparison, b: LegComparison) => value(b) - value(a);

export function collectFindings(outcomes: ImageOutcome[], comparisons: LegComparison[]): Findings {
  const items: Finding[] = [];
  for (const outcome of outcomes.filter((o) => o.status === 'failed')) {
    items.push({
      kind: 'failed',
      image: outcome.image,
      failedLegs: outcome.failedLegs,
      error: outcome.error,
      tagsMoved: outcome.tags.length > 0,
      movedTags: outcome.tags,
    });
  }

  const ofImage = new Map<string, LegComparison[]>();
  for (const c of comparisons) ofImage.set(c.record.image, [...(ofImage.get(c.record.image) ?? []), c]);

  const bigger = [...ofImage]
    .map(([image, legs]) => {
      const grown = legs.filter((c) => c.size.verdict === 'bigger').sort(byDelta((c) => c.size.deltaBytes ?? 0));
      return { image, legs: grown, deltaBytes: Math.max(0, ...grown.map((c) => c.size.deltaBytes ?? 0)) };
    })
    .filter((b) => b.legs.length)
    .sort((a, b) => b.deltaBytes - a.deltaBytes);
  for (const b of bigger) items.push({ kind: 'bigger', ...b });

  const slower = comparisons.filter((c) => c.time.verdict === 'slower').sort(byDelta((c) => c.time.deltaMs ?? 0));
  for (const leg of slower) items.push({ kind: 'slower', leg });

  const failed = new Set(items.flatMap((f) => (f.kind === 'failed' ? [f.image] : [])));
  for (const [image, legs] of ofImage) {
    // A new image that failed is told once, as failed.
    if (failed.has(image)) continue;
    const fresh = legs.filter((c) => c.samples.length === 0 && c.record.status === 'success');
    if (!fresh.length) continue;
    const wholeImage = legs.every((c) => c.samples.length === 0);
    items.push({ kind: 'new', image, platforms: fresh.map((c) => c.record.platform), wholeImage });
  }

  return {
    items,
    faster: comparisons.filter((c) => c.time.verdict === 'faster').sort(byDelta((c) => -(c.time.deltaMs ?? 0))),
    smaller: comparisons.filter((c) => c.size.verdict === 'smaller').sort(byDelta((c) => -(c.size.deltaBytes ?? 0))),
  };
}

/** "+12.3s", "-2.0s" */
function signedDuration(ms: number): string {
  return ms > 0 ? `+${formatDuration(ms)}` : formatDuration(ms);
}

function signedBytes(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

function percent(delta: number, base: number | undefined): string {
  if (!base) return '';
  const pct = Math.round((delta / base) * 100);
  return ` (${pct > 0 ? '+' : ''}${pct}%)`;
}

export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** What a leg's time judgement rests on, e.g. "outside its range 1m 02s–1m 10s over 10 default-branch runs". */
export function timeBasis(c: LegComparison): string {
  const t = c.time;
  if (t.samples === 0) return 'no default-branch record yet';
  const runs = `${t.samples} default-branch run${t.samples === 1 ? '' : 's'}`;
  if (t.basis === 'spread') return `outside its range ${formatDuration(t.minMs!)}–${formatDuration(t.maxMs!)} over ${runs}`;
  return `${runs} only (fewer than ${MIN_SPREAD_SAMPLES}: no range yet, judged against the newest)`;
}

function legName(c: LegComparison): string {
  return `**\`${c.record.image}\`** ${c.record.platform}`;
}

/** One markdown list item (with nested items for a failure's legs) per finding. */
export function renderFinding(finding: Finding, growth: LegGrowth[] = []): string[] {
  switch (finding.kind) {
    case 'failed': {
      const lines = [`- **\`${finding.image}\`** failed${finding.failedLegs.length || !finding.tagsMoved ? ': no tag moved.' : '.'}`];
      for (const leg of finding.failedLegs)
        lines.push(`  - leg ${inlineCode(leg.legId)} (${leg.platform}): ${cell(plainText(firstLine(leg.reason)))}`);
      if (finding.error) lines.push(`  - merge: ${cell(plainText(firstLine(finding.error)))}`);
      // A push that failed part way, or a tag overwritten after it: which tags this run did move.
      if (finding.movedTags.length) lines.push(`  - tags this run moved: ${finding.movedTags.map((t) => inlineCode(t)).join(', ')}`);
      return lines;
    }
    case 'bigger': {
      const parts = finding.legs.map((c) => {
        const s = c.size;
        return `${c.record.platform} ${signedBytes(s.deltaBytes!)}${percent(s.deltaBytes!, s.newestBytes)} to ${formatBytes(s.currentBytes)}`;
      });
      const largest = finding.legs
        .map((c) => growth.find((g) => g.legId === c.record.legId)?.changes[0])
        .filter((l) => l !== undefined && l.deltaBytes > 0)
        .sort((a, b) => b!.deltaBytes - a!.deltaBytes)[0];
      const why = largest ? `; largest: ${formatBytes(largest.deltaBytes)} from ${cell(inlineCode(largest.step))}` : '';
      return [`- **\`${finding.image}\`** is bigger: ${parts.join(', ')}${why}.`];
    }
    case 'slower': {
      const c = finding.leg;
      const t = c.time;
      return [
        `- ${legName(c)} is slower: ${formatDuration(t.currentMs)}, ${signedDuration(t.deltaMs!)}${percent(t.deltaMs!, t.newestMs)} vs its newest record; ${timeBasis(c)}.`,
      ];
    }
    case 'new':
      return finding.wholeImage
        ? [`- **\`${finding.image}\`** is new (${finding.platforms.join(', ')}): no default-branch record to compare with.`]
        : [`- **\`${finding.image}\`** has a new platform: ${finding.platforms.join(', ')}.`];
  }
}

/** The "faster"/"smaller" lines: good news, one line each, at most `max` legs named. */
export function renderImprovements(findings: Findings, max = 5): string[] {
  const lines: string[] = [];
  const list = (items: LegComparison[], show: (c: LegComparison) => string) => {
    const named = items.slice(0, max).map(show).join(', ');
    return items.length > max ? `${named} and ${items.length - max} more` : named;
  };
  if (findings.faster.length)
    lines.push(
      `- Faster: ${list(findings.faster, (c) => `\`${c.record.image}\` ${c.record.platform} ${signedDuration(c.time.deltaMs!)}`)}.`,
    );
  if (findings.smaller.length)
    lines.push(
      `- Smaller: ${list(findings.smaller, (c) => `\`${c.record.image}\` ${c.record.platform} ${signedBytes(c.size.deltaBytes!)}`)}.`,
    );
  return lines;
}

/** How the thresholds read, for the footer. */
export function describeThresholds(t: Thresholds): string {
  return (
    `a leg's time counts when it lies outside the range of its default-branch records by ${formatDuration(t.timeFloorMs)} or half the range, whichever is more ` +
    `(with fewer than ${MIN_SPREAD_SAMPLES} records: also ${Math.round(t.timeRatio * 100)}% off the newest); ` +
    `a platform image's size when it moved by ${formatBytes(t.sizeBytes)} or more`
  );
}
