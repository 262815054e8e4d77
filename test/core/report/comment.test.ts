// The pull-request comment as a reviewer reads it (issue 15's "must show"): findings first, each
// judged against the leg's own default-branch history of 10 records, and never over GitHub's
// 65,536-character limit. Timings are drawn from a seeded generator, so each run of the test
// sees the same noisy history.
import type { LegRecord } from '../../../src/core/model.js';
import type { LegGrowth } from '../../../src/core/report/layers.js';
import {
  COMMENT_LIMIT,
  NO_SIGNIFICANT_CHANGE,
  renderRunComment,
  renderRunSummaryMarkdown,
  type RunReport,
} from '../../../src/core/report/runSummary.js';
import { historyFor, leg, runOf, seeded, digest } from '../../helpers/summaryRuns.js';

const RUN_URL = 'https://github.example.com/team/monorepo/actions/runs/4242';
const MiB = 1024 * 1024;

/** `images` images of two legs each; leg i takes around `base(i)` ms, varied by ±`noise`. */
function noisyRun(images: number, random: () => number, base: (i: number) => number, noise = 0.2) {
  const vary = (ms: number) => Math.round(ms * (1 - noise + 2 * noise * random()));
  const records: LegRecord[] = [];
  for (let i = 0; i < images; i++) {
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const total = vary(base(i));
      records.push(
        leg({
          image: `svc-${String(i).padStart(3, '0')}`,
          platform,
          startAt: Math.round(random() * 20_000),
          setup: 4000,
          build: total - 6000,
          push: 2000,
          size: (20 + (i % 7) * 5) * MiB + (platform === 'linux/arm64' ? 1234 : 0),
          digestSeed: 'e',
        }),
      );
    }
  }
  const history = historyFor(records, (legId) => {
    const i = Number(legId.slice(4, 7));
    return Array.from({ length: 10 }, () => vary(base(i)));
  });
  return { records, history };
}

/** Findings section of a comment: the lines between "### Findings" and the next heading. */
function findings(markdown: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf('### Findings');
  const end = lines.findIndex((l, i) => i > start && l.startsWith('### '));
  return lines.slice(start + 1, end).filter(Boolean);
}

