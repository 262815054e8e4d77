import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { BACKEND_OPTIONS } from '../../src/core/backendTraits.js';
import { UserError } from '../../src/core/problem.js';
import {
  readMarker,
  renderCallerWorkflow,
  renderCiWorkflow,
  renderReusableWorkflow,
  resolveCallerOptions,
} from '../../src/generator/index.js';
import { renderFromMarker } from '../../src/generator/render.js';
import { jobsOf, parseWorkflow, stepsOf, usesLines } from './renderedWorkflows.js';

type Doc = Record<string, any>;
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const actionYml = parse(readFileSync(`${REPO_ROOT}/action.yml`, 'utf8')) as Doc;
/** Inputs declared in core/backendTraits.ts: kaniko-image, base-image. */
const backendInputs = BACKEND_OPTIONS.map((option) => option.name);

describe('action.yml', () => {
  it('declares the inputs and outputs the action entry reads and writes', () => {
    expect(Object.keys(actionYml.inputs).sort()).toEqual(
      [
        'command',
        'root',
        'since',
        'rebuild-list',
        'dirs',
        'runners',
        'leg',
        'force-rebuild',
        'registry',
        'image-prefix',
        'username',
        'password',
        'insecure-registry',
        'tag-mode',
        'per-arch-tags',
        'build-env',
        'tags',
        'artifact-scope',
        'github-token',
        'token-registries',
        'push',
        'labels',
        'annotations',
        'sbom',
        'provenance',
        'sign',
        ...backendInputs,
        'time-floor',
        'time-threshold',
        'size-threshold',
      ].sort(),
    );
    // ... and the entry really reads each of them: by name, or every backend option through the table.
    const read = ['inputs.ts', 'main.ts'].map((f) => readFileSync(`${REPO_ROOT}/src/action/${f}`, 'utf8')).join('\n');
    expect(read).toContain('readBackendOptions((name) => core.getInput(name))');
    for (const name of Object.keys(actionYml.inputs)) {
      expect([name, read.includes(`'${name}'`) || backendInputs.includes(name)]).toEqual([name, true]);
    }
    expect(Object.keys(actionYml.outputs).sort()).toEqual([
      'artifact-scope',
      'digest',
      'has-work',
      'has-work-1',
      'has-work-2',
      'has-work-3',
      'images',
      'leg-record',
      'matrix',
      'matrix-1',
      'matrix-2',
      'matrix-3',
      'merge-has-work',
      'published',
      'unchanged',
    ]);
    expect(actionYml.inputs.command.required).toBe(true);
    expect(actionYml.inputs['github-token'].default).toBe('${{ github.token }}');
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/action/index.js' });
  });

  it('describes each backend option as the table of backend traits does', () => {
    for (const option of BACKEND_OPTIONS) {
      expect([option.name, actionYml.inputs[option.name]?.description]).toEqual([option.name, `build: ${option.description}`]);
    }
  });

  it('describes and defaults every input', () => {
    for (const [name, input] of Object.entries<Doc>(actionYml.inputs)) {
      expect([name, typeof input.description]).toEqual([name, 'string']);
      if (name !== 'command') expect([name, typeof input.default]).toEqual([name, 'string']);
    }
  });
});

