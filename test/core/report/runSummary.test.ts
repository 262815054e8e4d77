import type { LegRecord } from '../../../src/core/model.js';
import {
  BUILT_HEADING,
  renderRunSummaryMarkdown,
  renderRunSummaryText,
  SUMMARY_MARKER,
  type RunReport,
} from '../../../src/core/report/runSummary.js';
import { formatDelta, formatDuration, formatBytes } from '../../../src/core/report/format.js';
import { historyFromRecords } from '../../../src/core/report/history.js';
import { criticalPath } from '../../../src/core/report/timeline.js';

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
        record('app--linux-arm64', {
          durationsMs: { setup: 1000, build: 30000, push: 4000, total: 35000 },
          finishedAt: '2026-11-25T10:00:35Z',
        }),
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
    expect(formatDuration(299_700)).toBe('5m 00s');
    expect(formatDuration(59_960)).toBe('1m 00s');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MiB');
    expect(formatDelta(30000, 24000, 'ms')).toBe('+6.0s (+25%)');
    expect(formatDelta(20000, 24000, 'ms')).toBe('-4.0s (-17%)');
    expect(formatDelta(1, undefined, 'ms')).toBe('new');
  });

  it('puts failed images first with the cause, and says there is no baseline yet', () => {
    const md = renderRunSummaryMarkdown(report);
    expect(md.startsWith(SUMMARY_MARKER)).toBe(true);
    expect(md).toContain('## hephy-builder: 1 failed\n');
    expect(md.indexOf('web')).toBeLessThan(md.indexOf('`app`'));
    expect(md).toContain('- **`web`** failed: no tag moved.\n  - leg `web--linux-amd64` (linux/amd64): kaniko exited with code 1\n');
    expect(md).toContain('No baseline yet');
    // Without history nothing is "new": every image would be.
    expect(md).not.toContain('is new');
    expect(md).toMatchSnapshot();
  });

  it("compares each leg with the newest record of its history and shows the history's range", () => {
    const history = historyFromRecords([
      record('app--linux-amd64', {
        durationsMs: { setup: 0, build: 0, push: 0, total: 20000 },
        startedAt: '2026-11-24T10:00:00Z',
        finishedAt: '2026-11-24T10:00:20Z',
      }),
    ]);
    const md = renderRunSummaryMarkdown(report, { history });
    expect(md).toContain('| +4.0s (+20%) | 20.0s (1 run) |');
    // arm64 has no record: a new platform of a known image.
    expect(md).toContain('- **`app`** has a new platform: linux/arm64.');
    expect(md).toContain("Compared with each leg's last default-branch records, from 1 run(s)");
    expect(md).toMatchSnapshot();
  });

  it('takes the leg that finished last as the critical path, then the merge', () => {
    const path = criticalPath(report);
    // Both legs start together; arm64 (35 s) finishes last; the merge follows it (2 s).
    expect(path.record?.legId).toBe('app--linux-arm64');
    expect(path.wallMs).toBe(37000);
    expect(path.waitMs).toBe(0);
  });

  it('renders a terminal summary', () => {
    const text = renderRunSummaryText(report);
    expect(text).toContain('FAILED web: no tag moved');
    expect(text).toContain('published app (linux/amd64, linux/arm64)');
  });

  it('says how each published image is signed, with the command that verifies it, only when the merge signed', () => {
    const verifyCommand = `cosign verify --key=/k/cosign.pub --insecure-ignore-tlog=true r/x@sha256:${'b'.repeat(64)}`;
    const signed: RunReport = {
      ...report,
      outcomes: [
        { ...report.outcomes[0], signature: { method: 'key', status: 'signed', verifyCommand, durationMs: 300 } },
        report.outcomes[1],
      ],
    };
    expect(renderRunSummaryText(signed)).toContain(`  r/x:app-20261125\n  signed (key); verify: ${verifyCommand}\n`);
    const md = renderRunSummaryMarkdown(signed);
    expect(md).toContain('| Image | Platforms | Index digest | Tags | Signature |');
    expect(md).toContain(`| signed (key)<br>\`${verifyCommand}\` |`);
    const again = {
      ...signed,
      outcomes: [{ ...signed.outcomes[0], signature: { ...signed.outcomes[0].signature!, status: 'already signed' as const } }],
    };
    expect(renderRunSummaryText(again)).toContain('signed (key), already: digest unchanged; verify: ');
    // An unsigned run's tables stay as they were.
    expect(renderRunSummaryMarkdown(report)).not.toContain('Signature');
  });

  it('prints the keyless verify command exactly as the merge made it', () => {
    const ref = `r/x@sha256:${'b'.repeat(64)}`;
    const trust =
      '--certificate-identity https://github.com/hephy/builder/.github/workflows/build.yml@refs/tags/v1 --certificate-oidc-issuer https://token.actions.githubusercontent.com';
    const signature = {
      method: 'keyless' as const,
      status: 'signed' as const,
      verifyCommand: `cosign verify ${trust} ${ref}`,
      durationMs: 900,
    };
    const signed: RunReport = { ...report, outcomes: [{ ...report.outcomes[0], signature }] };
    expect(renderRunSummaryText(signed)).toContain(`cosign verify ${trust} ${ref}`);
    expect(renderRunSummaryMarkdown(signed)).toContain(`\`cosign verify ${trust} ${ref}\``);
    expect(renderRunSummaryMarkdown(signed)).toContain('signed (keyless)');
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
    const history = historyFromRecords([
      record('app--linux-amd64', { startedAt: '2026-11-24T10:00:00Z', finishedAt: '2026-11-24T10:00:24Z' }),
    ]);
    const row = renderRunSummaryMarkdown(fork, { history })
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
