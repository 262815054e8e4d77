import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlan, legsOf } from '../../src/core/plan.js';
import type { Plan } from '../../src/core/model.js';
import { DEFAULT_RUNNERS } from '../../src/core/runners.js';
import { changedFiles, isIgnored } from '../../src/tools/git.js';
import { goPackageLister } from '../../src/tools/goList.js';
import { tempDir, tempRepo } from '../helpers/gitRepo.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = join(HERE, '..', '..', 'examples');
const FIXTURES = join(HERE, '..', 'fixtures', 'repos');

const summary = (plan: Plan) => plan.images.map((s) => `${s.image} ${s.backend} ${s.platforms.join(',')}`);
const legIds = (plan: Plan) => plan.matrix.include.map((leg) => `${leg.id} ${leg.runner}${leg.emulated ? ' (qemu)' : ''}`);

describe('buildPlan of examples/', () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await buildPlan(EXAMPLES, { kind: 'all' }, { repoName: 'examples' });
  });

  it('has no problems', () => {
    expect(plan.problems).toEqual([]);
    expect(plan.skipped).toEqual([]);
  });

  it('chooses each backend for its stated reason', () => {
    expect(plan.images.map((s) => [s.dir, s.image, s.backend, s.backendReason])).toEqual([
      ['buildkit-cache', 'buildkit-cache', 'buildkit', 'Dockerfile line 5 uses RUN --mount, which Kaniko cannot build'],
      ['go-hello', 'go-hello', 'ko', 'build_backend: ko in build-config.yaml'],
      ['go-nocfg', 'go-nocfg', 'ko', 'go.mod and cmd/ found'],
      ['kaniko-app', 'kaniko-app', 'kaniko', 'build_backend: kaniko in build-config.yaml'],
      ['nested/tools/arm-only', 'nested-tools-arm-only', 'kaniko', 'Dockerfile found'],
      ['spin-go', 'spin-go', 'spin', 'build_backend: spin in build-config.yaml'],
      ['spin-hello', 'spin-hello', 'spin', 'build_backend: spin in build-config.yaml'],
    ]);
  });

  it('has one leg per image and platform, each on its native runner', () => {
    expect(legIds(plan)).toEqual([
      'buildkit-cache--linux-amd64 ubuntu-latest',
      'buildkit-cache--linux-arm64 ubuntu-24.04-arm',
      'go-hello--linux-amd64 ubuntu-latest',
      'go-hello--linux-arm64 ubuntu-24.04-arm',
      'go-nocfg--linux-amd64 ubuntu-latest',
      'go-nocfg--linux-arm64 ubuntu-24.04-arm',
      'kaniko-app--linux-amd64 ubuntu-latest',
      'kaniko-app--linux-arm64 ubuntu-24.04-arm',
      'nested-tools-arm-only--linux-arm64 ubuntu-24.04-arm',
      'spin-go--wasi-wasm32 ubuntu-latest',
      'spin-hello--wasi-wasm32 ubuntu-latest',
    ]);
    expect(plan.matrix.include[0]).toEqual({
      id: 'buildkit-cache--linux-amd64',
      image: 'buildkit-cache',
      dir: 'buildkit-cache',
      backend: 'buildkit',
      platform: 'linux/amd64',
      runner: 'ubuntu-latest',
      emulated: false,
      wave: 1,
    });
  });

  it('plans the weekly rebuild list', async () => {
    const weekly = await buildPlan(EXAMPLES, { kind: 'rebuild-list', file: 'rebuild-weekly.txt' });
    expect(summary(weekly)).toEqual(['kaniko-app kaniko linux/amd64,linux/arm64', 'nested-tools-arm-only kaniko linux/arm64']);
    expect(weekly.skipped).toContainEqual({ dir: 'go-hello', reason: 'not listed in rebuild-weekly.txt' });
  });

  it('uses an overridden runner map, emulating unmapped platforms', () => {
    const [spec] = plan.images;
    const legs = legsOf({ ...spec, platforms: ['linux/amd64', 'linux/arm/v7'] }, { ...DEFAULT_RUNNERS, 'linux/amd64': 'self-hosted' });
    expect(legs.map((l) => [l.id, l.runner, l.emulated])).toEqual([
      ['buildkit-cache--linux-amd64', 'self-hosted', false],
      ['buildkit-cache--linux-arm-v7', 'self-hosted', true],
    ]);
  });

  // Only legs that run foreign code are emulated: ko cross-compiles (go build with GOARCH), so
  // its leg on an amd64 runner runs nothing of arm/v7; Kaniko and BuildKit run RUN steps as the
  // target platform, which needs QEMU there.
  it('does not label cross-compiled ko legs as emulated', () => {
    const [spec] = plan.images;
    const platforms = ['linux/amd64', 'linux/arm/v7'];
    const ko = legsOf({ ...spec, backend: 'ko', platforms });
    expect(ko.map((l) => [l.runner, l.emulated])).toEqual([
      ['ubuntu-latest', false],
      ['ubuntu-latest', false],
    ]);
    for (const backend of ['kaniko', 'buildkit'] as const) {
      expect(legsOf({ ...spec, backend, platforms }).map((l) => l.emulated)).toEqual([false, true]);
    }
  });

  it('puts label lists and groups on the legs as runs-on takes them', () => {
    const [spec] = plan.images;
    const legs = legsOf(spec, {
      ...DEFAULT_RUNNERS,
      'linux/amd64': ['self-hosted', 'x64'],
      'linux/arm64': { group: 'arm', labels: 'ARM64' },
    });
    expect(legs.map((l) => l.runner)).toEqual([['self-hosted', 'x64'], { group: 'arm', labels: 'ARM64' }]);
  });
});

