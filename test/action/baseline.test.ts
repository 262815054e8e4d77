// The baseline store's cache I/O, with @actions/cache stood in for (GitHub's cache service cannot
// exist here; test/e2e/act.test.ts runs the real client against act's cache server). What
// matters: which key is read and written, that a failed read is told from "no store yet", and
// that only a default-branch run that read the store (or found none) writes one.
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyHistory, mergeIntoHistory, serializeHistory } from '../../src/core/report/history.js';
import { leg } from '../helpers/summaryRuns.js';

const calls: string[] = [];
let behaviour: 'hit' | 'miss' | 'throw' | 'empty-entry' = 'hit';
const stored = serializeHistory(mergeIntoHistory(emptyHistory(), [leg({ image: 'api' })], { ref: 'main', runId: '7' }));

jest.unstable_mockModule('@actions/cache', () => ({
  isFeatureAvailable: () => true,
  restoreCache: async (paths: string[], key: string, restoreKeys: string[]) => {
    calls.push(`restore ${paths.join(',')} ${key} [${restoreKeys.join(',')}]`);
    if (behaviour === 'throw') throw new Error('Cache service responded with 503');
    if (behaviour === 'miss') return undefined;
    if (behaviour === 'hit') writeFileSync(join(paths[0], 'history.json'), stored);
    return 'hephy-history-v1-main-7-1';
  },
  saveCache: async (paths: string[], key: string) => {
    calls.push(`save ${paths.join(',')} ${key} ${readFileSync(join(paths[0], 'history.json'), 'utf8').length}`);
    return 1;
  },
}));

const { restoreHistory, saveHistory, historyKeyPrefix } = await import('../../src/action/baseline.js');
const { shouldSaveHistory } = await import('../../src/action/merge.js');

describe('the baseline store in the Actions cache', () => {
  const cwd = process.cwd();
  beforeEach(() => {
    calls.length = 0;
    // The store's path is relative to the workspace: work in a scratch one.
    const workspace = mkdtempSync(join(tmpdir(), 'hephy-ws-'));
    mkdirSync(join(workspace, '.hephy-history'));
    // A valid store left by an earlier step: it must never pass for what the cache restored.
    writeFileSync(
      join(workspace, '.hephy-history', 'history.json'),
      serializeHistory(mergeIntoHistory(emptyHistory(), [leg({ image: 'stale' })])),
    );
    process.chdir(workspace);
  });
  afterEach(() => process.chdir(cwd));

  it('restores the newest entry of the default branch by prefix, from a path that is the same in every job', async () => {
    behaviour = 'hit';
    const restored = await restoreHistory('main');
    expect(calls).toEqual(['restore .hephy-history hephy-history-v1-main-latest [hephy-history-v1-main-]']);
    expect(restored.status).toBe('hit');
    expect(Object.keys(restored.store!.legs)).toEqual(['api--linux-amd64']);
    expect(historyKeyPrefix('release/1.x')).toBe('hephy-history-v1-release_1.x-');
  });

  it('tells "no store yet" from "could not read it", and never passes a stale file for a store', async () => {
    behaviour = 'miss';
    expect(await restoreHistory('main')).toEqual({ status: 'miss', source: 'no cache entry hephy-history-v1-main-*' });
    behaviour = 'throw';
    expect(await restoreHistory('main')).toEqual({ status: 'failed', source: 'Cache service responded with 503' });
    behaviour = 'empty-entry';
    expect((await restoreHistory('main')).status).toBe('failed');
  });

  it("saves under this run's own key (entries are immutable)", async () => {
    const key = await saveHistory('main', emptyHistory(), '4242-2');
    expect(key).toBe('hephy-history-v1-main-4242-2');
    expect(calls).toEqual([`save .hephy-history hephy-history-v1-main-4242-2 ${serializeHistory(emptyHistory()).length}`]);
  });
});

describe('shouldSaveHistory', () => {
  const run = { eventName: 'push', defaultBranch: 'main', branch: 'main', push: true, restored: 'hit' as const };
  it('lets default-branch runs that pushed add their legs', () => {
    for (const eventName of ['push', 'schedule', 'workflow_dispatch']) expect(shouldSaveHistory({ ...run, eventName })).toBe(true);
    expect(shouldSaveHistory({ ...run, restored: 'miss' })).toBe(true);
  });
  it('never a pull request, another branch, a build-only run, or a run that could not read the store', () => {
    expect(shouldSaveHistory({ ...run, eventName: 'pull_request' })).toBe(false);
    expect(shouldSaveHistory({ ...run, branch: 'feature' })).toBe(false);
    expect(shouldSaveHistory({ ...run, push: false })).toBe(false);
    expect(shouldSaveHistory({ ...run, restored: 'failed' })).toBe(false);
    expect(shouldSaveHistory({ ...run, restored: 'unavailable' })).toBe(false);
  });
});
