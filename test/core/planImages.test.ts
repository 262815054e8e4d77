// Issue 14 in the plan: several images per directory (`images:`), needs between images of one
// repository, waves, and selection that follows needs.
import { buildPlan } from '../../src/core/plan.js';
import { renderPlanMarkdown, renderPlanText } from '../../src/core/report/planReport.js';
import type { Plan } from '../../src/core/model.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';

const TWO_TARGETS = 'FROM scratch AS executor\nCOPY a /a\nFROM scratch AS debug\nCOPY b /b\n';
const FROM_BASE = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY app.txt /app.txt\n';

let repo: TempRepo;
afterEach(() => repo?.remove());

const errors = (plan: Plan) => plan.problems.filter((p) => p.severity === 'error');
const legsOf = (plan: Plan) => plan.matrix.include.map((leg) => `${leg.wave} ${leg.id}`).sort();

describe('images: several images from one directory', () => {
  it('plans one image per entry, named {dir image}-{name} unless it sets image_name, with the file keys under its own', async () => {
    repo = tempRepo({
      'kaniko/Dockerfile': TWO_TARGETS,
      'kaniko/build-config.yaml': [
        'build_backend: buildkit',
        'platforms: [linux/amd64]',
        'labels: {team: build, tier: one}',
        'build_args: [A=1, B=2]',
        'images:',
        '  - name: executor',
        '    target: executor',
        '  - name: debug',
        '    target: debug',
        '    image_name: kaniko-debugger',
        '    platforms: [linux/amd64, linux/arm64]',
        '    labels: {tier: two}',
        '    build_args: [B=3, C=4]',
        '',
      ].join('\n'),
    });
    const plan = await buildPlan(repo.root, { kind: 'all' }, { repoName: 'mono' });
    expect(errors(plan)).toEqual([]);
    expect(plan.images.map((spec) => [spec.image, spec.entryName, spec.config.target, spec.platforms])).toEqual([
      ['kaniko-executor', 'executor', 'executor', ['linux/amd64']],
      ['kaniko-debugger', 'debug', 'debug', ['linux/amd64', 'linux/arm64']],
    ]);
    const debug = plan.images[1].config;
    expect(debug.labels).toEqual({ team: 'build', tier: 'two' });
    expect(debug.build_args).toEqual(['A=1', 'B=3', 'C=4']);
    expect(debug).not.toHaveProperty('images');
    expect(legsOf(plan)).toEqual(['1 kaniko-debugger--linux-amd64', '1 kaniko-debugger--linux-arm64', '1 kaniko-executor--linux-amd64']);
  });

  it('checks each image against the Dockerfile: a target that is no stage is an error at the entry', async () => {
    repo = tempRepo({
      'kaniko/Dockerfile': TWO_TARGETS,
      'kaniko/build-config.yaml':
        'build_backend: buildkit\nimages:\n  - name: executor\n    target: executor\n  - name: warmer\n    target: warmer\n',
    });
    const plan = await buildPlan(repo.root, { kind: 'all' }, { repoName: 'mono' });
    expect(errors(plan)).toEqual([
      expect.objectContaining({ file: 'kaniko/build-config.yaml', line: 6, column: 13, message: expect.stringContaining('warmer') }),
    ]);
    expect(plan.images).toEqual([]);
  });

  it('refuses two entries publishing one image name across the repository', async () => {
    repo = tempRepo({
      'a/Dockerfile': TWO_TARGETS,
      'a/build-config.yaml': 'images:\n  - name: executor\n    image_name: shared\n    target: executor\n',
      'b/Dockerfile': TWO_TARGETS,
      'b/build-config.yaml': 'image_name: shared\n',
    });
    const plan = await buildPlan(repo.root, { kind: 'all' }, { repoName: 'mono' });
    expect(errors(plan)).toEqual([
      expect.objectContaining({ file: 'b/build-config.yaml', line: 1, message: 'image shared is also built from a' }),
    ]);
  });
});