describe('buildPlan of the fixture monorepo', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('hephy-plan-');
    cpSync(join(FIXTURES, 'monorepo'), root, { recursive: true });
    mkdirSync(join(root, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'x', 'build-config.yaml'), 'build_backend: kaniko\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('plans the valid apps and skips the invalid one with its problem', async () => {
    const plan = await buildPlan(root, { kind: 'all' }, { repoName: 'mono' });
    expect(summary(plan)).toEqual([
      'arm64-only kaniko linux/arm64',
      'buildkit-only buildkit linux/amd64,linux/arm64',
      'kaniko kaniko linux/amd64,linux/arm64',
      'ko-explicit ko linux/amd64,linux/arm64',
      'outer kaniko linux/amd64,linux/arm64',
      'nested-outer-inner kaniko linux/amd64,linux/arm64',
      'spin spin wasi/wasm32',
    ]);
    expect(plan.images.find((s) => s.dir === 'buildkit-only')?.backendReason).toBe(
      'Dockerfile line 2 uses COPY heredoc (<<EOF), which Kaniko cannot build',
    );
    expect(plan.skipped).toEqual([{ dir: 'invalid', reason: 'invalid invalid/build-config.yaml' }]);
    expect(plan.problems).toEqual([
      expect.objectContaining({
        file: 'invalid/build-config.yaml',
        line: 2,
        message: 'unknown key `platfroms`',
        hint: 'did you mean `platforms`?',
      }),
    ]);
  });

  it('plans the dirs asked for and reports unknown ones', async () => {
    const plan = await buildPlan(root, { kind: 'dirs', dirs: ['spin', 'no-config', 'node_modules/x'] });
    expect(summary(plan)).toEqual(['spin spin wasi/wasm32']);
    expect(plan.problems.map((p) => p.message)).toEqual([
      'no-config is not an app directory (no build-config.yaml there)',
      'node_modules/x is not an app directory (no build-config.yaml there)',
    ]);
  });

  it('warns about stale lines of a rebuild list and still builds the others', async () => {
    writeFileSync(join(root, 'weekly.txt'), 'kaniko\n\nspinn\nspin\n');
    const plan = await buildPlan(root, { kind: 'rebuild-list', file: 'weekly.txt' });
    expect(summary(plan)).toEqual(['kaniko kaniko linux/amd64,linux/arm64', 'spin spin wasi/wasm32']);
    expect(plan.problems).toEqual([
      expect.objectContaining({ file: 'weekly.txt', line: 3, severity: 'warning', hint: 'did you mean `spin`?' }),
    ]);
    const missing = await buildPlan(root, { kind: 'rebuild-list', file: 'nope.txt' });
    expect(missing.images).toEqual([]);
    expect(missing.problems[0].message).toBe('the rebuild list nope.txt does not exist');
  });

  it('leaves out what .hephyignore excludes, and says so when it is asked for', async () => {
    writeFileSync(join(root, '.hephyignore'), 'nested/\n');
    const plan = await buildPlan(root, { kind: 'all' });
    expect(plan.images.map((s) => s.dir)).not.toContain('nested/outer');
    expect(plan.skipped).toContainEqual({ dir: 'nested/outer/inner', reason: 'excluded by .hephyignore:1 (nested/)' });
    const asked = await buildPlan(root, { kind: 'dirs', dirs: ['nested/outer'] });
    expect(asked.problems.map((p) => p.message)).toEqual(['nested/outer is not an app directory (excluded by .hephyignore:1 (nested/))']);
  });

  it('rejects two apps with the same image name', async () => {
    writeFileSync(join(root, 'kaniko', 'build-config.yaml'), 'use_local_context: true\nimage_name: outer\n');
    const plan = await buildPlan(root, { kind: 'all' });
    expect(plan.images.filter((s) => s.image === 'outer').map((s) => s.dir)).toEqual(['kaniko']);
    expect(plan.skipped).toContainEqual({ dir: 'nested/outer', reason: 'image name outer taken by kaniko' });
    expect(plan.problems).toContainEqual(
      expect.objectContaining({
        file: 'nested/outer/build-config.yaml',
        line: 1,
        path: 'image_name',
        message: 'image outer is also built from kaniko',
      }),
    );
  });

  it('skips an app whose backend cannot build it, with the reason', async () => {
    rmSync(join(root, 'kaniko', 'Dockerfile'));
    const plan = await buildPlan(root, { kind: 'dirs', dirs: ['kaniko'] });
    expect(plan.images).toEqual([]);
    expect(plan.skipped).toContainEqual({ dir: 'kaniko', reason: 'nothing to build: no backend detected' });
  });
});

