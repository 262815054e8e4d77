// The supply-chain settings each image gets at plan time (issue 12): build-config.yaml keys over
// the inputs/flags over the defaults of the run. The run kinds are core/tagPolicy.ts classifyRun's.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan } from '../../src/core/plan.js';
import { parsePlan } from '../../src/core/planSchema.js';
import { renderPlanText } from '../../src/core/report/planReport.js';
import {
  describeSupplyChain,
  keylessIdentity,
  parseSwitch,
  resolveSupplyChain,
  signsByDefault,
  type SupplyChainContext,
} from '../../src/core/supplyChain.js';
import { UserError } from '../../src/core/problem.js';
import { loadBuildConfig } from '../../src/core/config/load.js';

const REPO = 'acme/app';
const pushTo = (branch: string) => ({ eventName: 'push', ref: `refs/heads/${branch}`, defaultBranch: 'main', repository: REPO });
const RUNS = {
  defaultBranchPush: pushTo('main'),
  otherBranchPush: pushTo('feature'),
  schedule: { eventName: 'schedule', ref: 'refs/heads/main', defaultBranch: 'main', repository: REPO },
  manualOnBranch: { eventName: 'workflow_dispatch', ref: 'refs/heads/feature', defaultBranch: 'main', repository: REPO },
  manualOnTag: { eventName: 'workflow_dispatch', ref: 'refs/tags/v1.2.3', defaultBranch: 'main', repository: REPO },
  tagPush: { eventName: 'push', ref: 'refs/tags/v1.2.3', defaultBranch: 'main', repository: REPO },
  release: { eventName: 'release', ref: 'refs/tags/v1.2.3', defaultBranch: 'main', repository: REPO },
  samePr: {
    eventName: 'pull_request',
    ref: 'refs/pull/5/merge',
    defaultBranch: 'main',
    repository: REPO,
    pullRequest: { number: 5, headRepository: REPO },
  },
  forkPr: {
    eventName: 'pull_request',
    ref: 'refs/pull/6/merge',
    defaultBranch: 'main',
    repository: REPO,
    pullRequest: { number: 6, headRepository: 'someone/app' },
  },
  prTarget: {
    eventName: 'pull_request_target',
    ref: 'refs/heads/main',
    defaultBranch: 'main',
    repository: REPO,
    pullRequest: { number: 7, headRepository: REPO },
  },
  noRef: { eventName: 'push', defaultBranch: 'main', repository: REPO },
} satisfies Record<string, SupplyChainContext['run']>;

const onRunner = (run: SupplyChainContext['run'], extra: Partial<SupplyChainContext> = {}): SupplyChainContext => ({
  onRunner: true,
  run,
  signKey: false,
  ...extra,
});
const local = (extra: Partial<SupplyChainContext> = {}): SupplyChainContext => ({
  onRunner: false,
  run: RUNS.defaultBranchPush,
  signKey: false,
  ...extra,
});

describe('resolveSupplyChain: the defaults on a GitHub runner', () => {
  it.each([
    ['a push to the default branch', 'keyless', RUNS.defaultBranchPush],
    ['a schedule', 'keyless', RUNS.schedule],
    ['a manual run on another branch', 'keyless', RUNS.manualOnBranch],
    ['a manual run on a tag', 'keyless', RUNS.manualOnTag],
    ['a tag push', 'keyless', RUNS.tagPush],
    ['a release event (on its tag)', 'keyless', RUNS.release],
    ['a pull request from this repository', 'none', RUNS.samePr],
    ['a pull request from a fork', 'none', RUNS.forkPr],
    ['pull_request_target', 'none', RUNS.prTarget],
    ['a push to another branch', 'none', RUNS.otherBranchPush],
    ['a run without a ref', 'none', RUNS.noRef],
  ] as const)('%s: SBOM and provenance on, sign %s', (_what, sign, run) => {
    const { settings, sources, problems } = resolveSupplyChain({}, onRunner(run));
    expect(settings).toEqual({ sbom: true, provenance: true, sign });
    expect(sources).toEqual({ sbom: 'default', provenance: 'default', sign: 'default' });
    expect(problems).toEqual([]);
  });

  it('a key given signs with it, on a pull request from this repository too', () => {
    expect(resolveSupplyChain({}, onRunner(RUNS.samePr, { signKey: true })).settings.sign).toBe('key');
    expect(resolveSupplyChain({}, onRunner(RUNS.defaultBranchPush, { signKey: true })).settings.sign).toBe('key');
  });

  it('never signs what a run does not push, whatever is asked (fork pull requests, pull_request_target)', () => {
    const asked = resolveSupplyChain({ sign: true }, onRunner(RUNS.forkPr, { signKey: true, inputs: { sign: true } }));
    expect(asked.settings.sign).toBe('none');
    expect(asked.signWhy).toMatch(/nothing is pushed: the pull request comes from the fork someone\/app/);
    expect(resolveSupplyChain({ sign: true }, onRunner(RUNS.prTarget)).settings.sign).toBe('none');
  });
});