describe('renderReusableWorkflow', () => {
  const doc = parseWorkflow(renderReusableWorkflow()) as Doc;
  const jobs = jobsOf(doc) as Doc;
  const actionSteps = (job: Doc): Doc[] => stepsOf(job).filter((s) => s.uses === 'hephy/builder@v1');

  it('is a workflow_call workflow with the documented inputs and optional secrets', () => {
    const call = doc.on.workflow_call;
    expect(Object.keys(call.inputs)).toEqual([
      'root',
      'runners',
      'registry',
      'image-prefix',
      'tag-mode',
      'rebuild-list',
      'dirs',
      'force-rebuild',
      'per-arch-tags',
      'tags',
      'kaniko-image',
      'base-image',
      'build-env',
      'labels',
      'annotations',
      'token-registries',
      'insecure-registry',
      'time-floor',
      'time-threshold',
      'size-threshold',
      'sbom',
      'provenance',
      'sign',
      'push',
    ]);
    // The user's labels and annotations reach the build job through `with:`, never a `run:` line.
    expect(actionSteps(jobs.build)[0].with.labels).toBe('${{ inputs.labels }}');
    expect(actionSteps(jobs.build)[0].with.annotations).toBe('${{ inputs.annotations }}');
    expect(call.inputs.push).toMatchObject({ type: 'boolean', default: true });
    // The backends' options (core/backendTraits.ts) reach the build job's action step.
    for (const name of backendInputs) expect(actionSteps(jobs.build)[0].with[name]).toBe(`\${{ inputs.${name} }}`);
    expect(Object.values<Doc>(call.secrets).every((s) => s.required === false)).toBe(true);
  });

  it('runs plan -> build (matrix from the plan) -> merge (even after failed legs)', () => {
    expect(Object.keys(jobs)).toEqual(['plan', 'build', 'build-2', 'build-3', 'merge']);
    expect(jobs.build.needs).toBe('plan');
    expect(jobs.build.if).toBe("needs.plan.outputs.has-work-1 == 'true'");
    expect(jobs.build.strategy).toEqual({ 'fail-fast': false, matrix: '${{ fromJSON(needs.plan.outputs.matrix-1) }}' });
    // Waves (issue 14): each after the earlier ones, only when it has legs, also after a failed leg.
    expect(jobs['build-2'].needs).toEqual(['plan', 'build']);
    expect(jobs['build-2'].if).toBe("${{ !cancelled() && needs.plan.outputs.has-work-2 == 'true' }}");
    expect(jobs['build-3'].needs).toEqual(['plan', 'build', 'build-2']);
    expect(jobs['build-3'].strategy.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix-3) }}');
    expect(jobs.merge.needs).toEqual(['plan', 'build', 'build-2', 'build-3']);
    expect(jobs.build['runs-on']).toBe('${{ matrix.runner }}');
    // !cancelled() rather than always(): a superseded PR run stops instead of publishing a summary.
    // merge-has-work, not has-work: with no leg to build, unchanged images are still re-tagged.
    expect(jobs.merge.if).toBe("${{ !cancelled() && needs.plan.outputs.merge-has-work == 'true' }}");
    expect(jobs.plan.outputs['merge-has-work']).toBe('${{ steps.plan.outputs.merge-has-work }}');
  });

  it('selects by input digest in the plan job: force-rebuild, the registry login of build and merge, the pinned Go of ko legs', () => {
    const plan = actionSteps(jobs.plan)[0].with;
    expect(doc.on.workflow_call.inputs['force-rebuild']).toMatchObject({ type: 'boolean', default: false });
    expect(plan['force-rebuild']).toBe('${{ inputs.force-rebuild }}');
    const build = actionSteps(jobs.build)[0].with;
    for (const key of ['username', 'password', 'token-registries', 'insecure-registry', 'registry', 'image-prefix', 'tag-mode'])
      expect([key, plan[key]]).toEqual([key, build[key]]);
    // The plan job's Go is the ko legs' Go: the input digest names it.
    const planGo = stepsOf(jobs.plan).find((s) => s.name === 'Pinned Go toolchain')!;
    const buildGo = stepsOf(jobs.build).find((s) => s.name === 'Pinned Go toolchain for Spin and ko apps')!;
    expect(planGo.env).toEqual(buildGo.env);
    expect(stepsOf(jobs.plan).indexOf(planGo)).toBeLessThan(stepsOf(jobs.plan).findIndex((s) => s.uses === 'hephy/builder@v1'));
    expect(buildGo.if).toBe("matrix.backend == 'spin' || matrix.backend == 'ko'");
  });

  it("sets spin legs up with the pinned Go toolchain that examples/spin-go's go.mod names, before the build", () => {
    const steps = stepsOf(jobs.build);
    const go = steps.findIndex((s) => s.name === 'Pinned Go toolchain for Spin and ko apps');
    expect(go).toBeGreaterThan(0);
    expect(go).toBeLessThan(steps.findIndex((s) => s.uses === 'hephy/builder@v1'));
    expect(steps[go].if).toBe("matrix.backend == 'spin' || matrix.backend == 'ko'");
    // The toolchain go.mod pins, so the runner's Go and a laptop's build the same bytes.
    const toolchain = /^toolchain (go\S+)$/m.exec(readFileSync(`${REPO_ROOT}/examples/spin-go/go.mod`, 'utf8'))?.[1];
    expect(steps[go].env).toEqual({ GOTOOLCHAIN: `${toolchain}+auto` });
    expect(steps[go].run).toContain('>> "$GITHUB_ENV"');
  });

  it('runs the action once per job with the matching command', () => {
    expect(actionSteps(jobs.plan).map((s) => s.with.command)).toEqual(['plan']);
    expect(actionSteps(jobs.build).map((s) => s.with.command)).toEqual(['build']);
    expect(actionSteps(jobs.merge).map((s) => s.with.command)).toEqual(['merge']);
    expect(actionSteps(jobs.build)[0].with.leg).toBe('${{ toJSON(matrix) }}');
  });

  it('passes only inputs the action declares', () => {
    for (const job of Object.values<Doc>(jobs)) {
      for (const step of actionSteps(job)) {
        for (const key of Object.keys(step.with)) expect(Object.keys(actionYml.inputs)).toContain(key);
      }
    }
  });

  it('selects by event: PR base, the commit before a push (not a new branch), else the action decides', () => {
    const since = actionSteps(jobs.plan)[0].with.since as string;
    expect(since).toContain("github.event_name == 'pull_request' && github.event.pull_request.base.sha");
    expect(since).toContain("github.event.before != '0000000000000000000000000000000000000000'");
    expect(actionSteps(jobs.plan)[0].with).toMatchObject({ 'rebuild-list': '${{ inputs.rebuild-list }}', dirs: '${{ inputs.dirs }}' });
    // diffing needs history
    expect((stepsOf(jobs.plan)[0] as Doc).with['fetch-depth']).toBe(0);
  });

  it('never pushes from a fork pull request, and build and merge both follow that decision', () => {
    expect(jobs.plan.outputs.push).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(jobs.plan.outputs.push).toContain('inputs.push &&');
    expect(actionSteps(jobs.build)[0].with.push).toBe('${{ needs.plan.outputs.push }}');
    expect(actionSteps(jobs.merge)[0].with.push).toBe('${{ needs.plan.outputs.push }}');
  });

  it('gives each job only the permissions it uses', () => {
    // packages: read for the input-digest records of a private package (ghcr.io).
    expect(jobs.plan.permissions).toEqual({ contents: 'read', packages: 'read' });
    expect(jobs.build.permissions).toEqual({ contents: 'read', packages: 'write' });
    // The merge job takes the caller's grant: contents read, packages and pull-requests write, and
    // id-token write only from a caller that signs (see the caller's tests below).
    expect(jobs.merge.permissions).toBeUndefined();
    expect(parseWorkflow(renderReusableWorkflow()).permissions).toBeUndefined();
    for (const job of [jobs.plan, jobs.build]) expect(job.permissions['id-token']).toBeUndefined();
  });

  it('passes the sbom, provenance and sign inputs to the plan, which decides per image', () => {
    const plan = actionSteps(jobs.plan)[0].with;
    for (const name of ['sbom', 'provenance', 'sign']) expect(plan[name]).toBe(`\${{ inputs.${name} }}`);
    const inputs = (parseWorkflow(renderReusableWorkflow()) as Doc).on.workflow_call.inputs;
    for (const name of ['sbom', 'provenance', 'sign']) expect(inputs[name]).toMatchObject({ type: 'string', default: '' });
  });

  it('explains each job in a comment', () => {
    const text = renderReusableWorkflow();
    for (const job of ['plan', 'build', 'merge']) expect(text).toMatch(new RegExp(`\\n  # ${job}: .+\\n(  #.*\\n)*  ${job}:\\n`));
  });

  it('local variant differs only in using ./ for the action (and says so in its marker)', () => {
    const published = renderReusableWorkflow().split('\n');
    const local = renderReusableWorkflow({ variant: 'local' }).split('\n');
    expect(local).toHaveLength(published.length);
    const changed = local.map((line, i) => [published[i], line]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
      ['# hephy-builder-generated: reusable', '# hephy-builder-generated: reusable {"variant":"local"}'],
      ...Array(5).fill(['        uses: hephy/builder@v1', '        uses: ./']),
    ]);
  });

  it('rejects an unknown variant', () => {
    expect(() => renderReusableWorkflow({ variant: 'remote' as never })).toThrow(UserError);
  });
});

