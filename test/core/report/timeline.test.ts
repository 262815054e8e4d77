/**
 * @jest-environment jsdom
 */
// The Gantt chart of a run, read back by Mermaid's own parser and Gantt database (mermaid 11, the
// version in package.json): the tasks it finds must be exactly the legs' phases, at their times,
// with the critical path (the leg that finished last, then the merge) marked crit. Mermaid wants a
// DOM at import time, so jest's jsdom environment stands in for the browser; nothing is rendered here (the PNG in
// docs/ is rendered by headless Chromium, scripts/render-timeline.mjs).
import { renderTimeline, TIMELINE_MAX_LEGS } from '../../../src/core/report/timeline.js';
import { leg, runOf, T0 } from '../../helpers/summaryRuns.js';

interface GanttTask {
  task: string;
  section: string;
  startTime: Date;
  endTime: Date;
  crit?: boolean;
  done?: boolean;
  active?: boolean;
}

interface MermaidApi {
  parse(text: string): Promise<{ diagramType: string; config?: Record<string, unknown> }>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: { getTasks(): GanttTask[]; getDateFormat(): string } }> };
  initialize(config: Record<string, unknown>): void;
}

let mermaid: MermaidApi;

beforeAll(async () => {
  mermaid = (await import('mermaid')).default as unknown as MermaidApi;
  mermaid.initialize({ startOnLoad: false });
});

/** The diagram text inside the ```mermaid fence. */
function diagram(markdown: string): string {
  const match = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  if (!match) throw new Error(`no mermaid block in:\n${markdown}`);
  return match[1];
}

async function tasksOf(markdown: string): Promise<GanttTask[]> {
  const text = diagram(markdown);
  const parsed = await mermaid.parse(text);
  expect(parsed.diagramType).toBe('gantt');
  // The front matter reaches the Gantt config: a leg's phases share one row, titles fit.
  expect(parsed.config).toEqual({ gantt: { displayMode: 'compact', leftPadding: expect.any(Number) } });
  const { db } = await mermaid.mermaidAPI.getDiagramFromText(text);
  expect(db.getDateFormat()).toBe('x');
  return db.getTasks().map((t) => ({ ...t, task: t.task.trim() }));
}

const at = (ms: number) => T0 + ms;

describe('renderTimeline', () => {
  const records = [
    leg({ image: 'api', platform: 'linux/amd64', setup: 2000, build: 50_000, push: 3000 }),
    // Waited 10 s for an arm runner, then ran longest: the critical path.
    leg({ image: 'api', platform: 'linux/arm64', startAt: 10_000, setup: 2000, build: 70_000, push: 3000 }),
    leg({ image: 'web', platform: 'linux/amd64', startAt: 1000, setup: 1000, build: 5000, failed: 'RUN make: exit 2' }),
  ];
  const report = { ...runOf(records, 4000), startedAt: new Date(at(90_000)).toISOString() };

  it("draws each leg's phases end to end on one axis, as Mermaid reads them", async () => {
    const tasks = await tasksOf(renderTimeline(report)!);
    const row = (section: string) => tasks.filter((t) => t.section === section).map((t) => [t.task, +t.startTime, +t.endTime]);
    // The axis spans 94 s: bars under 6 % of it (5.6 s) carry the phase's initial only.
    expect(row('api linux/amd64')).toEqual([
      ['s', at(0), at(2000)],
      ['build', at(2000), at(52_000)],
      ['p', at(52_000), at(55_000)],
    ]);
    expect(row('api linux/arm64')).toEqual([
      ['s', at(10_000), at(12_000)],
      ['build', at(12_000), at(82_000)],
      ['p', at(82_000), at(85_000)],
    ]);
    // A failed leg has no push; its last phase is marked.
    expect(row('web linux/amd64')).toEqual([
      ['s', at(1000), at(2000)],
      ['b ✗', at(2000), at(7000)],
    ]);
    // The merge starts when it recorded it did, after the last leg.
    expect(row('merge')).toEqual([['merge', at(90_000), at(94_000)]]);
  });

  it('marks the critical path — the leg that finished last, then the merge — and only it', async () => {
    const tasks = await tasksOf(renderTimeline(report)!);
    const crit = tasks.filter((t) => t.crit).map((t) => `${t.section}: ${t.task}`);
    expect(crit).toEqual(['api linux/arm64: s', 'api linux/arm64: build', 'api linux/arm64: p', 'merge: merge']);
    // Setup is drawn grey (done), push light (active).
    expect(tasks.filter((t) => t.done).map((t) => t.section)).toEqual(['api linux/amd64', 'api linux/arm64', 'web linux/amd64']);
    expect(tasks.filter((t) => t.active).map((t) => t.section)).toEqual(['api linux/amd64', 'api linux/arm64']);
  });

  it('keeps names free of what ends a Mermaid task name', async () => {
    const odd = runOf([leg({ image: 'a:b;c#d%e', platform: 'linux/amd64' })]);
    const tasks = await tasksOf(renderTimeline(odd)!);
    expect(new Set(tasks.map((t) => t.section))).toEqual(new Set(['a b c d e linux/amd64', 'merge']));
  });

  it(`draws one bar per image beyond ${TIMELINE_MAX_LEGS} legs, and at most 100 of them`, async () => {
    const many = Array.from({ length: 150 }, (_, i) =>
      ['linux/amd64', 'linux/arm64'].map((platform) =>
        leg({
          image: `svc-${String(i).padStart(3, '0')}`,
          platform,
          startAt: i * 1000,
          build: 20_000 + (platform.includes('arm') ? 5000 : 0),
        }),
      ),
    ).flat();
    const markdown = renderTimeline(runOf(many))!;
    const tasks = await tasksOf(markdown);
    const bars = tasks.filter((t) => t.section !== 'merge');
    expect(bars).toHaveLength(100);
    // The 100 images that finished last are drawn (svc-050 .. svc-149), each from its first leg's start to its last leg's end.
    expect(bars[0]).toMatchObject({ section: 'svc-050', task: '2 legs' });
    expect(+bars[0].startTime).toBe(at(50_000));
    expect(+bars[0].endTime).toBe(at(50_000 + 1000 + 25_000 + 2000));
    expect(bars.filter((t) => t.crit).map((t) => t.section)).toEqual(['svc-149']);
    expect(markdown).toContain('50 images that finished earlier are not drawn.');
  });

  it('stays compact: a 50-leg chart is a few kilobytes', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => leg({ image: `svc-${i}`, startAt: i * 500 }));
    const markdown = renderTimeline(runOf(fifty))!;
    expect(markdown.split('\n').filter((l) => l.includes(' section ')).length).toBe(51);
    expect(markdown.length).toBeLessThan(10_000);
  });

  it('draws nothing for a run without legs', () => {
    expect(renderTimeline({ outcomes: [], mergeMs: 10 })).toBeUndefined();
  });
});
