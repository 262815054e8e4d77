// The summary users see after a run: as a job summary, as the PR comment (marked so it can be
// found and updated), and as text at the end of `hephy-builder run`. Failed legs come first.
import { z } from 'zod';
import { parseJsonDocument } from '../jsonDocument.js';
import type { LegRecord } from '../model.js';
import type { LegProblem } from '../mergePlan.js';
import { formatBytes, formatDelta, formatDuration } from './format.js';
import { cell, renderMarkdownTable, renderTextTable } from './planReport.js';

export const SUMMARY_MARKER = '<!-- hephy-builder:summary -->';
export const BUILT_HEADING = 'Built, not pushed (pull request from a fork, or push disabled)';
/** A leg built with push off whose tool knows the digest only by pushing (spin). */
const NO_DIGEST = '(no digest without a push)';

export interface ImageOutcome {
  image: string;
  /** built: every leg built, nothing pushed (push disabled); the leg records hold their digests. */
  status: 'published' | 'built' | 'failed';
  /** Digest of the published index. */
  digest?: string;
  tags: string[];
  platforms: string[];
  failedLegs: LegProblem[];
  records: LegRecord[];
  /** Why the merge itself failed (imagetools error, missing platform in the index). */
  error?: string;
}

export interface RunReport {
  outcomes: ImageOutcome[];
  /** Wall time of the merge step. */
  mergeMs: number;
}

/** Timings of the last successful default-branch run, keyed by leg id. */
export interface Baseline {
  ref?: string;
  sha?: string;
  createdAt?: string;
  legs: Record<string, { totalMs: number; compressedSize?: number }>;
  criticalPathMs?: number;
}

// The baseline crosses runs (saved by one run's merge job, restored by a later one's), so it is
// read back through its schema: an entry from an older format is no baseline, not a crash.
const baselineSchema = z.object({
  ref: z.string().optional(),
  sha: z.string().optional(),
  createdAt: z.string().optional(),
  legs: z.record(z.string(), z.object({ totalMs: z.number().nonnegative(), compressedSize: z.number().int().nonnegative().optional() })),
  criticalPathMs: z.number().nonnegative().optional(),
}) satisfies z.ZodType<Baseline>;

/** @throws UserError naming `source` and the first problem (src/core/jsonDocument.ts). */
export function parseBaseline(text: string, source: string): Baseline {
  return parseJsonDocument(text, baselineSchema, source, 'timing baseline');
}

export function baselineFromReport(report: RunReport, meta: Omit<Baseline, 'legs' | 'criticalPathMs'>): Baseline {
  const legs: Baseline['legs'] = {};
  for (const record of report.outcomes.flatMap((o) => o.records)) {
    if (record.status === 'success') legs[record.legId] = { totalMs: record.durationsMs.total, compressedSize: record.compressedSize };
  }
  return { ...meta, legs, criticalPathMs: criticalPathMs(report) };
}

/** The slowest leg plus the merge: what the run's wall time cannot go below. */
export function criticalPathMs(report: RunReport): number {
  const legs = report.outcomes.flatMap((o) => o.records).map((r) => r.durationsMs.total);
  return (legs.length ? Math.max(...legs) : 0) + report.mergeMs;
}

/** Every leg of the run, failed ones first. */
function legRows(report: RunReport): LegRecord[] {
  const records = report.outcomes.flatMap((o) => o.records);
  return [...records.filter((r) => r.status !== 'success'), ...records.filter((r) => r.status === 'success')];
}

