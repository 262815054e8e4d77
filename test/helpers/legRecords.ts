// Leg records for tests: a successful leg pushed to `repository` at `digest` (a failed one without
// a digest), with fixed times so that "the latest record wins" can be tested.
import { legRecord } from '../../src/core/legRecord.js';
import type { Leg, LegRecord } from '../../src/core/model.js';

export function testLegRecord(leg: Leg, repository: string, digest: string | undefined, extra: Partial<LegRecord> = {}): LegRecord {
  return {
    ...legRecord(leg, new Date('2026-11-25T10:00:00Z'), {
      repository,
      digest,
      durationsMs: { setup: 1, build: 2, push: 3, total: 6 },
      status: digest ? 'success' : 'failure',
    }),
    finishedAt: '2026-11-25T10:01:00Z',
    ...extra,
  };
}
