import { runBuilder, SHARED_RUN_BUILDER } from '../../src/pipeline/localRun.js';

describe('runBuilder', () => {
  const unique = () => '42-abc';

  it('shares one builder between runs whose registry is loopback, whatever its port', () => {
    expect(runBuilder({}, '127.0.0.1:40001', unique)).toEqual({ name: SHARED_RUN_BUILDER, kind: 'shared' });
    expect(runBuilder({}, 'localhost:40002', unique)).toEqual({ name: 'hephy-run', kind: 'shared' });
    expect(runBuilder({ HEPHY_RUN_BUILDER: 'mine' }, '127.0.0.1:40001', unique)).toEqual({ name: 'mine', kind: 'shared' });
  });

  it('gives a run its own builder for a registry BuildKit must be told about (not loopback)', () => {
    expect(runBuilder({}, 'registry.lan:5000', unique)).toEqual({ name: 'hephy-run-42-abc', kind: 'own' });
    const a = runBuilder({}, 'registry.lan:5000');
    const b = runBuilder({}, 'registry.lan:5000');
    expect(a.name).not.toBe(b.name);
    expect(a.name).toMatch(/^[a-zA-Z0-9_-]+$/); // what scripts/buildkitd.sh accepts
  });

  it('uses HEPHY_BUILDX_BUILDER as it is', () => {
    expect(runBuilder({ HEPHY_BUILDX_BUILDER: 'hephy-e2e' }, 'registry.lan:5000', unique)).toEqual({ name: 'hephy-e2e', kind: 'given' });
  });
});