describe("resolveSupplyChain: BuildKit's own provenance (buildkit_provenance)", () => {
  it('off unless asked for; asked for, mode=max in a public repository and min otherwise (docker/github-builder)', () => {
    const run = (repositoryVisibility?: 'public' | 'private' | 'internal') => onRunner({ ...RUNS.defaultBranchPush, repositoryVisibility });
    expect(resolveSupplyChain({}, run('public')).settings.buildkitAttestations).toBeUndefined();
    expect(resolveSupplyChain({ buildkit_provenance: false }, run('public')).settings.buildkitAttestations).toBeUndefined();
    expect(resolveSupplyChain({ buildkit_provenance: true }, run('public')).settings).toMatchObject({
      buildkitAttestations: true,
      buildkitProvenanceMode: 'max',
    });
    for (const visibility of ['private', 'internal', undefined] as const)
      expect(resolveSupplyChain({ buildkit_provenance: true }, run(visibility)).settings.buildkitProvenanceMode).toBe('min');
    expect(describeSupplyChain(resolveSupplyChain({ buildkit_provenance: true }, run('public')).settings)).toBe(
      'SBOM, provenance, signed keyless, BuildKit provenance mode=max in the index',
    );
  });
});

describe('resolveSupplyChain: locally', () => {
  it('SBOM and provenance on, unsigned without a key', () => {
    const decision = resolveSupplyChain({}, local());
    expect(decision.settings).toEqual({ sbom: true, provenance: true, sign: 'none' });
    expect(decision.signWhy).toBe('no signing key (--sign-key)');
  });

  it('signs with --sign-key, on any run kind', () => {
    expect(resolveSupplyChain({}, local({ signKey: true })).settings.sign).toBe('key');
    expect(resolveSupplyChain({}, local({ signKey: true, run: RUNS.otherBranchPush })).settings.sign).toBe('key');
  });

  it('never keyless: there is no OIDC token off a runner', () => {
    for (const run of Object.values(RUNS)) expect(resolveSupplyChain({ sign: true }, local({ run })).settings.sign).not.toBe('keyless');
  });

  it('a config sign: true without a key warns at its line and publishes unsigned', () => {
    const decision = resolveSupplyChain({ sign: true }, local(), {
      file: 'app/build-config.yaml',
      locate: (path) => (path[0] === 'sign' ? { line: 3, column: 7 } : { line: 1, column: 1 }),
    });
    expect(decision.settings.sign).toBe('none');
    expect(decision.problems).toEqual([
      expect.objectContaining({ file: 'app/build-config.yaml', line: 3, column: 7, path: 'sign', severity: 'warning' }),
    ]);
    expect(decision.problems[0].message).toMatch(/no signing key and is not on a GitHub runner/);
  });
});

describe('resolveSupplyChain: config keys over inputs over defaults', () => {
  it('inputs turn defaults off', () => {
    const decision = resolveSupplyChain({}, onRunner(RUNS.defaultBranchPush, { inputs: { sbom: false, provenance: false, sign: false } }));
    expect(decision.settings).toEqual({ sbom: false, provenance: false, sign: 'none' });
    expect(decision.sources).toEqual({ sbom: 'input', provenance: 'input', sign: 'input' });
    expect(decision.signWhy).toBe('sign: false (input)');
  });

  it('an input turns signing on where the default is off', () => {
    expect(resolveSupplyChain({}, onRunner(RUNS.samePr, { inputs: { sign: true } })).settings.sign).toBe('keyless');
    expect(resolveSupplyChain({}, onRunner(RUNS.otherBranchPush, { inputs: { sign: true } })).settings.sign).toBe('keyless');
  });

  it('the config wins over the inputs, both ways', () => {
    const on = resolveSupplyChain(
      { sbom: true, provenance: true, sign: true },
      onRunner(RUNS.samePr, { inputs: { sbom: false, provenance: false, sign: false } }),
    );
    expect(on.settings).toEqual({ sbom: true, provenance: true, sign: 'keyless' });
    expect(on.sources).toEqual({ sbom: 'config', provenance: 'config', sign: 'config' });
    const off = resolveSupplyChain(
      { sbom: false, provenance: false, sign: false },
      onRunner(RUNS.defaultBranchPush, { signKey: true, inputs: { sbom: true, provenance: true, sign: true } }),
    );
    expect(off.settings).toEqual({ sbom: false, provenance: false, sign: 'none' });
    expect(off.signWhy).toBe('sign: false (build-config.yaml)');
  });

  it('a config sign: false wins over --sign-key locally', () => {
    expect(resolveSupplyChain({ sign: false }, local({ signKey: true })).settings.sign).toBe('none');
  });

  it('keys that are absent keep the input or the default, one by one', () => {
    const decision = resolveSupplyChain({ provenance: false }, onRunner(RUNS.defaultBranchPush, { inputs: { sbom: false } }));
    expect(decision.settings).toEqual({ sbom: false, provenance: false, sign: 'keyless' });
    expect(decision.sources).toEqual({ sbom: 'input', provenance: 'config', sign: 'default' });
  });
});

