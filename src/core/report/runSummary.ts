// The summary users see after a run: as the job summary, as the PR comment (marked so it can be
// found and updated), and as text at the end of `hephy-builder run`.
//
// Reading order, for a reviewer of a monorepo pull request: findings first (failed, bigger,
// slower, new; or "No significant change"), then the run as a Gantt chart with its critical path,
// then what grew layer by layer, and the full tables folded in <details>. The comment must stay
// under GitHub's 65,536-character limit for any number of images: sections are kept by priority
// and cut row by row, each cut saying where the rest is (the job summary, which has a larger limit).
import type { LegRecord } from '../model.js';
import { formatRunner } from '../runners.js';
import { compareRecords, type LegComparison } from './compare.js';
import {
  collectFindings,
  describeThresholds,
  firstLine,
  renderFinding,
  renderImprovements,
  type Finding,
  type Findings,
} from './findings.js';
import { formatBytes, formatDelta, formatDuration } from './format.js';
import type { HistoryStore } from './history.js';
import type { LegGrowth } from './layers.js';
import { cell, inlineCode, plainText, renderMarkdownTable, renderTextTable } from './planReport.js';
import type { ImageOutcome, ImageSignature, RunReport } from './runReport.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import { criticalPath, renderTimeline } from './timeline.js';

export type { ImageOutcome, ImageSignature, RunReport } from './runReport.js';

export const SUMMARY_MARKER = '<!-- hephy-builder:summary -->';
export const BUILT_HEADING = 'Built, not pushed (pull request from a fork, or push disabled)';
export const NO_SIGNIFICANT_CHANGE = 'No significant change in time or size.';
const NO_HISTORY = 'No default-branch history yet: time and size have nothing to compare with.';
/**
 * GitHub refuses an issue comment body over 65,536 characters ("body is too long (maximum is
 * 65536 characters)"). Measured here in UTF-16 code units, which is never fewer than characters.
 */
export const COMMENT_LIMIT = 65_536;
/** GitHub's limit on one step's job summary: 1 MiB. Measured in bytes of UTF-8. */
export const JOB_SUMMARY_LIMIT = 1024 * 1024;
/** A leg's layer changes listed under "What grew". */
const GROWTH_LAYERS = 5;
/** Layer changes smaller than this are counted, not listed. */
const TINY_LAYER_CHANGE = 1024;
/** A leg whose push step took a digest without a push (spin with push off). */
const NO_DIGEST = '(no digest without a push)';

export interface SummaryOptions {
  /**
   * Default-branch records per leg. Absent: no history could be read (the first run, a cache
   * miss, or none given to the CLI); then nothing is judged and the summary says so.
   */
  history?: HistoryStore;
  thresholds?: Thresholds;
  /** Layer changes of the legs that grew, read from the registry. */
  growth?: LegGrowth[];
  /** Where the whole summary can be read (the run's page), named where the comment is cut. */
  fullSummaryUrl?: string;
}

interface Context {
  report: RunReport;
  options: SummaryOptions;
  thresholds: Thresholds;
  comparisons: LegComparison[];
  findings: Findings;
  /** The history holds at least one leg: judgements mean something. */
  hasHistory: boolean;
}

function contextOf(report: RunReport, options: SummaryOptions): Context {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const hasHistory = Object.keys(options.history?.legs ?? {}).length > 0;
  const comparisons = compareRecords(allRecords(report), hasHistory ? options.history : undefined, thresholds);
  const findings = collectFindings(report.outcomes, comparisons);
  // With no history at all, every image is "new": that says nothing.
  if (!hasHistory) findings.items = findings.items.filter((f) => f.kind === 'failed');
  return { report, options, thresholds, comparisons, findings, hasHistory };
}

function allRecords(report: RunReport): LegRecord[] {
  return report.outcomes.flatMap((o) => o.records);
}

