// The merge command's `published` output: what a workflow reads after the merge job.
import type { LegRecord } from '../../src/core/model.js';
import type { RunReport } from '../../src/core/report/runSummary.js';
import { publishedOutput } from '../../src/action/merge.js';

const leg = (platform: string, extra: Partial<LegRecord> = {}): LegRecord => ({
  schema: 1,
  legId: `app--${platform.replace(/\//g, '-')}`,
  image: 'app',
  dir: 'app',
  platform,
  backend: 'ko',
  runner: 'ubuntu-latest',
  repository: '127.0.0.1:5000/hephy/app',
  digest: `sha256:${platform.length.toString().repeat(64).slice(0, 64)}`,
  durationsMs: { setup: 0, build: 0, push: 0, total: 0 },
  status: 'success',
  startedAt: 't0',
  finishedAt: 't1',
  ...extra,
});

describe('publishedOutput', () => {
  it('reports built images with status built, no tags, no index, and each leg digest as built', () => {
    const records = [leg('linux/amd64', { pushed: false }), leg('wasi/wasm32', { pushed: false, digest: undefined })];
    const report: RunReport = {
      mergeMs: 0,
      outcomes: [{ image: 'app', status: 'built', tags: [], platforms: ['linux/amd64', 'wasi/wasm32'], failedLegs: [], records }],
    };
    expect(publishedOutput(report)).toEqual({
      app: { status: 'built', digest: null, tags: [], legDigests: { 'linux/amd64': records[0].digest, 'wasi/wasm32': null }, error: '' },
    });
  });

  it('keeps the index digest and tags of a published image', () => {
    const report: RunReport = {
      mergeMs: 0,
      outcomes: [
        {
          image: 'app',
          status: 'published',
          digest: `sha256:${'f'.repeat(64)}`,
          tags: ['127.0.0.1:5000/hephy/app:latest'],
          platforms: ['linux/amd64'],
          failedLegs: [],
          records: [leg('linux/amd64')],
        },
      ],
    };
    expect(publishedOutput(report).app).toMatchObject({
      status: 'published',
      digest: `sha256:${'f'.repeat(64)}`,
      tags: ['127.0.0.1:5000/hephy/app:latest'],
    });
  });
});