describe('signsByDefault', () => {
  it('follows the run kinds of the tag policy', () => {
    expect(signsByDefault(RUNS.defaultBranchPush)).toBe(true);
    expect(signsByDefault({ ...RUNS.defaultBranchPush, defaultBranch: 'trunk' })).toBe(false);
    expect(signsByDefault(RUNS.samePr)).toBe(false);
  });
});

describe('parseSwitch', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    [' true ', true],
    ['', undefined],
    ['  ', undefined],
  ] as const)('%j is %j', (text, value) => {
    expect(parseSwitch(text, 'input sign')).toBe(value);
  });

  it('anything else is a user error naming the input', () => {
    expect(() => parseSwitch('keyless', 'input sign')).toThrow(UserError);
    expect(() => parseSwitch('--key=x', '--sign')).toThrow('--sign: expected true or false (or empty for the default), got `--key=x`');
  });

  it("takes what the config's sign: key takes, no more: yes/no, on/off, 1/0 are refused by both", () => {
    // The config key is a YAML 1.2 boolean (the yaml package's core schema): `sign: yes` is a string there.
    const root = mkdtempSync(join(tmpdir(), 'hephy-switch-'));
    for (const [word, meant] of [
      ['yes', 'true'],
      ['on', 'true'],
      ['1', 'true'],
      ['no', 'false'],
      ['off', 'false'],
      ['0', 'false'],
    ]) {
      expect(() => parseSwitch(word, '--sign')).toThrow(
        `--sign: expected true or false (or empty for the default), got \`${word}\` (write ${meant})`,
      );
      writeFileSync(join(root, 'build-config.yaml'), `build_backend: kaniko\nsign: ${word}\n`);
      const loaded = loadBuildConfig(join(root, 'build-config.yaml'));
      expect([word, loaded.problems.some((p) => p.path === 'sign' && p.severity === 'error')]).toEqual([word, true]);
    }
    for (const word of ['true', 'True', 'TRUE', 'false']) {
      writeFileSync(join(root, 'build-config.yaml'), `build_backend: kaniko\nsign: ${word}\n`);
      expect(loadBuildConfig(join(root, 'build-config.yaml')).problems).toEqual([]);
      expect(parseSwitch(word, '--sign')).toBe(word.toLowerCase() === 'true');
    }
  });
});

describe('the plan fills ImageSpec.supplyChain for every image', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hephy-supply-'));
    for (const dir of ['a', 'b', 'c']) {
      mkdirSync(join(root, dir));
      writeFileSync(join(root, dir, 'Dockerfile'), 'FROM scratch\n');
    }
    writeFileSync(join(root, 'a', 'build-config.yaml'), 'build_backend: buildkit\nsign: false\nsbom: false\n');
    writeFileSync(join(root, 'b', 'build-config.yaml'), 'build_backend: buildkit\nprovenance: false\n');
    writeFileSync(join(root, 'c', 'build-config.yaml'), 'build_backend: buildkit\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const tagging = (run: SupplyChainContext['run']) => ({ run, date: new Date('2026-11-30T00:00:00Z'), mode: 'per-image' as const });

  it('on a runner, for a push to the default branch: config keys per image, keyless by default', async () => {
    const plan = await buildPlan(
      root,
      { kind: 'all' },
      {
        tagging: tagging(RUNS.defaultBranchPush),
        supplyChain: { onRunner: true, signKey: false },
      },
    );
    const byImage = Object.fromEntries(plan.images.map((s) => [s.image, s.supplyChain]));
    expect(byImage).toEqual({
      a: { sbom: false, provenance: true, sign: 'none' },
      b: { sbom: true, provenance: false, sign: 'keyless' },
      c: { sbom: true, provenance: true, sign: 'keyless' },
    });
    // The plan document keeps them (the merge job reads the plan back).
    expect(parsePlan(JSON.stringify(plan), 'plan.json').images.map((s) => s.supplyChain)).toEqual(plan.images.map((s) => s.supplyChain));
    // One line per image in the text output.
    const text = renderPlanText(plan);
    expect(text).toContain('  a: no SBOM, provenance, unsigned\n');
    expect(text).toContain('  b: SBOM, no provenance, signed keyless\n');
    expect(text).toContain('  c: SBOM, provenance, signed keyless\n');
  });

  it('on a pull request, the inputs under the config keys: nothing signed', async () => {
    const plan = await buildPlan(
      root,
      { kind: 'all' },
      {
        tagging: tagging(RUNS.samePr),
        supplyChain: { onRunner: true, signKey: false, inputs: { sbom: false } },
      },
    );
    expect(plan.images.map((s) => s.supplyChain)).toEqual([
      { sbom: false, provenance: true, sign: 'none' },
      { sbom: false, provenance: false, sign: 'none' },
      { sbom: false, provenance: true, sign: 'none' },
    ]);
  });

  it('without supply-chain options (validate, a re-plan): a local run without a key', async () => {
    const plan = await buildPlan(root, { kind: 'all' });
    expect(plan.images.map((s) => s.supplyChain?.sign)).toEqual(['none', 'none', 'none']);
    expect(plan.images.map((s) => s.supplyChain?.sbom)).toEqual([false, true, true]);
  });

  it('a config sign: true in a local run without a key: a located warning, the image still planned', async () => {
    writeFileSync(join(root, 'c', 'build-config.yaml'), 'build_backend: buildkit\n\nsign: true\n');
    const plan = await buildPlan(root, { kind: 'all' }, { supplyChain: { onRunner: false, signKey: false } });
    expect(plan.images.map((s) => s.image)).toEqual(['a', 'b', 'c']);
    expect(plan.problems).toEqual([
      expect.objectContaining({ file: 'c/build-config.yaml', line: 3, column: 7, path: 'sign', severity: 'warning' }),
    ]);
  });
});

