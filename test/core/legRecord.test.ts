import { failedLegRecord, legRecordName, parseLegRecord } from '../../src/core/legRecord.js';
import type { Leg } from '../../src/core/model.js';

const leg: Leg = {
  id: 'app--linux-arm64',
  image: 'app',
  dir: 'apps/app',
  backend: 'ko',
  platform: 'linux/arm64',
  runner: 'ubuntu-24.04-arm',
  emulated: false,
};

describe('leg records', () => {
  it('round-trips a failed record through JSON', () => {
    const record = failedLegRecord(leg, 'go build failed', new Date('2026-11-25T00:00:00Z'), { setup: 1, build: 2, push: 0, total: 3 });
    expect(parseLegRecord(JSON.stringify(record), 'x.json')).toEqual(record);
    expect(record.status).toBe('failure');
  });
  it('names the file and the problem of a broken record', () => {
    expect(() => parseLegRecord('{', 'leg.json')).toThrow(/^leg\.json: not a JSON leg record/);
    expect(() => parseLegRecord(JSON.stringify({ schema: 1 }), 'leg.json')).toThrow(/leg\.json: not a valid leg record: legId/);
    const bad = { ...failedLegRecord(leg, 'x', new Date(), { setup: 0, build: 0, push: 0, total: 0 }), digest: 'sha256:nothex' };
    expect(() => parseLegRecord(JSON.stringify(bad), 'leg.json')).toThrow(/digest/);
  });
  it('keeps pushed: false of a leg built with push off (the merge reads it back from the artifact)', () => {
    const built = {
      ...failedLegRecord(leg, 'x', new Date(), { setup: 0, build: 0, push: 0, total: 0 }),
      status: 'success',
      error: undefined,
      pushed: false,
    };
    expect(parseLegRecord(JSON.stringify(built), 'leg.json').pushed).toBe(false);
    expect(() => parseLegRecord(JSON.stringify({ ...built, pushed: 'no' }), 'leg.json')).toThrow(/pushed/);
  });
  it('names artifacts after the leg id', () => {
    expect(legRecordName(leg.id)).toBe('hephy-leg-app--linux-arm64');
  });
});