describe('buildPlan of a config-less app repo', () => {
  it('builds the root with ko, named after the repo', async () => {
    const plan = await buildPlan(join(FIXTURES, 'app-go'), { kind: 'all' }, { repoName: 'Payments-API' });
    expect(plan.images.map((s) => [s.image, s.dir, s.backend, s.backendReason, s.configFile])).toEqual([
      ['payments-api', '.', 'ko', 'go.mod and cmd/ found', undefined],
    ]);
    expect(plan.matrix.include.map((l) => l.id)).toEqual(['payments-api--linux-amd64', 'payments-api--linux-arm64']);
  });
});

describe('buildPlan --since, in a real git repository', () => {
  it('plans exactly the dirs changed since the first commit', async () => {
    const repo = tempRepo();
    try {
      cpSync(join(FIXTURES, 'monorepo'), repo.root, { recursive: true });
      repo.write({ '.gitignore': 'out/\n', 'out/build-config.yaml': 'build_backend: kaniko\n' });
      const first = repo.commit('first');
      repo.write({
        'kaniko/hello.txt': 'changed',
        'nested/outer/inner/Dockerfile': 'FROM scratch\nCOPY . /\n',
        'no-config/Dockerfile': 'FROM scratch\n# changed, but not an app\n',
        'out/extra.txt': 'ignored',
      });
      repo.commit('second');
      const plan = await buildPlan(
        repo.root,
        { kind: 'since', rev: first },
        {
          changedFiles: (rev) => changedFiles(repo.root, rev),
          isIgnored: (paths) => isIgnored(repo.root, paths),
        },
      );
      // nested/outer's build context is its directory, inner/ included (no .dockerignore): Docker
      // sends inner's Dockerfile to outer's build, so it is one of outer's inputs too.
      expect(plan.images.map((s) => s.dir)).toEqual(['kaniko', 'nested/outer', 'nested/outer/inner']);
      expect(plan.skipped).toContainEqual({ dir: 'arm64-only', reason: `no input changed since ${first.slice(0, 7)}` });
      expect(plan.skipped.map((s) => s.dir)).not.toContain('out');

      const everything = await buildPlan(
        repo.root,
        { kind: 'since', rev: '0'.repeat(40) },
        { changedFiles: (rev) => changedFiles(repo.root, rev) },
      );
      expect(everything.images).toHaveLength(7);
    } finally {
      repo.remove();
    }
  });
});

