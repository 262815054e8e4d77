import type { LegRecord } from '../../../src/core/model.js';
import {
  baselineFromReport,
  BUILT_HEADING,
  criticalPathMs,
  parseBaseline,
  renderRunSummaryMarkdown,
  renderRunSummaryText,
  SUMMARY_MARKER,
  type RunReport,
} from '../../../src/core/report/runSummary.js';
import { formatDelta, formatDuration, formatBytes } from '../../../src/core/report/format.js';

const record = (legId: string, extra: Partial<LegRecord> = {}): LegRecord => ({
  schema: 1,
  legId,
  image: legId.split('--')[0],
  dir: 'd',
  platform: legId.endsWith('arm64') ? 'linux/arm64' : 'linux/amd64',
  backend: 'ko',
  runner: legId.endsWith('arm64') ? 'ubuntu-24.04-arm' : 'ubuntu-latest',
  repository: 'r/x',
  digest: 'sha256:' + 'a'.repeat(64),
  compressedSize: 4 * 1024 * 1024,
  durationsMs: { setup: 1000, build: 20000, push: 3000, total: 24000 },
  status: 'success',
  startedAt: '2026-11-25T10:00:00Z',
  finishedAt: '2026-11-25T10:00:24Z',
  ...extra,
});

const report: RunReport = {
  mergeMs: 2000,
  outcomes: [
    {
      image: 'app',
      status: 'published',
      digest: 'sha256:' + 'b'.repeat(64),
      tags: ['r/x:app-20261125'],
      platforms: ['linux/amd64', 'linux/arm64'],
      failedLegs: [],
      records: [
        record('app--linux-amd64'),
        record('app--linux-arm64', { durationsMs: { setup: 1000, build: 30000, push: 4000, total: 35000 } }),
      ],
    },
    {
      image: 'web',
      status: 'failed',
      tags: [],
      platforms: ['linux/amd64'],
      failedLegs: [{ legId: 'web--linux-amd64', platform: 'linux/amd64', reason: 'kaniko exited with code 1\nmore' }],
      records: [
        record('web--linux-amd64', { status: 'failure', digest: undefined, compressedSize: undefined, error: 'kaniko exited with code 1' }),
      ],
    },
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
      {
        mergeMs: 1000,
        outcomes: [
          { ...report.outcomes[0], records: [record('app--linux-amd64', { durationsMs: { setup: 0, build: 0, push: 0, total: 20000 } })] },
        ],
      },
      { ref: 'main', sha: 'c'.repeat(40) },
    );
    expect(baseline.criticalPathMs).toBe(21000);
    const md = renderRunSummaryMarkdown(report, baseline);
    expect(md).toContain('+4.0s (+20%)');
    expect(md).toContain('| new |');
    expect(md).toContain('Compared with the last successful run on main at ccccccc');
    expect(md).toMatchSnapshot();
  });

  it('reads back the baseline it saved for a later run, and refuses a broken one', () => {
    const baseline = baselineFromReport(report, { ref: 'main', sha: 'c'.repeat(40), createdAt: '2026-11-25T00:00:00Z' });
    expect(parseBaseline(JSON.stringify(baseline), 'cache entry k')).toEqual(JSON.parse(JSON.stringify(baseline)));
    expect(() => parseBaseline('{"legs": {"a": {"totalMs": "fast"}}}', 'cache entry k')).toThrow(
      /^cache entry k: not a valid timing baseline: legs\.a\.totalMs: /,
    );
    expect(() => parseBaseline('null', 'cache entry k')).toThrow(/not a valid timing baseline: \(root\)/);
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

describe('run summary with push off', () => {
  const built = (legId: string, extra: Partial<LegRecord> = {}) =>
    record(legId, {
      pushed: false,
      compressedSize: undefined,
      durationsMs: { setup: 1000, build: 20000, push: 0, total: 21000 },
      ...extra,
    });
  const fork: RunReport = {
    mergeMs: 5,
    outcomes: [
      {
        image: 'app',
        status: 'built',
        tags: [],
        platforms: ['linux/amd64', 'linux/arm64'],
        failedLegs: [],
        records: [
          built('app--linux-amd64', { digest: 'sha256:' + '1'.repeat(64) }),
          built('app--linux-arm64', { digest: 'sha256:' + '2'.repeat(64) }),
        ],
      },
      {
        image: 'wasm',
        status: 'built',
        tags: [],
        platforms: ['wasi/wasm32'],
        failedLegs: [],
        records: [built('wasm--wasi-wasm32', { platform: 'wasi/wasm32', digest: undefined })],
      },
    ],
  };

  it('says in its own section that the images were built and not pushed, with each leg digest', () => {
    const md = renderRunSummaryMarkdown(fork);
    expect(md).toContain('**0** image(s) published, **2** built but not pushed, **0** failed.');
    expect(md).toContain(`### ${BUILT_HEADING}`);
    expect(BUILT_HEADING).toBe('Built, not pushed (pull request from a fork, or push disabled)');
    expect(md).toContain('Nothing was pushed and no tag moved');
    expect(md).toContain('| `app` | linux/amd64, linux/arm64 | linux/amd64 `sha256:111111111111`<br>linux/arm64 `sha256:222222222222` |');
    expect(md).toContain('| `wasm` | wasi/wasm32 | wasi/wasm32 (no digest without a push) |');
    expect(md).not.toContain('### Published');
    expect(md).not.toContain('### Failed');
    expect(md).toContain('| `app` linux/amd64 | built, not pushed |');
  });

  it('shows no size delta for a leg that was never measured', () => {
    const baseline = { legs: { 'app--linux-amd64': { totalMs: 20000, compressedSize: 1000 } } };
    const row = renderRunSummaryMarkdown(fork, baseline)
      .split('\n')
      .find((l) => l.startsWith('| `app` linux/amd64'))!;
    expect(
      row
        .split('|')
        .map((c) => c.trim())
        .slice(-3, -1),
    ).toEqual(['-', '-']);
  });

  it('prints built images and their leg digests in the terminal summary', () => {
    const text = renderRunSummaryText(fork);
    expect(text).toContain('built app (linux/amd64, linux/arm64), not pushed: push disabled, no tag moved');
    expect(text).toContain(`  linux/arm64 sha256:${'2'.repeat(64)}`);
    expect(text).toContain('  wasi/wasm32 (no digest without a push)');
    expect(text).toMatch(/app--linux-amd64\s+built\s/);
  });
});