describe('renderCallerWorkflow', () => {
  const reusableJobs = jobsOf(parseWorkflow(renderReusableWorkflow())) as Doc;

  it('calls the reusable workflow on push to the default branch, PRs, a weekly schedule and manual runs', () => {
    const doc = parseWorkflow(renderCallerWorkflow()) as Doc;
    expect(doc.on.push).toEqual({ branches: ['main'] });
    expect(doc.on).toHaveProperty('pull_request', null);
    expect(doc.on.schedule).toEqual([{ cron: '23 4 * * 1' }]);
    expect(doc.on.workflow_dispatch.inputs.dirs).toMatchObject({ type: 'string', required: false });
    expect(doc.jobs.images.uses).toBe('hephy/builder/.github/workflows/build.yml@v1');
    // No registry host is built in: the caller reads it from a repository variable.
    expect(doc.jobs.images.with).toEqual({
      dirs: '${{ inputs.dirs }}',
      'force-rebuild': '${{ inputs.force-rebuild == true }}',
      registry: '${{ vars.HEPHY_REGISTRY }}',
    });
    expect(doc.on.workflow_dispatch.inputs['force-rebuild']).toMatchObject({ type: 'boolean', default: false });
    // The variable may name any registry: its credentials are passed by name (empty when unset).
    expect(doc.jobs.images.secrets).toEqual({
      REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}',
      REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
    });
  });

  it('passes no secret to ghcr.io, where the workflow token is the login', () => {
    const doc = parseWorkflow(renderCallerWorkflow({ registry: 'ghcr.io' })) as Doc;
    expect(doc.jobs.images.secrets).toBeUndefined();
  });

  it('grants exactly the union of what the reusable workflow jobs ask for', () => {
    const union: Record<string, string> = {};
    for (const job of Object.values<Doc>(reusableJobs)) {
      for (const [scope, level] of Object.entries<string>(job.permissions ?? {})) {
        if (union[scope] !== 'write') union[scope] = level;
      }
    }
    // plan and build state theirs; merge takes the caller's grant: what it needs, and the OIDC token to sign with.
    const merge = { contents: 'read', packages: 'write', 'pull-requests': 'write' };
    for (const [scope, level] of Object.entries(merge)) if (union[scope] !== 'write') union[scope] = level;
    const doc = parseWorkflow(renderCallerWorkflow()) as Doc;
    expect(doc.jobs.images.permissions).toEqual({ ...union, 'id-token': 'write' });
    expect(doc.jobs.images.with.sign).toBeUndefined();
  });

  it('without signing grants no id-token and says sign: false, kept through the marker line', () => {
    const text = renderCallerWorkflow({ sign: 'false' });
    const doc = parseWorkflow(text) as Doc;
    expect(doc.jobs.images.permissions).toEqual({ contents: 'read', packages: 'write', 'pull-requests': 'write' });
    expect(doc.jobs.images.with.sign).toBe('false');
    expect(text).toContain('"sign":"false"');
    expect(() => renderCallerWorkflow({ sign: 'maybe' })).toThrow(UserError);
  });

  it('writes only the settings that differ from the defaults', () => {
    const doc = parseWorkflow(
      renderCallerWorkflow({
        registry: 'registry.example.com',
        tagMode: 'single-repo',
        root: 'images/',
        runners: '{"linux/arm64": "arm"}',
      }),
    ) as Doc;
    expect(doc.jobs.images.with).toEqual({
      'force-rebuild': '${{ inputs.force-rebuild == true }}',
      root: 'images',
      registry: 'registry.example.com',
      'tag-mode': 'single-repo',
      runners: '{"linux/arm64": "arm"}',
      dirs: '${{ inputs.dirs }}',
    });
  });

  it('passes registry secrets explicitly for a custom registry, or all of them with inherit', () => {
    const explicit = parseWorkflow(renderCallerWorkflow({ registry: 'registry.example.com' })) as Doc;
    expect(explicit.jobs.images.secrets).toEqual({
      REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}',
      REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
    });
    const inherit = parseWorkflow(renderCallerWorkflow({ secrets: 'inherit' })) as Doc;
    expect(inherit.jobs.images.secrets).toBe('inherit');
    // The names the caller passes are the secrets the reusable workflow declares.
    const declared = Object.keys(parseWorkflow(renderReusableWorkflow()).on as Doc);
    expect(declared).toEqual(['workflow_call']);
    const secrets = Object.keys((parseWorkflow(renderReusableWorkflow()) as Doc).on.workflow_call.secrets);
    expect(Object.keys(explicit.jobs.images.secrets)).toEqual(secrets);
  });

  it('local variant calls the reusable workflow of the checked-out repository', () => {
    const doc = parseWorkflow(renderCallerWorkflow({ variant: 'local' })) as Doc;
    expect(doc.jobs.images.uses).toBe('./.github/workflows/build.yml');
  });

  it('can call a pinned ref of hephy/builder', () => {
    const sha = 'a'.repeat(40);
    expect(usesLines(renderCallerWorkflow({ ref: sha }))).toEqual([`uses: hephy/builder/.github/workflows/build.yml@${sha}`]);
  });

  it.each([
    [{ cron: '0 4 * *' }, /cron `0 4 \* \*` is not valid/],
    [{ cron: '0 4 * * 1\n' }, /cron must be a single line/],
    [{ branch: 'a b' }, /branch `a b` is not valid/],
    [{ branch: 'x\nevil: true' }, /branch must be a single line/],
    [{ root: '../elsewhere' }, /root `..\/elsewhere` is not valid/],
    [{ root: '/abs' }, /root `\/abs` is not valid/],
    [{ tagMode: 'per-repo' }, /tag mode: expected one of single-repo, per-image, got `per-repo`/],
    [{ runners: '[a, b]' }, /runners: expected a mapping of platform to runner/],
    [{ runners: '{a: [' }, /runners: not valid JSON or YAML/],
    // The plan's own reader decides (core/runners.ts), so init never writes a map the plan refuses.
    [{ runners: 'linux/arm65: x' }, /runners: a bad entry\n {2}linux\/arm65 \(line 1\): .*unknown architecture arm65/],
    [{ runners: 'linux/arm64: [self hosted]' }, /"self hosted" is not a runner label/],
    [{ secrets: 'all' }, /secrets `all` is not valid/],
    [{ regsitry: 'x' }, /unknown workflow option `regsitry`/],
  ])('rejects %j', (options, message) => {
    expect(() => renderCallerWorkflow(options as never)).toThrow(UserError);
    expect(() => renderCallerWorkflow(options as never)).toThrow(message);
  });
});

