// The build job (`command: build`): a leg is built with what the plan job decided for its image,
// read from the plan artifact once. The artifact service is a stand-in here (a function that
// returns the plan the plan job saved, and counts how often it is asked); the build itself is
// replaced by one that keeps the options it was given.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOne, type BuildJobDependencies } from '../../src/action/build.js';
import type { ActionInputs } from '../../src/action/inputs.js';
import type { PlannedLegOptions } from '../../src/pipeline/buildPlannedLeg.js';
import type { Leg, LegRecord, Plan, SupplyChainSettings } from '../../src/core/model.js';
import type { RunContext } from '../../src/core/runContext.js';
import { DEFAULT_THRESHOLDS } from '../../src/core/report/thresholds.js';
import { failedLegRecord } from '../../src/core/legRecord.js';

const inputs: ActionInputs = {
  root: '.',
  since: '',
  rebuildList: '',
  dirs: [],
  runners: '',
  leg: '',
  registry: '127.0.0.1:5000',
  imagePrefix: 'hephy',
  username: '',
  password: '',
  insecureRegistry: true,
  tagMode: 'per-image',
  perArchTags: false,
  tags: '',
  artifactScope: 'scope1',
  backendOptions: {},
  buildEnv: [],
  // What the plan job was given: no SBOM, no provenance. A build job re-resolving the image would
  // not see these (the build job's inputs decide nothing about the supply chain).
  supplyChain: { sbom: false, provenance: false },
  githubToken: '',
  tokenRegistries: [],
  push: true,
  forceRebuild: false,
  thresholds: DEFAULT_THRESHOLDS,
  labels: {},
  annotations: {},
};

const leg: Leg = {
  id: 'app--linux-amd64',
  image: 'app',
  dir: 'app',
  backend: 'ko',
  platform: 'linux/amd64',
  runner: 'ubuntu-latest',
  emulated: false,
};

const decided: SupplyChainSettings = { sbom: false, provenance: false, sign: 'keyless' };

function planWith(settings: SupplyChainSettings): Plan {
  return {
    mode: { kind: 'all' },
    images: [
      {
        image: 'app',
        dir: 'app',
        config: {},
        backend: 'ko',
        backendReason: 'test',
        platforms: ['linux/amd64'],
        source: { kind: 'local', dir: 'app' },
        additionalTags: [],
        tags: ['app-1'],
        supplyChain: settings,
      },
      {
        image: 'other',
        dir: 'other',
        config: {},
        backend: 'ko',
        backendReason: 'test',
        platforms: ['linux/amd64'],
        source: { kind: 'local', dir: 'other' },
        additionalTags: [],
        tags: ['other-1'],
        supplyChain: { sbom: true, provenance: true, sign: 'none' },
      },
    ],
    matrix: { include: [leg] },
    skipped: [],
    problems: [],
    publish: { mode: 'per-image', perArchTags: false, run: 'push', push: true },
    unchanged: [
      {
        image: 'base',
        dir: 'base',
        tags: ['base-1'],
        index: `sha256:${'b'.repeat(64)}`,
        platforms: [{ platform: 'linux/amd64', digest: `sha256:${'c'.repeat(64)}`, inputDigest: `sha256:${'d'.repeat(64)}` }],
      },
    ],
  };
}

function context(artifactService: boolean): RunContext {
  return {
    onRunner: true,
    artifactService,
    tempDir: mkdtempSync(join(tmpdir(), 'hephy-build-job-')),
    workspace: tmpdir(),
    eventName: 'push',
    ref: 'refs/heads/main',
    defaultBranch: 'main',
    repository: 'octo/shop',
    repositoryOwner: 'octo',
    actor: 'octocat',
  } as RunContext;
}

/** The artifact service stood in: the saved plan, and how often it was downloaded. */
function standIns(plan: Plan | Error) {
  const seen: { planLoads: string[]; options?: PlannedLegOptions; logs: string[] } = { planLoads: [], logs: [] };
  const deps: BuildJobDependencies = {
    async loadPlan(_context, scope) {
      seen.planLoads.push(scope);
      if (plan instanceof Error) throw plan;
      return plan;
    },
    async downloadLegRecords() {
      return 0;
    },
    async buildPlannedLeg(l, options): Promise<LegRecord> {
      seen.options = options;
      return failedLegRecord(l, 'not built in this test', new Date(), { setup: 0, build: 0, push: 0, total: 0 });
    },
    log: (line) => seen.logs.push(line),
  };
  return { deps, seen };
}

describe('the build job (artifact service stood in)', () => {
  it("builds with the supply-chain settings the plan decided for the leg's image, reading the plan artifact once", async () => {
    const { deps, seen } = standIns(planWith(decided));
    await buildOne(leg, inputs, context(true), '/cache', '/records', deps);
    expect(seen.options?.supplyChain).toEqual(decided);
    // The earlier waves' published images come from the same plan, not a second download.
    const earlier = await seen.options!.earlierLegs!([], 'linux/amd64');
    expect(earlier.map((l) => l.image)).toEqual(['base']);
    expect(seen.planLoads).toEqual(['scope1']);
  });

  it('without an artifact service, or when the plan cannot be read, resolves the image again (and says why)', async () => {
    const none = standIns(planWith(decided));
    await buildOne(leg, inputs, context(false), '/cache', '/records', none.deps);
    expect(none.seen.planLoads).toEqual([]);
    expect(none.seen.options?.supplyChain).toBeUndefined();

    const broken = standIns(new Error('Artifact not found for name: hephy-plan-scope1'));
    await buildOne(leg, inputs, context(true), '/cache', '/records', broken.deps);
    expect(broken.seen.options?.supplyChain).toBeUndefined();
    expect(broken.seen.logs).toEqual([
      "could not read the plan artifact (Artifact not found for name: hephy-plan-scope1): the image's settings are resolved again from the checkout",
    ]);
  });
});
