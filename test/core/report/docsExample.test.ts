// docs/summary-example.md is the summary of a real local run (examples/ plus an app whose arm64
// RUN step fails), compared with the leg timings of an earlier real run: rendered by the code,
// so a reader sees exactly what a pull request gets. UPDATE_DOCS=1 rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRunSummaryMarkdown, type Baseline, type RunReport } from '../../../src/core/report/runSummary.js';

const DOC = 'docs/summary-example.md';
const INTRO = `<!-- Rendered by test/core/report/docsExample.test.ts from test/fixtures/summary/ (real leg records of
two local runs, registry host replaced); UPDATE_DOCS=1 rewrites it. -->
# Example: the summary of a run

What \`hephy-builder\` writes as the merge job's summary and as the pull-request comment (updated in
place on every push), here for the example apps plus one app whose arm64 leg fails. Failed legs
come first; Δ columns compare with the last successful run on the default branch.

`;

describe('docs/summary-example.md', () => {
  it('is what the summary renderer makes of the fixture run', () => {
    const report = JSON.parse(readFileSync('test/fixtures/summary/report.json', 'utf8')) as RunReport;
    const baseline = JSON.parse(readFileSync('test/fixtures/summary/baseline.json', 'utf8')) as Baseline;
    const rendered = INTRO + renderRunSummaryMarkdown(report, baseline);
    expect(rendered).toContain('**failed**');
    expect(rendered).toContain('Δ time');
    if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, rendered);
    expect(readFileSync(DOC, 'utf8')).toBe(rendered);
  });
});