/** Failed legs first, then legs with a finding, then the rest, in the run's order. */
function orderedComparisons(ctx: Context): LegComparison[] {
  const rank = (c: LegComparison) =>
    c.record.status !== 'success' ? 0 : c.size.verdict === 'bigger' || c.time.verdict === 'slower' ? 1 : 2;
  return ctx.comparisons
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

/** The Setup, Build, Push and Total cells of a leg's row. */
function phaseCells(r: LegRecord): string[] {
  const { setup, build, push, total } = r.durationsMs;
  return [setup, build, push, total].map(formatDuration);
}

function shortDigest(digest: string | undefined): string {
  return digest ? digest.slice(0, 19) : '-';
}

// --- Sections ---------------------------------------------------------------------------------

/** A section's lines as text that ends with one blank line, whatever its lines end with. */
function block(lines: string[]): string {
  const kept = [...lines];
  while (kept.length && kept[kept.length - 1] === '') kept.pop();
  return `${kept.join('\n')}\n\n`;
}

function headerSection(ctx: Context): string {
  const outcomes = ctx.report.outcomes;
  const count = (status: ImageOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  const built = count('built');
  const builtCount = built ? `**${built}** built but not pushed, ` : '';
  return block([
    SUMMARY_MARKER,
    `## hephy-builder: ${headline(ctx)}`,
    '',
    `**${count('published')}** image(s) published, ${builtCount}**${count('failed')}** failed.`,
    '',
  ]);
}

/** The findings counted in a few words, for the heading (what a notification shows). */
function headline(ctx: Context): string {
  const counts = new Map<Finding['kind'], number>();
  for (const f of ctx.findings.items) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const words: Record<Finding['kind'], string> = { failed: 'failed', bigger: 'bigger', slower: 'slower', new: 'new' };
  const parts = [...counts].map(([kind, n]) => `${n} ${words[kind]}`);
  if (parts.length) return parts.join(' · ');
  return ctx.hasHistory ? 'no significant change' : 'no history to compare with yet';
}

function findingLines(ctx: Context): string[] {
  const growth = ctx.options.growth ?? [];
  return ctx.findings.items.flatMap((f) => renderFinding(f, growth));
}

function findingsSection(ctx: Context, maxItems = Infinity): string {
  const items = ctx.findings.items.slice(0, maxItems);
  const growth = ctx.options.growth ?? [];
  const lines = items.flatMap((f) => renderFinding(f, growth));
  const out = ['### Findings', ''];
  if (!ctx.findings.items.length) out.push(ctx.hasHistory ? NO_SIGNIFICANT_CHANGE : `Nothing failed. ${NO_HISTORY}`);
  out.push(...lines);
  if (ctx.findings.items.length && !ctx.hasHistory) out.push(`- ${NO_HISTORY}`);
  if (ctx.findings.items.length > items.length) out.push(`- … and ${ctx.findings.items.length - items.length} more findings.`);
  out.push(...renderImprovements(ctx.findings));
  out.push('');
  return block(out);
}

function criticalPathLine(report: RunReport): string {
  const path = criticalPath(report);
  if (!path.record) return `Merge: ${formatDuration(report.mergeMs)}.`;
  const r = path.record;
  const wait = path.waitMs >= 1000 ? `started ${formatDuration(path.waitMs)} after the first leg; ` : '';
  const phases = `setup ${formatDuration(r.durationsMs.setup)}, build ${formatDuration(r.durationsMs.build)}, push ${formatDuration(r.durationsMs.push)}`;
  return (
    `Critical path: \`${r.image}\` ${r.platform} (${wait}${phases}), then the merge (${formatDuration(path.mergeMs)}): ` +
    `**${formatDuration(path.wallMs)}** from the first leg's start to the last tag.`
  );
}

function timelineSection(ctx: Context): string {
  const chart = renderTimeline(ctx.report);
  return block(['### Timeline', '', ...(chart ? [chart, ''] : []), criticalPathLine(ctx.report), '']);
}

function growthSection(ctx: Context): string | undefined {
  const growth = ctx.options.growth ?? [];
  const bigger = ctx.findings.items.flatMap((f) => (f.kind === 'bigger' ? f.legs : []));
  if (!bigger.length) return undefined;
  const out = ['### What grew', ''];
  for (const c of bigger) {
    const s = c.size;
    const g = growth.find((x) => x.legId === c.record.legId);
    out.push(
      `**\`${c.record.image}\`** ${c.record.platform}: ${formatBytes(s.newestBytes)} → ${formatBytes(s.currentBytes)}, ${formatDelta(s.currentBytes, s.newestBytes, 'bytes')}`,
      '',
    );
    if (!g) {
      out.push('Layers not compared (the registry was not read for this leg).', '');
      continue;
    }
    if (g.error) {
      out.push(`Layers not compared: ${cell(plainText(firstLine(g.error)))}`, '');
      continue;
    }
    // Layers rebuilt byte-for-byte but for a timestamp move by a few bytes: not worth a row.
    const notable = g.changes.filter((l) => Math.abs(l.deltaBytes) >= TINY_LAYER_CHANGE);
    const shown = (notable.length ? notable : g.changes).slice(0, GROWTH_LAYERS);
    out.push(
      renderMarkdownTable(
        ['Layer', 'Size', 'Change', 'Made by'],
        shown.map((l) => [
          `\`${shortDigest(l.digest)}\``,
          formatBytes(l.size),
          l.kind === 'added'
            ? `added, +${formatBytes(l.deltaBytes)}`
            : l.kind === 'removed'
              ? `removed, ${formatBytes(l.deltaBytes)}`
              : `${formatDelta(l.size, l.previousSize, 'bytes')} (was ${formatBytes(l.previousSize)})`,
          inlineCode(l.step),
        ]),
      ),
      '',
    );
    const tiny = g.changes.length - notable.length;
    const more = notable.length - shown.length;
    if (more > 0) out.push(`${more} smaller layer change(s) not shown.`, '');
    if (tiny > 0 && notable.length) out.push(`${tiny} more layer(s) changed by under ${formatBytes(TINY_LAYER_CHANGE)} each.`, '');
    out.push(`Compared \`${g.after}\` with the newest default-branch record \`${g.before}\`.`, '');
  }
  return block(out);
}

function builtSection(ctx: Context): string | undefined {
  const built = ctx.report.outcomes.filter((o) => o.status === 'built');
  if (!built.length) return undefined;
  return block([
    `### ${BUILT_HEADING}`,
    '',
    'Nothing was pushed and no tag moved: each digest is that of the image as built, which no registry holds.',
    '',
    renderMarkdownTable(
      ['Image', 'Platforms', 'Leg digests'],
      built.map((o) => [
        `\`${o.image}\``,
        o.platforms.join(', '),
        o.records.map((r) => `${r.platform} ${r.digest ? `\`${shortDigest(r.digest)}\`` : NO_DIGEST}`).join('<br>'),
      ]),
    ),
    '',
  ]);
}

/** A table folded in <details>, cut to its first `rows` rows with a note saying how many are left out. */
interface FoldedTable {
  summary: string;
  headers: string[];
  rows: string[][];
  /** Open by default (the table the summary is about). */
  open?: boolean;
}

function renderFolded(table: FoldedTable, rows = table.rows.length, pointer = ''): string {
  const kept = table.rows.slice(0, rows);
  const out = [
    `<details${table.open ? ' open' : ''}><summary>${table.summary}</summary>`,
    '',
    renderMarkdownTable(table.headers, kept),
    '',
  ];
  if (kept.length < table.rows.length) out.push(`${table.rows.length - kept.length} more row(s) cut here${pointer}.`, '');
  out.push('</details>', '');
  return block(out);
}

function publishedTable(ctx: Context): FoldedTable | undefined {
  const published = ctx.report.outcomes.filter((o) => o.status === 'published');
  if (!published.length) return undefined;
  // The signature column only when the merge signed: an unsigned run's table stays as it was.
  const signed = published.some((o) => o.signature);
  return {
    summary: `Published: ${published.length} image(s), their index digests and tags`,
    headers: ['Image', 'Platforms', 'Index digest', 'Tags', ...(signed ? ['Signature'] : [])],
    rows: published.map((o) => [
      `\`${o.image}\``,
      o.platforms.join(', '),
      `\`${shortDigest(o.digest)}\``,
      o.tags.map((t) => `\`${t}\``).join('<br>'),
      ...(signed ? [o.signature ? signatureCell(o.signature) : 'not signed'] : []),
    ]),
  };
}

/** The signature's words and the exact commands that verify it and the attestations the plan asked for. */
function signatureCell(signature: ImageSignature): string {
  return [signatureWords(signature), ...[signature.verifyCommand, ...(signature.attestationCommands ?? [])].map((c) => `\`${c}\``)].join(
    '<br>',
  );
}

/** "signed (key)", or "signed (key), already" for an unchanged digest. */
function signatureWords(signature: ImageSignature): string {
  return signature.status === 'signed' ? `signed (${signature.method})` : `signed (${signature.method}), already: digest unchanged`;
}

function timeCell(c: LegComparison): string {
  const t = c.time;
  if (t.verdict === 'failed') return '-';
  const delta = formatDelta(t.currentMs, t.newestMs, 'ms');
  return t.verdict === 'slower' ? `**${delta} slower**` : t.verdict === 'faster' ? `**${delta} faster**` : delta;
}

function rangeCell(c: LegComparison): string {
  const t = c.time;
  if (!t.samples) return '-';
  if (t.samples === 1) return `${formatDuration(t.minMs!)} (1 run)`;
  return `${formatDuration(t.minMs!)}–${formatDuration(t.maxMs!)} (${t.samples} runs)`;
}

function sizeCell(c: LegComparison): string {
  const s = c.size;
  if (c.record.pushed === false || c.record.status !== 'success') return '-';
  const delta = formatDelta(s.currentBytes, s.newestBytes, 'bytes');
  return s.verdict === 'bigger' ? `**${delta} bigger**` : s.verdict === 'smaller' ? `**${delta} smaller**` : delta;
}

function legsTable(ctx: Context): FoldedTable | undefined {
  const rows = orderedComparisons(ctx);
  if (!rows.length) return undefined;
  const compare = ctx.hasHistory;
  return {
    summary: compare
      ? `Legs: ${rows.length}, each against its default-branch history (Δ: vs the newest record)`
      : `Legs: ${rows.length}, with their phases and sizes`,
    open: !compare,
    headers: [
      'Leg',
      'Status',
      'Runner',
      'Backend',
      'Setup',
      'Build',
      'Push',
      'Total',
      ...(compare ? ['Δ time', 'Range'] : []),
      'Size',
      ...(compare ? ['Δ size'] : []),
    ],
    rows: rows.map((c) => {
      const r = c.record;
      return [
        `\`${r.image}\` ${r.platform}`,
        r.status !== 'success' ? `**failed**: ${plainText(firstLine(r.error ?? ''))}` : r.pushed === false ? 'built, not pushed' : 'ok',
        plainText(formatRunner(r.runner)),
        r.backend,
        ...phaseCells(r),
        ...(compare ? [timeCell(c), rangeCell(c)] : []),
        formatBytes(r.compressedSize),
        ...(compare ? [sizeCell(c)] : []),
      ];
    }),
  };
}

function footerSection(ctx: Context, cutNote: string): string {
  const out: string[] = [];
  if (ctx.hasHistory) {
    const newest = ctx.comparisons.map((c) => c.samples[0]).filter((s) => s !== undefined);
    const latest = newest.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))[0];
    const runs = new Set(newest.map((s) => s.runId ?? s.sha ?? s.finishedAt)).size;
    const where = latest
      ? ` (newest: ${[latest.ref, latest.sha?.slice(0, 7)].filter(Boolean).join(' at ') || 'a default-branch run'}, ${latest.finishedAt})`
      : '';
    out.push(
      `Compared with each leg's last default-branch records, from ${runs} run(s)${where}. Thresholds: ${describeThresholds(ctx.thresholds)}.`,
      '',
    );
  } else {
    out.push('No baseline yet: the first successful run on the default branch becomes the reference for later comparisons.', '');
  }
  if (cutNote) out.push(cutNote, '');
  return block(out);
}

// --- Fitting under a limit --------------------------------------------------------------------

type Measure = (text: string) => number;
const chars: Measure = (text) => text.length;
const utf8Bytes: Measure = (text) => Buffer.byteLength(text, 'utf8');

interface Part {
  /** Lower goes in first when space is short. */
  priority: number;
  /** The part as it reads in full. */
  full: string;
  /** The part cut to n items (rows, findings), for n from 0 to count. */
  cut?: (n: number) => string;
  count?: number;
  /** What stands in its place when not even one item fits. */
  dropped?: string;
}

/**
 * The parts joined in order, within `limit`: parts go in by priority, each in full if it fits,
 * else with as many items as fit, else as their one-line stand-in.
 */
function fitParts(head: string, parts: Part[], footer: (cut: boolean) => string, limit: number, measure: Measure): string {
  const whole = head + parts.map((p) => p.full).join('') + footer(false);
  if (measure(whole) <= limit) return whole;
  let budget = limit - measure(head) - measure(footer(true));
  const chosen = new Map<Part, string>();
  for (const part of [...parts].sort((a, b) => a.priority - b.priority)) {
    let text = part.dropped ?? '';
    if (measure(part.full) <= budget) text = part.full;
    else if (part.cut && part.count) {
      let lo = 0;
      let hi = part.count;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (measure(part.cut(mid)) <= budget) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) text = part.cut(lo);
    }
    if (measure(text) > budget) text = '';
    chosen.set(part, text);
    budget -= measure(text);
  }
  return head + parts.map((p) => chosen.get(p) ?? '').join('') + footer(true);
}

function render(report: RunReport, options: SummaryOptions, limit: number, measure: Measure, where: string): string {
  const ctx = contextOf(report, options);
  const pointer = ` (the full summary is in ${where})`;
  const parts: Part[] = [];
  const findingCount = ctx.findings.items.length;
  parts.push({
    priority: 0,
    full: findingsSection(ctx),
    cut: (n) => findingsSection(ctx, n),
    count: findingCount,
    dropped: `### Findings\n\n${findingCount} findings: too many for here${pointer}.\n\n`,
  });
  parts.push({ priority: 1, full: timelineSection(ctx), dropped: `### Timeline\n\n${criticalPathLine(report)}\n\n` });
  const growth = growthSection(ctx);
  if (growth) parts.push({ priority: 2, full: growth, dropped: `### What grew\n\nLayer changes left out${pointer}.\n\n` });
  const built = builtSection(ctx);
  if (built) parts.push({ priority: 3, full: built });
  for (const [priority, table] of [
    [4, legsTable(ctx)],
    [5, publishedTable(ctx)],
  ] as const) {
    if (!table) continue;
    parts.push({
      priority,
      full: renderFolded(table),
      cut: (n) => renderFolded(table, n, pointer),
      count: table.rows.length,
      dropped: `${table.summary.split(':')[0]}: left out${pointer}.\n\n`,
    });
  }
  const footer = (cut: boolean) =>
    footerSection(
      ctx,
      cut
        ? `Parts of this summary were cut to stay under ${limit.toLocaleString('en-US')} ${measure === chars ? 'characters' : 'bytes'}${pointer}.`
        : '',
    );
  return fitParts(headerSection(ctx), parts, footer, limit, measure);
}

/** The job summary: everything, within GitHub's 1 MiB per step. */
export function renderRunSummaryMarkdown(report: RunReport, options: SummaryOptions = {}): string {
  return render(report, options, JOB_SUMMARY_LIMIT, utf8Bytes, "the run's log");
}

/**
 * The pull-request comment: the job summary when it fits in COMMENT_LIMIT characters (always, up
 * to dozens of images), else cut by priority with pointers to the job summary.
 */
export function renderRunComment(report: RunReport, options: SummaryOptions = {}, limit = COMMENT_LIMIT): string {
  const where = options.fullSummaryUrl ? `the [job summary](${options.fullSummaryUrl})` : "the merge job's summary";
  return render(report, options, limit, chars, where);
}

// --- Terminal ---------------------------------------------------------------------------------

function plain(markdown: string): string {
  return markdown.replace(/\*\*/g, '').replace(/`/g, '').replace(/\\\|/g, '|');
}

export function renderRunSummaryText(report: RunReport, options: SummaryOptions = {}): string {
  const ctx = contextOf(report, options);
  const out: string[] = [];
  const findings = [...findingLines(ctx), ...renderImprovements(ctx.findings)];
  if (findings.length) out.push('Findings:', ...findings.map((l) => plain(l).replace(/^(\s*)- /, '$1  ')), '');
  else if (ctx.hasHistory) out.push(NO_SIGNIFICANT_CHANGE, '');
  const compare = ctx.hasHistory;
  out.push(
    renderTextTable(
      [
        'LEG',
        'STATUS',
        'BACKEND',
        'SETUP',
        'BUILD',
        'PUSH',
        'TOTAL',
        ...(compare ? ['Δ TIME', 'RANGE'] : []),
        'SIZE',
        ...(compare ? ['Δ SIZE'] : []),
        'DIGEST',
      ],
      orderedComparisons(ctx).map((c) => {
        const r = c.record;
        return [
          r.legId,
          r.status !== 'success' ? 'FAILED' : r.pushed === false ? 'built' : 'ok',
          r.backend,
          ...phaseCells(r),
          ...(compare ? [plain(timeCell(c)), rangeCell(c)] : []),
          formatBytes(r.compressedSize),
          ...(compare ? [plain(sizeCell(c))] : []),
          shortDigest(r.digest),
        ];
      }),
    ),
  );
  out.push('');
  for (const o of report.outcomes) {
    if (o.status === 'published') {
      out.push(`published ${o.image} (${o.platforms.join(', ')}) ${shortDigest(o.digest)}`);
      for (const tag of o.tags) out.push(`  ${tag}`);
      if (o.signature) out.push(`  ${signatureWords(o.signature)}; verify: ${o.signature.verifyCommand}`);
      for (const command of o.signature?.attestationCommands ?? []) out.push(`  verify: ${command}`);
    } else if (o.status === 'built') {
      out.push(`built ${o.image} (${o.platforms.join(', ')}), not pushed: push disabled, no tag moved`);
      for (const r of o.records) out.push(`  ${r.platform} ${r.digest ?? NO_DIGEST}`);
    } else {
      out.push(`FAILED ${o.image}${o.failedLegs.length ? ': no tag moved' : ''}`);
      for (const leg of o.failedLegs) out.push(`  leg ${leg.legId}: ${firstLine(leg.reason)}`);
      if (o.error) out.push(`  merge: ${firstLine(o.error)}`);
      if (o.tags.length) out.push(`  tags this run moved: ${o.tags.join(', ')}`);
    }
  }
  out.push('', plain(criticalPathLine(report)));
  return `${out.join('\n')}\n`;
}