describe('the pull-request comment', () => {
  it('says "No significant change" when every leg is inside its noise', () => {
    const random = seeded(1);
    const { records, history } = noisyRun(8, random, () => 180_000);
    // This run's times are drawn from the same spread as the history: noise, by construction.
    const report = runOf(records);
    const comment = renderRunComment(report, { history, fullSummaryUrl: RUN_URL });
    expect(findings(comment)).toEqual([NO_SIGNIFICANT_CHANGE]);
    expect(comment).toContain('## hephy-builder: no significant change');
    // Within the limit, the comment is the job summary.
    expect(comment).toBe(renderRunSummaryMarkdown(report, { history, fullSummaryUrl: RUN_URL }));
    expect(comment).toMatchSnapshot();
  });

  it('finds the one real regression among noisy legs, from a history of 10 records each', () => {
    const random = seeded(2);
    const { records, history } = noisyRun(20, random, (i) => 60_000 + i * 15_000, 0.25);
    // Noise that looks alarming as a percentage against the newest record, but is not:
    // - svc-003 arm64: 40 % slower than its newest record, still inside its range;
    // - svc-007 amd64: 25 s past the slowest of its 10 records (under the 30 s floor);
    // - and, drawn by the generator, legs of up to 7 minutes whose times vary by a quarter.
    const edit = (id: string, total: number) => {
      const r = records.find((x) => x.legId === id)!;
      r.durationsMs = { setup: 4000, build: total - 6000, push: 2000, total };
      r.finishedAt = new Date(Date.parse(r.startedAt) + total).toISOString();
    };
    const samples = (id: string) => history.legs[id].map((s) => s.durationsMs.total);
    const newest3 = samples('svc-003--linux-arm64')[0];
    edit('svc-003--linux-arm64', Math.min(Math.round(newest3 * 1.4), Math.max(...samples('svc-003--linux-arm64'))));
    edit('svc-007--linux-amd64', Math.max(...samples('svc-007--linux-amd64')) + 25_000);
    // The real one: svc-012 arm64 now takes two minutes more than the slowest of its history.
    edit('svc-012--linux-arm64', Math.max(...samples('svc-012--linux-arm64')) + 120_000);

    const comment = renderRunComment(runOf(records), { history, fullSummaryUrl: RUN_URL });
    const found = findings(comment);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^- \*\*`svc-012`\*\* linux\/arm64 is slower: \d+m \d{2}s, \+\d+m \d{2}s \(\+\d+%\) vs its newest record; outside its range .+ over 10 default-branch runs\.$/,
    );
    expect(comment).toContain('## hephy-builder: 1 slower');
    // In the legs table the real regression is marked, the noise is not.
    expect(comment).toMatch(/\| `svc-012` linux\/arm64 \| ok \|.*\*\*\+\d+m \d{2}s \(\+\d+%\) slower\*\*/);
    expect(comment).not.toMatch(/`svc-00[37]`[^\n]*slower/);
    expect(comment).toMatchSnapshot();
  });

  it('shows a size jump with its largest new layer and the step that made it', () => {
    const random = seeded(3);
    const { records, history } = noisyRun(4, random, () => 240_000);
    const grown = records.filter((r) => r.image === 'svc-002');
    const growth: LegGrowth[] = grown.map((r, i) => {
      r.compressedSize! += 38 * MiB + i * 1000 + 2 * MiB;
      r.digest = digest(['a', 'b'][i]);
      return {
        legId: r.legId,
        image: r.image,
        platform: r.platform,
        before: `${r.repository}@${digest(0)}`,
        after: `${r.repository}@${r.digest}`,
        changes: [
          {
            kind: 'added',
            step: 'RUN apt-get update && apt-get install -y chromium',
            digest: digest(8),
            size: 38 * MiB + i * 1000,
            deltaBytes: 38 * MiB + i * 1000,
          },
          {
            kind: 'changed',
            step: 'COPY --from=build /out/app /app',
            digest: digest(9),
            size: 12 * MiB,
            previousSize: 10 * MiB,
            deltaBytes: 2 * MiB,
          },
        ],
      };
    });
    const comment = renderRunComment(runOf(records), { history, growth, fullSummaryUrl: RUN_URL });
    const found = findings(comment);
    expect(found).toEqual([
      expect.stringMatching(
        /^- \*\*`svc-002`\*\* is bigger: linux\/arm64 \+40\.0 MiB \(\+\d+%\) to .+, linux\/amd64 \+40\.0 MiB .+; largest: 38\.0 MiB from `RUN apt-get update && apt-get install -y chromium`\.$/,
      ),
    ]);
    expect(comment).toContain('### What grew');
    expect(comment).toContain(
      '| `sha256:888888888888` | 38.0 MiB | added, +38.0 MiB | `RUN apt-get update && apt-get install -y chromium` |',
    );
    expect(comment).toContain('| `sha256:999999999999` | 12.0 MiB | +2.0 MiB (+20%) (was 10.0 MiB) | `COPY --from=build /out/app /app` |');
    expect(comment).toMatchSnapshot();
  });

  it('stays under the limit for a 150-image run, and says where the rest is', () => {
    const random = seeded(4);
    const { records, history } = noisyRun(150, random, (i) => 90_000 + (i % 10) * 30_000);
    // A busy pull request: 12 images fail, 20 grow, 15 legs slow down for real, 5 images are new.
    for (let i = 0; i < 12; i++) {
      const r = records[i * 2 + 1];
      Object.assign(r, {
        status: 'failure',
        error: `RUN make -C svc: exit status 2 (step ${i})`,
        digest: undefined,
        compressedSize: undefined,
      });
    }
    for (let i = 30; i < 50; i++) records[i * 2].compressedSize! += (i - 29) * MiB;
    for (let i = 60; i < 75; i++) {
      const r = records[i * 2 + 1];
      const slowest = Math.max(...history.legs[r.legId].map((s) => s.durationsMs.total));
      r.durationsMs = { setup: 4000, build: slowest + 90_000 - 6000, push: 2000, total: slowest + 90_000 };
    }
    for (let i = 145; i < 150; i++) for (const p of ['linux-amd64', 'linux-arm64']) delete history.legs[`svc-${i}--${p}`];
    const report: RunReport = runOf(records);

    const comment = renderRunComment(report, { history, fullSummaryUrl: RUN_URL });
    const summary = renderRunSummaryMarkdown(report, { history, fullSummaryUrl: RUN_URL });
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(summary.length).toBeGreaterThan(COMMENT_LIMIT);
    expect(comment).toContain('## hephy-builder: 12 failed · 20 bigger · 15 slower · 5 new');
    // Findings come whole; the legs table is cut, failed and flagged legs first, with a pointer.
    expect(findings(comment).filter((l) => l.startsWith('- '))).toHaveLength(12 + 20 + 15 + 5);
    expect(findings(comment).filter((l) => l.startsWith('  - leg '))).toHaveLength(12);
    expect(comment).toMatch(
      new RegExp(`\\d+ more row\\(s\\) cut here \\(the full summary is in the \\[job summary\\]\\(${RUN_URL}\\)\\)\\.`),
    );
    expect(comment).toContain(
      `Parts of this summary were cut to stay under 65,536 characters (the full summary is in the [job summary](${RUN_URL})).`,
    );
    expect(comment.indexOf('`svc-000` linux/arm64 | **failed**')).toBeGreaterThan(-1);
    // The job summary keeps every leg.
    expect(summary.match(/^\| `svc-\d{3}` linux\//gm)).toHaveLength(300);
    expect(comment).toMatchSnapshot();
  });

  it('stays under the limit for any size of repository', () => {
    for (const images of [300, 1000]) {
      const random = seeded(images);
      const { records, history } = noisyRun(images, random, () => 100_000);
      for (const r of records) if (random() < 0.3) r.compressedSize! += 10 * MiB;
      for (const r of records) if (random() < 0.1) Object.assign(r, { status: 'failure', error: 'x'.repeat(500) });
      const comment = renderRunComment(runOf(records), { history, fullSummaryUrl: RUN_URL });
      expect([images, comment.length <= COMMENT_LIMIT]).toEqual([images, true]);
      expect(comment).toContain('### Findings');
      expect(comment).toContain('Parts of this summary were cut');
    }
  });
});
