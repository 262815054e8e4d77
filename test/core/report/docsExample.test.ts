// docs/summary-example.md is the summary of a real local pull-request run (scripts/summary-example.sh:
// ten default-branch runs of the example apps, then a change that adds a 3 MB layer to one, a
// minute-long step to another, and a new app whose arm64 leg fails), compared with the history
// those ten runs left, as the merge job of a pull request compares: rendered by the code, so a
// reader sees exactly what a pull request gets. UPDATE_DOCS=1 rewrites it; then
// `node scripts/render-timeline.mjs` redraws its picture.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseHistory } from '../../../src/core/report/history.js';
import type { LegGrowth } from '../../../src/core/report/layers.js';
import { renderRunSummaryMarkdown, type RunReport } from '../../../src/core/report/runSummary.js';
import type { Thresholds } from '../../../src/core/report/thresholds.js';

const DOC = 'docs/summary-example.md';
const INTRO = `<!-- Rendered by test/core/report/docsExample.test.ts from test/fixtures/summary/ (real leg records
made by scripts/summary-example.sh, registry host replaced); UPDATE_DOCS=1 rewrites it. -->
# Example: the summary of a pull request

What \`hephy-builder\` writes as the merge job's summary and as the pull-request comment (updated in
place on every push), here for a pull request on the example apps that makes \`kaniko-app\` 3 MB
bigger, adds a minute-long step to \`buildkit-cache\` and adds an app, \`web\`, whose arm64 leg
fails. Every leg is compared with its own last 10 default-branch records; the other legs' times
move by tens of percent from run to run (see the legs table) and are rightly not flagged. How the
judgement works: [summaries.md](summaries.md).

The timeline as GitHub draws it (rendered with Mermaid in headless Chromium by
\`scripts/render-timeline.mjs\`):

![The run's legs on one time axis, the critical path in red](summary-example-timeline.png)

`;

describe('docs/summary-example.md', () => {
  it('is what the summary renderer makes of the fixture run', () => {
    const report = JSON.parse(readFileSync('test/fixtures/summary/report.json', 'utf8')) as RunReport;
    const context = JSON.parse(readFileSync('test/fixtures/summary/context.json', 'utf8')) as {
      thresholds: Thresholds;
      growth: LegGrowth[];
      history: unknown;
    };
    const history = parseHistory(JSON.stringify(context.history), 'context.json');
    const rendered = INTRO + renderRunSummaryMarkdown(report, { history, thresholds: context.thresholds, growth: context.growth });
    // The story the fixture was made to tell, each part from real records.
    expect(rendered).toContain('## hephy-builder: 1 failed · 1 bigger · 2 slower');
    expect(rendered).toContain('largest: 2.9 MiB from `RUN head -c 3000000 /dev/urandom > /payload.bin`');
    expect(rendered).toMatch(/`buildkit-cache`\*\* linux\/amd64 is slower: 1m \d\ds, .* over 10 default-branch runs\./);
    expect(rendered).toContain('```mermaid');
    if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, rendered);
    expect(readFileSync(DOC, 'utf8')).toBe(rendered);
  });
});
