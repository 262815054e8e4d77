import { RUNNER_TOOLS } from '../../src/action/toolSetup.js';
import { BACKENDS, traitsOf } from '../../src/core/backendTraits.js';

describe('tools on runners', () => {
  it('has a pinned version for every tool a backend needs installed on a runner', () => {
    for (const backend of BACKENDS) {
      for (const tool of traitsOf(backend).runnerTools) expect([backend, tool, RUNNER_TOOLS[tool]?.name]).toEqual([backend, tool, tool]);
    }
    expect(traitsOf('ko').runnerTools).toEqual(['ko', 'crane']);
  });
});
