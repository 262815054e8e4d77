// The baseline store (issue 10, item 5): the last 10 default-branch records of each leg,
// whichever runs built them.
import {
  emptyHistory,
  HISTORY_DEPTH,
  mergeIntoHistory,
  newestSample,
  parseHistory,
  samplesOf,
  serializeHistory,
} from '../../../src/core/report/history.js';
import { leg, T0 } from '../../helpers/summaryRuns.js';

/** A run `day` days after T0 of the given images (two legs each), with leg totals of `total`. */
function run(day: number, images: string[], total = 20_000) {
  return images.flatMap((image) =>
    ['linux/amd64', 'linux/arm64'].map((platform) => leg({ image, platform, startAt: day * 86_400_000, build: total - 3000 })),
  );
}

describe('the baseline store', () => {
  it('keeps the newest 10 records of each leg, newest first', () => {
    let store = emptyHistory();
    for (let day = 0; day < 14; day++)
      store = mergeIntoHistory(store, run(day, ['api'], 20_000 + day), { sha: `sha${day}`, runId: `${day}` });
    const samples = samplesOf(store, 'api--linux-amd64');
    expect(samples).toHaveLength(HISTORY_DEPTH);
    expect(samples.map((s) => s.sha)).toEqual(['sha13', 'sha12', 'sha11', 'sha10', 'sha9', 'sha8', 'sha7', 'sha6', 'sha5', 'sha4']);
    expect(newestSample(store, 'api--linux-amd64')?.durationsMs.total).toBe(20_013);
  });

  it("does not drop other legs' history when a partial run builds one app", () => {
    let store = mergeIntoHistory(emptyHistory(), run(0, ['api', 'web', 'worker']), { runId: 'full' });
    for (let day = 1; day <= 12; day++) store = mergeIntoHistory(store, run(day, ['api']), { runId: `api-only-${day}` });
    expect(samplesOf(store, 'api--linux-arm64')).toHaveLength(10);
    for (const id of ['web--linux-amd64', 'web--linux-arm64', 'worker--linux-amd64'])
      expect(samplesOf(store, id).map((s) => s.runId)).toEqual(['full']);
  });

  it('keeps only legs that built and pushed, and a record once even when a merge runs twice', () => {
    const records = [
      leg({ image: 'api' }),
      leg({ image: 'api', platform: 'linux/arm64', failed: 'RUN make: exit 2' }),
      { ...leg({ image: 'fork' }), pushed: false, compressedSize: undefined },
    ];
    let store = mergeIntoHistory(emptyHistory(), records);
    store = mergeIntoHistory(store, records);
    expect(Object.keys(store.legs)).toEqual(['api--linux-amd64']);
    expect(samplesOf(store, 'api--linux-amd64')).toHaveLength(1);
  });

  it('keeps what "what grew" needs: where the image is and its size', () => {
    const store = mergeIntoHistory(emptyHistory(), [leg({ image: 'api', size: 1234, digestSeed: 'd' })], { ref: 'main', sha: 'abc' });
    expect(newestSample(store, 'api--linux-amd64')).toMatchObject({
      repository: 'registry.example.com/team/api',
      digest: `sha256:${'d'.repeat(64)}`,
      compressedSize: 1234,
      ref: 'main',
      sha: 'abc',
      startedAt: new Date(T0).toISOString(),
    });
  });

  it('round-trips through its file form and refuses what is not a store, naming the source', () => {
    const store = mergeIntoHistory(emptyHistory(), run(0, ['api']));
    expect(parseHistory(serializeHistory(store), 'f')).toEqual(store);
    expect(() => parseHistory('{', 'cache entry k')).toThrow(/^cache entry k: not a JSON history/);
    expect(() => parseHistory('{"schema":1,"legs":{"a":[{"image":1}]}}', 'f')).toThrow(/^f: not a valid history: legs\.a\.0\.image: /);
  });
});