describe('needs: waves and selection', () => {
  const layout = () =>
    tempRepo({
      'base/Dockerfile': 'FROM scratch\nCOPY base.txt /base.txt\n',
      'base/base.txt': 'base\n',
      'base/build-config.yaml': 'build_backend: buildkit\n',
      'app1/Dockerfile': FROM_BASE,
      'app1/app.txt': 'one\n',
      'app1/build-config.yaml': 'build_backend: buildkit\nneeds: [base]\n',
      'app2/Dockerfile': FROM_BASE,
      'app2/app.txt': 'two\n',
      'app2/build-config.yaml': 'build_backend: buildkit\nneeds: [base]\n',
      'other/Dockerfile': 'FROM scratch\nCOPY . /\n',
      'other/build-config.yaml': 'build_backend: buildkit\n',
    });

  it('orders the images in waves: the base in wave 1, the apps in wave 2, on every leg', async () => {
    repo = layout();
    const plan = await buildPlan(repo.root, { kind: 'all' }, { repoName: 'mono' });
    expect(errors(plan)).toEqual([]);
    expect(plan.images.map((spec) => [spec.image, spec.wave, spec.needs])).toEqual([
      ['app1', 2, [{ name: 'base', image: 'base' }]],
      ['app2', 2, [{ name: 'base', image: 'base' }]],
      ['base', 1, undefined],
      ['other', 1, undefined],
    ]);
    expect(plan.matrix.include.every((leg) => leg.wave === (leg.image.startsWith('app') ? 2 : 1))).toBe(true);
  });

  it('a selected base selects the images built on it; a selected app brings its base but not its sibling', async () => {
    repo = layout();
    const byBase = await buildPlan(repo.root, { kind: 'dirs', dirs: ['base'] }, { repoName: 'mono' });
    expect(byBase.images.map((spec) => spec.image).sort()).toEqual(['app1', 'app2', 'base']);
    const byApp = await buildPlan(repo.root, { kind: 'dirs', dirs: ['app1'] }, { repoName: 'mono' });
    expect(byApp.images.map((spec) => spec.image).sort()).toEqual(['app1', 'base']);
    expect(byApp.skipped.map((s) => s.dir).sort()).toEqual(['app2', 'other']);
  });

  it('--since: a change under the base selects its dependants', async () => {
    repo = layout();
    const plan = await buildPlan(repo.root, { kind: 'since', rev: 'HEAD' }, { repoName: 'mono', changedFiles: () => ['base/base.txt'] });
    expect(plan.images.map((spec) => spec.image).sort()).toEqual(['app1', 'app2', 'base']);
  });

  it('an app whose base config has errors is not planned, and the error says where the base may be', async () => {
    repo = layout();
    repo.write({ 'base/build-config.yaml': 'build_backend: buildkit\nplatforms: linux/amd64\n' });
    const plan = await buildPlan(repo.root, { kind: 'all' }, { repoName: 'mono' });
    expect(plan.images.map((spec) => spec.image)).toEqual(['other']);
    expect(errors(plan)).toContainEqual(
      expect.objectContaining({
        file: 'app1/build-config.yaml',
        line: 2,
        column: 9,
        path: 'needs[0]',
        message: 'needs `base`, which is no image of this repository',
        hint: 'it may be an image of base/build-config.yaml, which cannot be read: fix that first',
      }),
    );
  });

  it('an image name is unique across the repository, also against an image not selected', async () => {
    repo = layout();
    repo.write({ 'aa/Dockerfile': 'FROM scratch\nCOPY . /\n', 'aa/build-config.yaml': 'image_name: base\n' });
    const plan = await buildPlan(repo.root, { kind: 'dirs', dirs: ['base', 'app1'] }, { repoName: 'mono' });
    expect(errors(plan)).toEqual([
      expect.objectContaining({ file: 'base/build-config.yaml', message: 'image base is also built from aa' }),
    ]);
    expect(plan.skipped).toContainEqual({ dir: 'base', reason: 'image name base taken by aa' });
    // The twin of a selected image is not selected with it: only needs pull in other directories.
    expect(plan.images.map((spec) => spec.dir)).not.toContain('aa');
    expect(plan.skipped).toContainEqual({ dir: 'aa', reason: 'not asked for' });
  });

  it('a name that collides only after {dir image}-{name} composition does not pull the other directory in', async () => {
    repo = tempRepo({
      'kaniko/Dockerfile': TWO_TARGETS,
      'kaniko/build-config.yaml': 'build_backend: buildkit\nimages:\n  - name: executor\n    target: executor\n',
      'kaniko-executor/Dockerfile': 'FROM scratch\nCOPY . /\n',
      'kaniko-executor/build-config.yaml': 'build_backend: buildkit\n',
    });
    for (const [dir, other] of [
      ['kaniko', 'kaniko-executor'],
      ['kaniko-executor', 'kaniko'],
    ]) {
      const plan = await buildPlan(repo.root, { kind: 'dirs', dirs: [dir] }, { repoName: 'mono' });
      expect(plan.images.map((spec) => spec.dir)).not.toContain(other);
      expect(plan.skipped).toContainEqual({ dir: other, reason: 'not asked for' });
    }
    // Selected by a change too (--since): the other directory's files did not change.
    const bySince = await buildPlan(
      repo.root,
      { kind: 'since', rev: 'HEAD' },
      { repoName: 'mono', changedFiles: () => ['kaniko-executor/Dockerfile'] },
    );
    expect(bySince.images.map((spec) => spec.dir)).not.toContain('kaniko');
  });
});