describe('buildPlan of upstream images', () => {
  const sha = (c: string) => c.repeat(40);
  let root: string;
  beforeEach(() => {
    root = tempDir('hephy-plan-upstream-');
    const app = (dir: string, ref: string, repo = 'https://git.example.com/up.git') => {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, 'build-config.yaml'), `upstream_repo: ${repo}\nupstream_ref: ${ref}\nbuild_backend: kaniko\n`);
    };
    app('a', 'main');
    app('b', 'v1');
    app('c', sha('c'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const refs = [
    { oid: sha('1'), name: 'refs/heads/main' },
    { oid: sha('2'), name: 'refs/tags/v1' },
  ];

  it('resolves each ref once, with one listing per repository, and puts the commit on every leg', async () => {
    const asked: string[] = [];
    const plan = await buildPlan(root, { kind: 'all' }, { listUpstreamRefs: async (repo) => (asked.push(repo), refs) });
    expect(plan.problems).toEqual([]);
    expect(asked).toEqual(['https://git.example.com/up.git']);
    expect(plan.images.map((s) => s.source)).toEqual([
      { kind: 'upstream', repo: 'https://git.example.com/up.git', ref: 'main', commit: sha('1') },
      { kind: 'upstream', repo: 'https://git.example.com/up.git', ref: 'v1', commit: sha('2') },
      { kind: 'upstream', repo: 'https://git.example.com/up.git', ref: sha('c'), commit: sha('c') },
    ]);
    expect(plan.matrix.include.map((leg) => [leg.id, leg.upstreamCommit])).toEqual([
      ['a--linux-amd64', sha('1')],
      ['a--linux-arm64', sha('1')],
      ['b--linux-amd64', sha('2')],
      ['b--linux-arm64', sha('2')],
      ['c--linux-amd64', sha('c')],
      ['c--linux-arm64', sha('c')],
    ]);
    expect(plan.images[0].backendReason).toContain(`upstream refs/heads/main is ${sha('1')}`);
  });

  it('fails only the image whose ref names nothing, at its line', async () => {
    writeFileSync(
      join(root, 'b', 'build-config.yaml'),
      'build_backend: kaniko\nupstream_repo: https://git.example.com/up.git\nupstream_ref: v2\n',
    );
    const plan = await buildPlan(root, { kind: 'all' }, { listUpstreamRefs: async () => refs });
    expect(plan.images.map((s) => s.dir)).toEqual(['a', 'c']);
    expect(plan.problems).toEqual([
      expect.objectContaining({
        file: 'b/build-config.yaml',
        line: 3,
        path: 'upstream_ref',
        severity: 'error',
        message: 'upstream_ref v2 is not a branch or tag of https://git.example.com/up.git',
      }),
    ]);
    expect(plan.skipped).toEqual([{ dir: 'b', reason: 'upstream_ref names no commit' }]);
  });

  it('fails the images of an unreachable upstream with its reason; a full commit id needs no listing', async () => {
    const plan = await buildPlan(
      root,
      { kind: 'all' },
      {
        listUpstreamRefs: async () => {
          throw new Error("git ls-remote https://git.example.com/up.git: fatal: repository 'https://git.example.com/up.git/' not found");
        },
      },
    );
    expect(plan.images.map((s) => s.dir)).toEqual(['c']);
    expect(plan.problems.map((p) => [p.file, p.path, p.message])).toEqual([
      [
        'a/build-config.yaml',
        'upstream_repo',
        expect.stringMatching(/^cannot resolve upstream_ref main: git ls-remote .*: fatal: repository .* not found$/),
      ],
      ['b/build-config.yaml', 'upstream_repo', expect.stringMatching(/^cannot resolve upstream_ref v1: /)],
    ]);
  });

  it('stays offline without a lister (validate, a build job re-planning its leg)', async () => {
    const plan = await buildPlan(root, { kind: 'all' });
    expect(plan.problems).toEqual([]);
    expect(plan.images[0].source).toEqual({ kind: 'upstream', repo: 'https://git.example.com/up.git', ref: 'main' });
    expect(plan.matrix.include[0]).not.toHaveProperty('upstreamCommit');
  });
});

// Issue 10: an app is selected when a changed file is one of its inputs, wherever it lives.
describe('buildPlan --since selects by inputs', () => {
  const sinceOptions = (root: string) => ({
    changedFiles: (rev: string) => changedFiles(root, rev),
    isIgnored: (paths: string[]) => isIgnored(root, paths),
    goPackages: goPackageLister(),
  });
  const plannedDirs = async (root: string, rev: string) => {
    const plan = await buildPlan(root, { kind: 'since', rev }, sinceOptions(root));
    expect(plan.problems).toEqual([]);
    return plan.images.map((s) => s.dir);
  };

  it('selects an app whose context (context_path: ../..) holds a changed shared file outside its dir', async () => {
    const repo = tempRepo({
      'apps/web/build-config.yaml': 'build_backend: kaniko\ncontext_path: ../..\ndockerfile_path: apps/web/Dockerfile\n',
      'apps/web/Dockerfile': 'FROM scratch\nCOPY shared/ /shared/\nCOPY apps/web/ /app/\n',
      'apps/other/build-config.yaml': 'build_backend: kaniko\n',
      'apps/other/Dockerfile': 'FROM scratch\nCOPY . /\n',
      '.dockerignore': 'docs\n',
      'shared/schema.proto': 'syntax = "proto3";\n',
      'docs/guide.md': '# guide\n',
    });
    try {
      const first = repo.commit('first');
      repo.write({ 'shared/schema.proto': 'syntax = "proto3";\nmessage M {}\n' });
      const second = repo.commit('shared file');
      expect(await plannedDirs(repo.root, first)).toEqual(['apps/web']);

      // The root's .dockerignore (the context root of apps/web) drops docs/: not an input.
      repo.write({ 'docs/guide.md': '# guide, edited\n' });
      const third = repo.commit('docs');
      expect(await plannedDirs(repo.root, second)).toEqual([]);

      // A deleted input is a change too.
      repo.git('rm', '-q', 'shared/schema.proto');
      repo.commit('delete');
      expect(await plannedDirs(repo.root, third)).toEqual(['apps/web']);
    } finally {
      repo.remove();
    }
  }, 60_000);

  it('selects a ko app when a package it imports from outside its dir changes, and not for one it does not import', async () => {
    const repo = tempRepo({
      'go.mod': 'module example.com/mono\n\ngo 1.22\n',
      'apps/api/build-config.yaml': 'build_backend: ko\nko_config:\n  import_path: ./cmd/api\n',
      'apps/api/cmd/api/main.go': 'package main\n\nimport "example.com/mono/libs/common"\n\nfunc main() { println(common.Name) }\n',
      'libs/common/common.go': 'package common\n\nconst Name = "common"\n',
      'libs/common/common_test.go': 'package common\n',
      'libs/common/README.md': 'not compiled\n',
      'libs/unused/unused.go': 'package unused\n',
    });
    try {
      const first = repo.commit('first');
      repo.write({ 'libs/common/common.go': 'package common\n\nconst Name = "changed"\n' });
      const second = repo.commit('imported package');
      expect(await plannedDirs(repo.root, first)).toEqual(['apps/api']);

      repo.write({ 'libs/unused/unused.go': 'package unused\n\nvar X = 1\n', 'libs/common/README.md': 'edited\n' });
      const third = repo.commit('not imported');
      expect(await plannedDirs(repo.root, second)).toEqual([]);

      // A file that build constraints leave out on this machine is still a source of the package.
      repo.write({ 'libs/common/common_arm64.go': 'package common\n\nconst Arch = "arm64"\n' });
      const fourth = repo.commit('new file for arm64 only');
      expect(await plannedDirs(repo.root, third)).toEqual(['apps/api']);

      repo.write({ 'go.sum': '' });
      repo.commit('go.sum');
      expect(await plannedDirs(repo.root, fourth)).toEqual(['apps/api']);
    } finally {
      repo.remove();
    }
  }, 60_000);

  it('does not select an app for a change to a README its .dockerignore drops, and does for one it keeps', async () => {
    const repo = tempRepo({
      'app/build-config.yaml': 'build_backend: kaniko\n',
      'app/Dockerfile': 'FROM scratch\nCOPY . /\n',
      'app/.dockerignore': '# docs are not built\n*.md\n!KEEP.md\n',
      'app/README.md': '# app\n',
      'app/KEEP.md': 'kept\n',
    });
    try {
      const first = repo.commit('first');
      repo.write({ 'app/README.md': '# app, edited\n' });
      const second = repo.commit('readme');
      expect(await plannedDirs(repo.root, first)).toEqual([]);
      const plan = await buildPlan(repo.root, { kind: 'since', rev: first }, sinceOptions(repo.root));
      expect(plan.skipped).toEqual([{ dir: 'app', reason: `no input changed since ${first.slice(0, 7)}` }]);

      repo.write({ 'app/KEEP.md': 'kept, edited\n' });
      const third = repo.commit('kept by an exception');
      expect(await plannedDirs(repo.root, second)).toEqual(['app']);

      // Changing .dockerignore changes what the context holds.
      repo.write({ 'app/.dockerignore': '*.md\n' });
      repo.commit('dockerignore');
      expect(await plannedDirs(repo.root, third)).toEqual(['app']);
    } finally {
      repo.remove();
    }
  }, 60_000);
});