describe('the plan and buildkit_provenance', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hephy-bkprov-'));
    for (const dir of ['bk', 'kan']) mkdirSync(join(root, dir));
    writeFileSync(join(root, 'bk', 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(root, 'kan', 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(root, 'bk', 'build-config.yaml'), 'build_backend: buildkit\nbuildkit_provenance: true\n');
    writeFileSync(join(root, 'kan', 'build-config.yaml'), 'build_backend: kaniko\n\nbuildkit_provenance: true\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("a BuildKit image gets its mode from the repository's visibility; another backend warns at the key", async () => {
    const run = { ...RUNS.defaultBranchPush, repositoryVisibility: 'public' as const };
    const plan = await buildPlan(
      root,
      { kind: 'all' },
      { tagging: { run, date: new Date('2026-11-30T00:00:00Z'), mode: 'per-image' }, supplyChain: { onRunner: true, signKey: false } },
    );
    expect(plan.images.find((s) => s.image === 'bk')?.supplyChain).toMatchObject({
      buildkitAttestations: true,
      buildkitProvenanceMode: 'max',
    });
    expect(plan.problems).toEqual([
      expect.objectContaining({ file: 'kan/build-config.yaml', line: 3, column: 22, path: 'buildkit_provenance', severity: 'warning' }),
    ]);
    expect(plan.problems[0].message).toContain('kan builds with kaniko');
    // The Kaniko image's settings do not claim what it ignores (plan's text neither).
    expect(plan.images.find((s) => s.image === 'kan')?.supplyChain?.buildkitAttestations).toBeUndefined();
    expect(renderPlanText(plan)).not.toContain('kan: SBOM, provenance, unsigned, BuildKit');
  });
});

describe('describeSupplyChain', () => {
  it('says each setting', () => {
    expect(describeSupplyChain({ sbom: true, provenance: false, sign: 'key' })).toBe('SBOM, no provenance, signed with a key');
  });
});
describe('keylessIdentity', () => {
  const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  it('is the server URL and the job_workflow_ref claim: from a reusable workflow, the called one', () => {
    // GitHub's example claims of a job in a called workflow: job_workflow_ref names the reusable workflow.
    const token = jwt({
      workflow_ref: 'acme/app/.github/workflows/hephy-builder.yml@refs/heads/main',
      job_workflow_ref: 'hephy/builder/.github/workflows/build.yml@refs/tags/v1',
    });
    expect(keylessIdentity(token)).toBe('https://github.com/hephy/builder/.github/workflows/build.yml@refs/tags/v1');
    expect(keylessIdentity(token, 'https://ghe.example.com/')).toBe(
      'https://ghe.example.com/hephy/builder/.github/workflows/build.yml@refs/tags/v1',
    );
  });
  it('refuses a token without the claim, or no JWT', () => {
    expect(() => keylessIdentity(jwt({ sub: 'repo:acme/app:ref:refs/heads/main' }))).toThrow('no job_workflow_ref claim');
    expect(() => keylessIdentity('not a token')).toThrow();
  });
});