describe('markers', () => {
  it.each([
    ['reusable', renderReusableWorkflow()],
    ['reusable local', renderReusableWorkflow({ variant: 'local' })],
    ['ci', renderCiWorkflow()],
    ['caller', renderCallerWorkflow()],
    [
      'caller with options',
      renderCallerWorkflow({ branch: 'trunk', registry: 'registry.example.com', secrets: 'inherit', cron: '5 1 * * 0' }),
    ],
  ])('%s renders again from its own marker', (_name, text) => {
    const marker = readMarker(text);
    expect(marker).toBeDefined();
    expect(renderFromMarker(marker!)).toBe(text);
  });

  it('records only the options that differ from the defaults', () => {
    expect(readMarker(renderCallerWorkflow({ branch: 'main', registry: 'registry.example.com' }))).toEqual({
      kind: 'caller',
      options: { registry: 'registry.example.com' },
    });
  });

  it('is absent from files we did not write', () => {
    expect(readMarker('name: x\n# hephy-builder-generated: ci\n')).toBeUndefined();
  });

  it('rejects an unknown kind', () => {
    expect(() => readMarker('# hephy-builder-generated: deploy\n')).toThrow(/unknown generated workflow kind/);
  });
});

describe('resolveCallerOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveCallerOptions()).toEqual({
      variant: 'published',
      ref: 'v1',
      branch: 'main',
      cron: '23 4 * * 1',
      root: '.',
      registry: '',
      imagePrefix: '',
      tagMode: 'per-image',
      runners: '',
      rebuildList: '',
      secrets: 'explicit',
      sign: true,
    });
  });
});
