import type { LegRecord } from '../../../src/core/model.js';
import { baselineFromReport, criticalPathMs, renderRunSummaryMarkdown, renderRunSummaryText, SUMMARY_MARKER, type RunReport } from '../../../src/core/report/runSummary.js';
import { formatDelta, formatDuration, formatBytes } from '../../../src/core/report/format.js';

const record = (legId: string, extra: Partial<LegRecord> = {}): LegRecord => ({
  schema: 1, legId, image: legId.split('--')[0], dir: 'd', platform: legId.endsWith('arm64') ? 'linux/arm64' : 'linux/amd64',
  backend: 'ko', runner: legId.endsWith('arm64') ? 'ubuntu-24.04-arm' : 'ubuntu-latest', repository: 'r/x',
  digest: 'sha256:' + 'a'.repeat(64), compressedSize: 4 * 1024 * 1024, durationsMs: { setup: 1000, build: 20000, push: 3000, total: 24000 },
  status: 'success', startedAt: '2026-11-25T10:00:00Z', finishedAt: '2026-11-25T10:00:24Z', ...extra,
});

const report: RunReport = {
  mergeMs: 2000,
  outcomes: [
    { image: 'app', status: 'published', digest: 'sha256:' + 'b'.repeat(64), tags: ['r/x:app-20261125'], platforms: ['linux/amd64', 'linux/arm64'], failedLegs: [],
      records: [record('app--linux-amd64'), record('app--linux-arm64', { durationsMs: { setup: 1000, build: 30000, push: 4000, total: 35000 } })] },
    { image: 'web', status: 'failed', tags: [], platforms: ['linux/amd64'], failedLegs: [{ legId: 'web--linux-amd64', platform: 'linux/amd64', reason: 'kaniko exited with code 1\nmore' }],
      records: [record('web--linux-amd64', { status: 'failure', digest: undefined, compressedSize: undefined, error: 'kaniko exited with code 1' })] },
  ],
};

describe('run summary', () => {
  it('formats durations, sizes and deltas', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(24000)).toBe('24.0s');
    expect(formatDuration(135000)).toBe('2m 15s');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MiB');
    expect(formatDelta(30000, 24000, 'ms')).toBe('+6.0s (+25%)');
    expect(formatDelta(20000, 24000, 'ms')).toBe('-4.0s (-17%)');
    expect(formatDelta(1, undefined, 'ms')).toBe('new');
  });

  it('puts failed legs first and names the failure', () => {
    const md = renderRunSummaryMarkdown(report);
    expect(md.startsWith(SUMMARY_MARKER)).toBe(true);
    expect(md.indexOf('web')).toBeLessThan(md.indexOf('`app`'));
    expect(md).toContain('leg `web--linux-amd64` (linux/amd64): kaniko exited with code 1');
    expect(md).toContain('No baseline yet');
    expect(md).toMatchSnapshot();
  });

  it('compares with a baseline', () => {
    const baseline = baselineFromReport(
      { mergeMs: 1000, outcomes: [{ ...report.outcomes[0], records: [record('app--linux-amd64', { durationsMs: { setup: 0, build: 0, push: 0, total: 20000 } })] }] },
      { ref: 'main', sha: 'c'.repeat(40) },
    );
    expect(baseline.criticalPathMs).toBe(21000);
    const md = renderRunSummaryMarkdown(report, baseline);
    expect(md).toContain('+4.0s (+20%)');
    expect(md).toContain('| new |');
    expect(md).toContain('Compared with the last successful run on main at ccccccc');
    expect(md).toMatchSnapshot();
  });

  it('computes the critical path as slowest leg plus merge', () => {
    expect(criticalPathMs(report)).toBe(37000);
  });

  it('renders a terminal summary', () => {
    const text = renderRunSummaryText(report);
    expect(text).toContain('FAILED web: no tag moved');
    expect(text).toContain('published app (linux/amd64, linux/arm64)');
  });
});
