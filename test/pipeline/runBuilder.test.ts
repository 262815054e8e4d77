import { runBuilder, SHARED_RUN_BUILDER } from '../../src/pipeline/runBuilder.js';

describe('runBuilder', () => {
  it('shares one builder between runs whose registry is loopback, whatever its port', () => {
    expect(runBuilder({}, '127.0.0.1:40001')).toEqual({ name: SHARED_RUN_BUILDER, registries: [], given: false });
    expect(runBuilder({}, 'localhost:40002')).toEqual({ name: 'hephy-run', registries: [], given: false });
    expect(runBuilder({ HEPHY_RUN_BUILDER: 'mine' }, '127.0.0.1:40001')).toEqual({ name: 'mine', registries: [], given: false });
  });

  it('gives a registry BuildKit must be told about (not loopback) a builder of its own name that lists it', () => {
    const lan = runBuilder({}, 'registry.lan:5000');
    expect(lan).toEqual({ name: expect.stringMatching(/^hephy-run-[0-9a-f]{8}$/), registries: ['registry.lan:5000'], given: false });
    expect(runBuilder({}, 'registry.lan:5000')).toEqual(lan);
    // Names that differ only where the builder name cannot hold the character still differ.
    expect(runBuilder({}, 'registry_lan:5000').name).not.toBe(lan.name);
    expect(lan.name).toMatch(/^[a-zA-Z0-9_-]+$/); // what scripts/buildkitd.sh accepts
  });

  it('uses HEPHY_BUILDX_BUILDER as it is', () => {
    expect(runBuilder({ HEPHY_BUILDX_BUILDER: 'hephy-e2e' }, 'registry.lan:5000')).toEqual({
      name: 'hephy-e2e',
      registries: [],
      given: true,
    });
  });
});