describe('plan output shows the waves', () => {
  it('lists each wave with its legs and what its images need, in text and JSON', async () => {
    repo = tempRepo({
      'base/Dockerfile': 'FROM scratch\nCOPY . /\n',
      'base/build-config.yaml': 'build_backend: buildkit\n',
      'app/Dockerfile': FROM_BASE,
      'app/app.txt': 'x',
      'app/build-config.yaml': 'build_backend: kaniko\nplatforms: [linux/amd64]\nneeds: [base]\n',
    });
    const plan = await buildPlan(repo.root, { kind: 'all' }, { repoName: 'mono' });
    const text = renderPlanText(plan);
    expect(text).toContain('  wave 1: 2 leg(s): base\n  wave 2: 1 leg(s): app (on base)\n');
    expect(renderPlanMarkdown(plan)).toContain('### Waves\n\n- wave 1: 2 leg(s): base');
    expect(JSON.parse(JSON.stringify(plan)).matrix.include.map((leg: { id: string; wave: number }) => `${leg.wave} ${leg.id}`)).toEqual([
      '2 app--linux-amd64',
      '1 base--linux-amd64',
      '1 base--linux-arm64',
    ]);
  });
});

describe('needs and platforms', () => {
  it('an image built for a platform its need is not built for is a located plan error (validate and plan say it, not run)', async () => {
    repo = tempRepo({
      'pb/Dockerfile': 'FROM scratch\nCOPY . /\n',
      'pb/build-config.yaml': 'build_backend: buildkit\nplatforms: [linux/amd64]\n',
      'pa/Dockerfile': 'ARG PB_IMAGE\nFROM ${PB_IMAGE}\nCOPY app.txt /app.txt\n',
      'pa/build-config.yaml': 'build_backend: buildkit\nplatforms: [linux/amd64, linux/arm64]\nneeds: [pb]\n',
    });
    const plan = await buildPlan(repo.root, { kind: 'all' }, { repoName: 'mono' });
    expect(errors(plan)).toEqual([
      expect.objectContaining({
        file: 'pa/build-config.yaml',
        line: 3,
        column: 9,
        message: "needs pb, which is not built for linux/arm64: each platform of pa builds on pb's image of the same platform",
      }),
    ]);
    expect(plan.images.map((spec) => spec.image)).toEqual(['pb']);
  });
});