export function renderRunSummaryMarkdown(report: RunReport, baseline?: Baseline): string {
  const out: string[] = [SUMMARY_MARKER, '## hephy-builder', ''];
  const failed = report.outcomes.filter((o) => o.status === 'failed');
  const published = report.outcomes.filter((o) => o.status === 'published');
  const built = report.outcomes.filter((o) => o.status === 'built');
  const builtCount = built.length ? `**${built.length}** built but not pushed, ` : '';
  out.push(`**${published.length}** image(s) published, ${builtCount}**${failed.length}** failed.`, '');

  if (failed.length) {
    out.push('### Failed', '');
    for (const outcome of failed) {
      // Failed legs mean no imagetools call at all; a merge error says itself whether tags moved.
      out.push(`- **\`${outcome.image}\`**${outcome.failedLegs.length ? ': no tag moved.' : ''}`);
      for (const leg of outcome.failedLegs) out.push(`  - leg \`${leg.legId}\` (${leg.platform}): ${cell(firstLine(leg.reason))}`);
      if (outcome.error) out.push(`  - merge: ${cell(firstLine(outcome.error))}`);
    }
    out.push('');
  }

  if (built.length) {
    out.push(`### ${BUILT_HEADING}`, '');
    out.push('Nothing was pushed and no tag moved: each digest is that of the image as built, which no registry holds.', '');
    out.push(
      renderMarkdownTable(
        ['Image', 'Platforms', 'Leg digests'],
        built.map((o) => [
          `\`${o.image}\``,
          o.platforms.join(', '),
          o.records.map((r) => `${r.platform} ${r.digest ? `\`${shortDigest(r.digest)}\`` : NO_DIGEST}`).join('<br>'),
        ]),
      ),
      '',
    );
  }

  if (published.length) {
    out.push('### Published', '');
    out.push(
      renderMarkdownTable(
        ['Image', 'Platforms', 'Index digest', 'Tags'],
        published.map((o) => [
          `\`${o.image}\``,
          o.platforms.join(', '),
          `\`${shortDigest(o.digest)}\``,
          o.tags.map((t) => `\`${t}\``).join('<br>'),
        ]),
      ),
      '',
    );
  }

  const rows = legRows(report);
  if (rows.length) {
    out.push('### Legs', '');
    const compare = baseline !== undefined;
    const headers = [
      'Leg',
      'Status',
      'Runner',
      'Backend',
      'Setup',
      'Build',
      'Push',
      'Total',
      ...(compare ? ['Δ time'] : []),
      'Size',
      ...(compare ? ['Δ size'] : []),
    ];
    out.push(
      renderMarkdownTable(
        headers,
        rows.map((r) => {
          const base = baseline?.legs[r.legId];
          return [
            `\`${r.image}\` ${r.platform}`,
            r.status !== 'success' ? `**failed**: ${firstLine(r.error ?? '')}` : r.pushed === false ? 'built, not pushed' : 'ok',
            r.runner,
            r.backend,
            ...phaseCells(r),
            ...(compare ? [formatDelta(r.status === 'success' ? r.durationsMs.total : undefined, base?.totalMs, 'ms')] : []),
            formatBytes(r.compressedSize),
            ...(compare ? [r.pushed === false ? '-' : formatDelta(r.compressedSize, base?.compressedSize, 'bytes')] : []),
          ];
        }),
      ),
      '',
    );
  }

  const critical = criticalPathMs(report);
  const criticalDelta = baseline?.criticalPathMs !== undefined ? ` (${formatDelta(critical, baseline.criticalPathMs, 'ms')} vs base)` : '';
  out.push(`Critical path (slowest leg + merge ${formatDuration(report.mergeMs)}): **${formatDuration(critical)}**${criticalDelta}.`, '');
  if (baseline) {
    const what = [baseline.ref, baseline.sha?.slice(0, 7)].filter(Boolean).join(' at ');
    out.push(
      `Compared with the last successful run on ${what || 'the default branch'}${baseline.createdAt ? ` (${baseline.createdAt})` : ''}.`,
      '',
    );
  } else {
    out.push('No baseline yet: the first successful run on the default branch becomes the reference for later comparisons.', '');
  }
  return out.join('\n');
}

export function renderRunSummaryText(report: RunReport): string {
  const out: string[] = [];
  const rows = legRows(report);
  out.push(
    renderTextTable(
      ['LEG', 'STATUS', 'BACKEND', 'SETUP', 'BUILD', 'PUSH', 'TOTAL', 'SIZE', 'DIGEST'],
      rows.map((r) => [
        r.legId,
        r.status !== 'success' ? 'FAILED' : r.pushed === false ? 'built' : 'ok',
        r.backend,
        ...phaseCells(r),
        formatBytes(r.compressedSize),
        shortDigest(r.digest),
      ]),
    ),
  );
  out.push('');
  for (const o of report.outcomes) {
    if (o.status === 'published') {
      out.push(`published ${o.image} (${o.platforms.join(', ')}) ${shortDigest(o.digest)}`);
      for (const tag of o.tags) out.push(`  ${tag}`);
    } else if (o.status === 'built') {
      out.push(`built ${o.image} (${o.platforms.join(', ')}), not pushed: push disabled, no tag moved`);
      for (const r of o.records) out.push(`  ${r.platform} ${r.digest ?? NO_DIGEST}`);
    } else {
      out.push(`FAILED ${o.image}${o.failedLegs.length ? ': no tag moved' : ''}`);
      for (const leg of o.failedLegs) out.push(`  leg ${leg.legId}: ${firstLine(leg.reason)}`);
      if (o.error) out.push(`  merge: ${firstLine(o.error)}`);
    }
  }
  out.push('', `critical path: ${formatDuration(criticalPathMs(report))} (slowest leg + merge)`);
  return `${out.join('\n')}\n`;
}

/** The Setup, Build, Push and Total cells of a leg's row. */
function phaseCells(r: LegRecord): string[] {
  const { setup, build, push, total } = r.durationsMs;
  return [setup, build, push, total].map(formatDuration);
}

function shortDigest(digest: string | undefined): string {
  return digest ? digest.replace(/^sha256:/, 'sha256:').slice(0, 19) : '-';
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
