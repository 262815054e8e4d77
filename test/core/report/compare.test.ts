// Real or noise, per leg: time against the leg's observed range (and a floor), size exact.
import { compareLeg, judgeTime } from '../../../src/core/report/compare.js';
import { DEFAULT_THRESHOLDS } from '../../../src/core/report/thresholds.js';
import { historyFor, leg } from '../../helpers/summaryRuns.js';

const t = DEFAULT_THRESHOLDS; // floor 30 s, ratio 50 %, size 128 KiB
const current = (totalMs: number, size?: number) => leg({ image: 'api', setup: 1000, build: totalMs - 3000, push: 2000, size });

function judged(totalMs: number, history: number[], size?: number, historySize?: number) {
  const record = current(totalMs, size);
  return compareLeg(
    record,
    historyFor(
      [record],
      () => history,
      () => historySize,
    ),
    t,
  );
}

const TEN = [300_000, 340_000, 260_000, 310_000, 290_000, 355_000, 270_000, 320_000, 280_000, 300_000]; // 4m20s..5m55s

describe('judging a leg', () => {
  it('calls a time inside the observed range steady, whatever its percentage against the newest', () => {
    const c = judged(350_000, TEN);
    expect(c.time).toMatchObject({ verdict: 'steady', samples: 10, basis: 'spread', minMs: 260_000, maxMs: 355_000, deltaMs: 50_000 });
  });

  it('wants a time beyond the range by half its width when that is more than the floor', () => {
    // Range 4m20s..5m55s: 95 s wide, so the margin is 47.5 s (not the 30 s floor).
    expect(judged(355_000 + 47_499, TEN).time.verdict).toBe('steady');
    expect(judged(355_000 + 47_500, TEN).time).toMatchObject({ verdict: 'slower', deltaMs: 102_500, newestMs: 300_000 });
    expect(judged(260_000 - 47_500, TEN).time.verdict).toBe('faster');
  });

  it('wants a time beyond a tight range by the floor', () => {
    const tight = [300_000, 302_000, 301_000, 299_000, 300_500];
    expect(judged(302_000 + 29_999, tight).time.verdict).toBe('steady');
    expect(judged(302_000 + 30_000, tight).time.verdict).toBe('slower');
  });

  it('never flags a short leg, however large its percentage', () => {
    // 1.6 s -> 2.7 s is +68 %, and outside a tight range: still noise below the floor.
    expect(judgeTime(current(2700), [], t).verdict).toBe('new');
    const c = judged(2700, [1600, 1650, 1620, 1580]);
    expect(c.time).toMatchObject({ verdict: 'steady', basis: 'spread' });
  });

  it('with fewer than 3 records, flags only what passes both the floor and the percentage against the newest', () => {
    expect(judged(100_000, [60_000]).time).toMatchObject({ verdict: 'slower', basis: 'ratio', samples: 1 }); // +40 s, +67 %
    expect(judged(85_000, [60_000]).time.verdict).toBe('steady'); // +42 % but only +25 s
    expect(judged(135_000, [100_000, 98_000]).time.verdict).toBe('steady'); // +35 s but only +35 %
    expect(judged(150_000, [100_000, 98_000]).time.verdict).toBe('slower'); // +50 s, +50 %
    expect(judged(40_000, [100_000, 98_000]).time.verdict).toBe('faster');
  });

  it('judges sizes exactly against the newest record, from the size threshold on', () => {
    const base = 40 * 1024 * 1024;
    expect(judged(300_000, TEN, base + 128 * 1024 - 1, base).size.verdict).toBe('same');
    expect(judged(300_000, TEN, base + 128 * 1024, base).size).toMatchObject({ verdict: 'bigger', deltaBytes: 128 * 1024 });
    expect(judged(300_000, TEN, base - 5 * 1024 * 1024, base).size.verdict).toBe('smaller');
  });

  it('has nothing to say about a leg without history, a failed leg or one that was not pushed', () => {
    const fresh = compareLeg(current(10_000), undefined, t);
    expect(fresh.time.verdict).toBe('new');
    expect(fresh.size.verdict).toBe('new');
    const failed = leg({ image: 'api', failed: 'exit 2' });
    expect(
      compareLeg(
        failed,
        historyFor([failed], () => TEN),
        t,
      ).time.verdict,
    ).toBe('failed');
    const unpushed = { ...current(10_000), pushed: false, compressedSize: undefined };
    expect(
      compareLeg(
        unpushed,
        historyFor([unpushed], () => TEN),
        t,
      ).size.verdict,
    ).toBe('unknown');
  });
});
