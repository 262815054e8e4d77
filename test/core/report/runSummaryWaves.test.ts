// Issue 14 point 5: the summaries show the waves. A run with more than one wave has a Wave column
// in the merge's Markdown legs table and in `run`'s text table, and a leg skipped because its need
// failed says so with the reason; a run with one wave renders exactly as before waves existed.
import type { Leg, LegRecord } from '../../../src/core/model.js';
import { skippedLegRecord } from '../../../src/core/legRecord.js';
import { renderRunSummaryMarkdown, renderRunSummaryText, type RunReport } from '../../../src/core/report/runSummary.js';

const record = (legId: string, wave: number | undefined, extra: Partial<LegRecord> = {}): LegRecord => ({
  schema: 1,
  legId,
  image: legId.split('--')[0],
  dir: legId.split('--')[0],
  platform: legId.endsWith('arm64') ? 'linux/arm64' : 'linux/amd64',
  backend: 'buildkit',
  runner: 'ubuntu-latest',
  ...(wave !== undefined ? { wave } : {}),
  repository: `r/${legId.split('--')[0]}`,
  digest: 'sha256:' + 'a'.repeat(64),
  compressedSize: 4 * 1024 * 1024,
  durationsMs: { setup: 1000, build: 20000, push: 3000, total: 24000 },
  status: 'success',
  startedAt: '2026-11-25T10:00:00Z',
  finishedAt: '2026-11-25T10:00:24Z',
  ...extra,
});

/** The base's arm64 leg failed: the app's arm64 leg (wave 2) was skipped, the amd64 legs built. */
function twoWaves(): RunReport {
  const appLeg: Leg = {
    id: 'app--linux-arm64',
    image: 'app',
    dir: 'app',
    backend: 'buildkit',
    platform: 'linux/arm64',
    runner: 'ubuntu-latest',
    emulated: false,
    wave: 2,
  };
  const skipped = skippedLegRecord(appLeg, 'its need base failed for linux/arm64', new Date('2026-11-25T10:01:00Z'));
  return {
    mergeMs: 2000,
    outcomes: [
      {
        image: 'base',
        status: 'failed',
        tags: [],
        platforms: ['linux/amd64', 'linux/arm64'],
        failedLegs: [{ legId: 'base--linux-arm64', platform: 'linux/arm64', reason: 'RUN exited with code 3' }],
        records: [
          record('base--linux-amd64', 1),
          record('base--linux-arm64', 1, { status: 'failure', digest: undefined, error: 'RUN exited with code 3' }),
        ],
      },
      {
        image: 'app',
        status: 'failed',
        tags: [],
        platforms: ['linux/amd64', 'linux/arm64'],
        failedLegs: [{ legId: 'app--linux-arm64', platform: 'linux/arm64', reason: skipped.error! }],
        records: [record('app--linux-amd64', 2, { startedAt: '2026-11-25T10:00:30Z', finishedAt: '2026-11-25T10:00:50Z' }), skipped],
      },
      {
        image: 'tools',
        status: 'published',
        digest: 'sha256:' + 'b'.repeat(64),
        tags: ['r/tools:latest'],
        platforms: ['linux/amd64'],
        failedLegs: [],
        records: [record('tools--linux-amd64', 1)],
      },
    ],
  };
}

/** The rows of the Markdown legs table as {column: cell}, keyed by the Leg cell. */
function legRows(markdown: string): { headers: string[]; rows: Map<string, Record<string, string>> } {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.includes('<summary>Legs:'));
  const table = lines.slice(start + 1, lines.indexOf('</details>', start)).filter((l) => l.startsWith('|'));
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim());
  const headers = cells(table[0]);
  const rows = new Map<string, Record<string, string>>();
  for (const line of table.slice(2)) {
    const row = Object.fromEntries(cells(line).map((c, i) => [headers[i], c]));
    rows.set(row.Leg.replace(/`/g, ''), row);
  }
  return { headers, rows };
}

describe('run summary with waves', () => {
  it("a skipped leg's record keeps its wave and says why it was skipped", () => {
    const skipped = twoWaves().outcomes[1].records[1];
    expect(skipped).toMatchObject({ wave: 2, status: 'failure', error: 'skipped: its need base failed for linux/arm64' });
  });

  it('the Markdown legs table has a Wave column, wave 1 before wave 2, and the skipped leg with its reason', () => {
    const md = renderRunSummaryMarkdown(twoWaves());
    expect(md).toContain('<summary>Legs: 5 in 2 waves, with their phases and sizes</summary>');
    const { headers, rows } = legRows(md);
    expect(headers.slice(0, 3)).toEqual(['Leg', 'Wave', 'Status']);
    expect([...rows].map(([leg, row]) => [leg, row.Wave, row.Status])).toEqual([
      ['base linux/arm64', '1', '**failed**: RUN exited with code 3'],
      ['app linux/arm64', '2', '**skipped**: its need base failed for linux/arm64'],
      ['base linux/amd64', '1', 'ok'],
      ['tools linux/amd64', '1', 'ok'],
      ['app linux/amd64', '2', 'ok'],
    ]);
    // The findings name the skipped leg's reason too.
    expect(md).toContain('  - leg `app--linux-arm64` (linux/arm64): skipped: its need base failed for linux/arm64\n');
  });

  it("run's text table has a WAVE column and SKIPPED for the skipped leg, whose reason is listed under its image", () => {
    const text = renderRunSummaryText(twoWaves());
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('LEG'))!;
    expect(header).toMatch(/^LEG\s+WAVE\s+STATUS\s+BACKEND/);
    expect(lines.find((l) => l.startsWith('app--linux-arm64'))).toMatch(/^app--linux-arm64\s+2\s+SKIPPED\s+buildkit/);
    expect(lines.find((l) => l.startsWith('base--linux-arm64'))).toMatch(/^base--linux-arm64\s+1\s+FAILED\s+buildkit/);
    expect(text).toContain('FAILED app: no tag moved\n  leg app--linux-arm64: skipped: its need base failed for linux/arm64\n');
  });

  it('a run with one wave looks as before waves: no Wave column, whether its records say wave 1 or nothing', () => {
    const oneWave = (wave: number | undefined): RunReport => ({
      mergeMs: 1000,
      outcomes: [
        {
          image: 'tools',
          status: 'published',
          digest: 'sha256:' + 'b'.repeat(64),
          tags: ['r/tools:latest'],
          platforms: ['linux/amd64'],
          failedLegs: [],
          records: [record('tools--linux-amd64', wave)],
        },
      ],
    });
    const md = renderRunSummaryMarkdown(oneWave(1));
    expect(md).toBe(renderRunSummaryMarkdown(oneWave(undefined)));
    expect(md).toContain('<summary>Legs: 1, with their phases and sizes</summary>');
    expect(legRows(md).headers).not.toContain('Wave');
    const text = renderRunSummaryText(oneWave(1));
    expect(text).toBe(renderRunSummaryText(oneWave(undefined)));
    expect(text).not.toContain('WAVE');
  });
});
