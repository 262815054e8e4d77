import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseBuildConfig } from '../../src/core/config/load.js';
import { checkUpstreamSource, detectBackend, type DetectOptions } from '../../src/core/detect.js';
import { tempDir } from '../helpers/gitRepo.js';

const GO_MOD = 'module example.com/app\n\ngo 1.22\n';
const MAIN_GO = 'package main\n\nfunc main() {}\n';

let dir: string;
beforeEach(() => {
  dir = tempDir('hephy-detect-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Detects with the config read from build-config.yaml, as the planner does. */
function detect(configText?: string, options: DetectOptions = {}) {
  if (configText === undefined) return detectBackend(dir, undefined, undefined, { displayDir: 'app', ...options });
  write({ 'build-config.yaml': configText });
  const parsed = parseBuildConfig(configText, 'app/build-config.yaml');
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return detectBackend(dir, parsed.config, parsed.locate, { displayDir: 'app', configFile: 'app/build-config.yaml', ...options });
}

describe('detectBackend, in the seed order', () => {
  it('1. takes an explicit build_backend, even over other clues', () => {
    write({ 'go.mod': GO_MOD, 'cmd/app/main.go': MAIN_GO, Dockerfile: 'FROM scratch\n' });
    expect(detect('build_backend: kaniko\n')).toEqual({
      backend: 'kaniko',
      reason: 'build_backend: kaniko in build-config.yaml',
      problems: [],
    });
  });

  it('2. picks ko for go.mod + cmd/, noting an ignored Dockerfile', () => {
    write({ 'go.mod': GO_MOD, 'cmd/app/main.go': MAIN_GO });
    expect(detect()).toMatchObject({ backend: 'ko', reason: 'go.mod and cmd/ found', problems: [] });
    write({ Dockerfile: 'FROM scratch\n' });
    expect(detect().reason).toBe('go.mod and cmd/ found; app/Dockerfile is ignored (set build_backend: kaniko to use it)');
  });

  it('does not pick ko for go.mod without cmd/', () => {
    write({ 'go.mod': GO_MOD, 'main.go': MAIN_GO, Dockerfile: 'FROM scratch\n' });
    expect(detect().backend).toBe('kaniko');
  });

  it('5. picks ko for go.mod with a main package at its root when nothing else builds it (ko builds `.`)', () => {
    write({ 'go.mod': GO_MOD, 'main.go': `// Copyright header\n/* block\n comment */\n${MAIN_GO}`, 'main_test.go': 'package main_test\n' });
    expect(detect()).toMatchObject({ backend: 'ko', reason: 'go.mod and a main package at the root found', problems: [] });
  });

  it('does not pick ko for a library module (no package main), and says what it looked for', () => {
    write({ 'go.mod': GO_MOD, 'lib.go': 'package lib\n', 'main_test.go': 'package main\n' });
    const detection = detect();
    expect(detection.backend).toBeUndefined();
    // No build-config.yaml here: the message does not name one.
    expect(detection.problems[0].message).toBe(
      'nothing to build in app: no go.mod with cmd/ or a main package, no spin.toml, no Dockerfile',
    );
  });

  it('3. picks spin for spin.toml, or for the manifest the config names', () => {
    write({ 'spin.toml': 'spin_manifest_version = 2\n', Dockerfile: 'FROM scratch\n' });
    expect(detect()).toMatchObject({ backend: 'spin', reason: 'spin.toml found' });
    rmSync(join(dir, 'spin.toml'));
    write({ 'app/spin.toml': '' });
    expect(detect('spin_config:\n  manifest_path: app/spin.toml\n')).toMatchObject({ backend: 'spin', reason: 'app/spin.toml found' });
  });

  it('4. picks kaniko for a plain Dockerfile', () => {
    write({ Dockerfile: 'FROM scratch\nCOPY a /a\n' });
    expect(detect()).toEqual({ backend: 'kaniko', reason: 'Dockerfile found', problems: [] });
  });

  it('4. picks buildkit for a Dockerfile Kaniko cannot build, saying which line', () => {
    write({ Dockerfile: 'FROM scratch\n\nRUN --mount=type=cache,target=/cache true\n' });
    expect(detect()).toEqual({
      backend: 'buildkit',
      reason: 'Dockerfile line 3 uses RUN --mount, which Kaniko cannot build',
      problems: [],
    });
  });

  it('finds the Dockerfile under context_path and dockerfile_path', () => {
    write({ 'src/docker/Build.dockerfile': 'FROM scratch\nCOPY --link a /a\n' });
    const found = detect('context_path: src\ndockerfile_path: docker/Build.dockerfile\n');
    expect(found).toMatchObject({
      backend: 'buildkit',
      reason: 'docker/Build.dockerfile line 2 uses COPY --link, which Kaniko cannot build',
    });
  });

  it('6. reports nothing buildable, naming what it looked for', () => {
    write({ 'README.md': 'hi' });
    const found = detect();
    expect(found.backend).toBeUndefined();
    expect(found.problems).toEqual([
      expect.objectContaining({
        file: 'app',
        severity: 'error',
        message: 'nothing to build in app: no go.mod with cmd/ or a main package, no spin.toml, no Dockerfile',
      }),
    ]);
    const withConfig = detect('platforms: [linux/amd64]\n').problems[0];
    expect(withConfig.file).toBe('app/build-config.yaml');
    expect(withConfig.message).toBe(
      'nothing to build in app: no build_backend in build-config.yaml, no go.mod with cmd/ or a main package, no spin.toml, no Dockerfile',
    );
  });
});

describe('detectBackend checks for local builds', () => {
  it('refuses FROM ${BASE_IMAGE} when nothing sets BASE_IMAGE, at build_args or build_backend, naming the Dockerfile line', () => {
    write({ Dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN true\n' });
    const found = detect('build_backend: kaniko\n');
    expect(found.problems).toEqual([
      expect.objectContaining({
        line: 1,
        path: 'build_backend',
        message:
          'app/Dockerfile line 2 (FROM ${BASE_IMAGE}) reads the build argument BASE_IMAGE, which has no default there and no build_args entry: the image reference would be empty',
        hint: 'add `BASE_IMAGE=<image>` to build_args, or a default: ARG BASE_IMAGE=<image>',
      }),
    ]);
    expect(detect('build_args:\n  - BASE_IMAGE=registry.example.com/busybox:1\n').problems).toEqual([]);
  });

  it('rejects build_backend: kaniko for a Dockerfile that needs BuildKit, at the build_backend line', () => {
    write({ Dockerfile: 'FROM scratch\nRUN <<EOF\necho hi\nEOF\n' });
    const found = detect('# app\nplatforms: [linux/amd64]\nbuild_backend: kaniko\n');
    expect(found.backend).toBe('kaniko');
    expect(found.problems).toEqual([
      {
        file: 'app/build-config.yaml',
        line: 3,
        column: 16,
        path: 'build_backend',
        message: 'build_backend is kaniko, but app/Dockerfile line 2 uses RUN heredoc (<<EOF), which Kaniko cannot build: RUN <<EOF',
        hint: 'use build_backend: buildkit',
        severity: 'error',
      },
    ]);
  });

  it('only warns about a # syntax= line under build_backend: kaniko (Kaniko ignores it)', () => {
    write({ Dockerfile: '# syntax=docker/dockerfile:1\nFROM scratch\n' });
    expect(detect().backend).toBe('buildkit');
    const found = detect('build_backend: kaniko\n');
    expect(found.problems.map((p) => p.severity)).toEqual(['warning']);
    expect(found.problems[0].message).toMatch(/line 1 asks for a Dockerfile frontend/);
  });

  it.each(['kaniko', 'buildkit'])('reports a missing Dockerfile for %s', (backend) => {
    const found = detect(`build_backend: ${backend}\n`);
    expect(found.problems).toEqual([
      expect.objectContaining({
        path: 'build_backend',
        line: 1,
        message: `${backend} needs a Dockerfile, but app/Dockerfile does not exist`,
      }),
    ]);
    const named = detect(`build_backend: ${backend}\ndockerfile_path: build/Dockerfile\n`);
    expect(named.problems[0]).toMatchObject({
      path: 'dockerfile_path',
      line: 2,
      message: expect.stringContaining('app/build/Dockerfile does not exist'),
    });
  });

  it('reports a target that is not a stage, with a suggestion', () => {
    write({ Dockerfile: 'FROM scratch AS build\nFROM scratch AS runtime\n' });
    const found = detect('build_backend: kaniko\ntarget: runtme\n');
    expect(found.problems).toEqual([
      expect.objectContaining({
        path: 'target',
        line: 2,
        message: 'target runtme is not a stage of app/Dockerfile (stages: build, runtime)',
        hint: 'did you mean `runtime`?',
      }),
    ]);
  });

  // BuildKit lowercases stage names and the target before it compares them (moby/buildkit v0.32.2
  // frontend/dockerfile/instructions/parse.go parseBuildStageName: `stageName = strings.ToLower(args[2])`;
  // frontend/dockerfile/dockerfile2llb/convert.go findStateByName: `statesByName[strings.ToLower(name)]`);
  // Kaniko matches with `strings.EqualFold(stage.Name, target)` (chainguard-dev/kaniko v1.25.5
  // pkg/dockerfile/dockerfile.go targetStage). So `target: runtime` builds stage `Runtime` in both.
  it.each(['kaniko', 'buildkit'])('accepts a target that differs from the stage name only in case (%s)', (backend) => {
    write({ Dockerfile: 'FROM scratch AS Build\nFROM scratch AS Runtime\n' });
    expect(detect(`build_backend: ${backend}\ntarget: runtime\n`).problems).toEqual([]);
    expect(detect(`build_backend: ${backend}\ntarget: RUNTIME\n`).problems).toEqual([]);
    expect(detect('target: runtime\n')).toMatchObject({ backend: 'kaniko', problems: [] });
  });

  it('never suggests the refused target back, in any case', () => {
    write({ Dockerfile: 'FROM scratch AS Build\nFROM scratch AS Runtime\n' });
    const [problem] = detect('build_backend: kaniko\ntarget: runtme\n').problems;
    expect(problem).toMatchObject({ path: 'target', hint: 'did you mean `Runtime`?' });
    expect(problem.hint!.toLowerCase()).not.toContain('`runtme`');
    // A stage that exists in another case is no problem at all, so never a hint.
    expect(detect('build_backend: kaniko\ntarget: BUILD\n').problems).toEqual([]);
  });

  it('reports a missing go.mod for ko', () => {
    const found = detect('build_backend: ko\n');
    expect(found.problems).toEqual([
      expect.objectContaining({ path: 'build_backend', message: 'ko builds Go modules, but there is no go.mod in app' }),
    ]);
  });

  it('finds go.mod above the dir, up to the repo root', () => {
    const appDir = join(dir, 'services', 'api');
    write({ 'go.mod': GO_MOD, 'services/api/cmd/api/main.go': MAIN_GO });
    const found = detectBackend(appDir, { build_backend: 'ko', ko_config: { import_path: './cmd/api' } }, undefined, { root: dir });
    expect(found.problems).toEqual([]);
    expect(detectBackend(appDir, { build_backend: 'ko' }).problems[0].message).toMatch(/no go.mod/);
  });

  it('checks a relative import_path, suggesting the package meant', () => {
    write({ 'go.mod': GO_MOD, 'cmd/hello/main.go': MAIN_GO });
    expect(detect('build_backend: ko\nko_config:\n  import_path: ./cmd/hello\n').problems).toEqual([]);
    const found = detect('build_backend: ko\nko_config:\n  import_path: ./cmd/helo\n');
    expect(found.problems).toEqual([
      expect.objectContaining({
        path: 'ko_config.import_path',
        line: 3,
        message: 'import_path ./cmd/helo names app/cmd/helo, which does not exist',
        hint: 'did you mean `./cmd/hello`?',
      }),
    ]);
  });

  it('resolves a full import path against the module line of go.mod', () => {
    write({ 'go.mod': GO_MOD, 'cmd/hello/main.go': MAIN_GO });
    expect(detect('build_backend: ko\nko_config:\n  import_path: example.com/app/cmd/hello\n').problems).toEqual([]);
    expect(detect('build_backend: ko\nko_config:\n  import_path: example.com/app/cmd/nope\n').problems[0].message).toBe(
      'import_path example.com/app/cmd/nope names app/cmd/nope, which does not exist',
    );
    // Another module's package is go's business, not the filesystem's.
    expect(detect('build_backend: ko\nko_config:\n  import_path: example.org/tool/cmd/x\n').problems).toEqual([]);
  });

  // ko strips its `ko://` prefix before it resolves the path (ko v0.19.1 pkg/build/strict.go newRef:
  // `path: strings.TrimPrefix(s, StrictScheme)`; pkg/build/gobuilds.go builder trims it too, and
  // gobuild.go IsSupportedReference loads ref.Path() with go/packages). So `ko://./cmd/x` is the
  // package ./cmd/x, and is checked like it.
  it('checks a ko:// import path like any other', () => {
    write({ 'go.mod': GO_MOD, 'cmd/hello/main.go': MAIN_GO });
    expect(detect('build_backend: ko\nko_config:\n  import_path: ko://./cmd/hello\n').problems).toEqual([]);
    expect(detect('build_backend: ko\nko_config:\n  import_path: ko://example.com/app/cmd/hello\n').problems).toEqual([]);
    expect(detect('build_backend: ko\nko_config:\n  import_path: ko://./cmd/helo\n').problems).toEqual([
      expect.objectContaining({
        path: 'ko_config.import_path',
        line: 3,
        message: 'import_path ko://./cmd/helo names app/cmd/helo, which does not exist',
        hint: 'did you mean `ko://./cmd/hello`?',
      }),
    ]);
    expect(detect('build_backend: ko\nko_config:\n  import_path: ko://example.com/app/cmd/nope\n').problems[0].message).toBe(
      'import_path ko://example.com/app/cmd/nope names app/cmd/nope, which does not exist',
    );
  });

  // Without an import path the ko backend builds the one package under cmd/ (src/backends/ko.ts
  // defaultImportPath); with two it cannot choose, and every leg would fail.
  it('refuses go.mod with several packages under cmd/ and no import_path, listing them as paths', () => {
    write({ 'go.mod': GO_MOD, 'cmd/server/main.go': MAIN_GO, 'cmd/cli/main.go': MAIN_GO, 'cmd/empty/README': '' });
    for (const config of [undefined, 'build_backend: ko\n', 'ko_config:\n  env: [CGO_ENABLED=0]\n']) {
      const found = detect(config);
      expect(found.backend).toBe('ko');
      expect(found.problems).toEqual([
        expect.objectContaining({
          severity: 'error',
          message: 'ko_config.import_path is not set and app/cmd/ holds 2 packages: cmd/cli, cmd/server',
          hint: 'set ko_config.import_path to the one this image builds, e.g. ./cmd/cli',
        }),
      ]);
    }
    expect(detect('ko_config:\n  env: [CGO_ENABLED=0]\n').problems[0]).toMatchObject({ path: 'ko_config', line: 2 });
    expect(detect('ko_config:\n  import_path: ./cmd/server\n')).toMatchObject({ backend: 'ko', problems: [] });
  });

  it('builds the Dockerfile instead when ko cannot tell which command, and says why', () => {
    write({ 'go.mod': GO_MOD, 'cmd/server/main.go': MAIN_GO, 'cmd/cli/main.go': MAIN_GO, Dockerfile: 'FROM scratch\n' });
    expect(detect()).toEqual({
      backend: 'kaniko',
      reason:
        'go.mod and cmd/ found, but cmd/ holds 2 packages (cmd/cli, cmd/server) and ko_config.import_path names none; Dockerfile found',
      problems: [],
    });
    // An import path makes ko able to build it again: the seed's order holds.
    expect(detect('ko_config:\n  import_path: ./cmd/cli\n').backend).toBe('ko');
  });

  it('refuses ko with no Go package to build at all', () => {
    write({ 'go.mod': GO_MOD, 'cmd/README.md': '' });
    expect(detect().problems).toEqual([
      expect.objectContaining({ message: 'ko_config.import_path is not set, and neither app/cmd/ nor app holds a Go package to build' }),
    ]);
    write({ 'main.go': MAIN_GO });
    expect(detect().problems).toEqual([]);
  });

  it('reports a missing spin manifest', () => {
    expect(detect('build_backend: spin\n').problems[0].message).toBe('build_backend is spin, but there is no Spin manifest app/spin.toml');
    const found = detect('build_backend: spin\nspin_config:\n  manifest_path: wasm/spin.toml\n');
    expect(found.problems[0]).toMatchObject({ path: 'spin_config.manifest_path', line: 3 });
  });

  it('skips filesystem checks for upstream builds', () => {
    const config = 'upstream_repo: https://example.com/org/tool.git\nupstream_ref: v1.0.0\n';
    expect(detect(`${config}build_backend: ko\n`)).toEqual({
      backend: 'ko',
      reason: 'build_backend: ko in build-config.yaml',
      problems: [],
    });
    const fallback = detect(config);
    expect(fallback.backend).toBe('kaniko');
    expect(fallback.problems).toEqual([expect.objectContaining({ severity: 'warning', path: 'upstream_repo', line: 1 })]);
  });
});

// The plan cannot see an upstream source; the leg runs these checks on its clone.
describe('checkUpstreamSource', () => {
  const config = { upstream_repo: 'https://git.example.com/up.git', upstream_ref: 'main' };

  it('refuses an upstream Dockerfile with BuildKit-only syntax for Kaniko, naming the line', () => {
    write({ Dockerfile: 'FROM scratch\nRUN --mount=type=cache,target=/c true\n' });
    expect(checkUpstreamSource(dir, config, 'kaniko', 'upstream')).toEqual([
      expect.objectContaining({
        message:
          'build_backend is kaniko, but upstream/Dockerfile line 2 uses RUN --mount, which Kaniko cannot build: RUN --mount=type=cache,target=/c true',
        hint: 'use build_backend: buildkit',
      }),
    ]);
    expect(checkUpstreamSource(dir, config, 'buildkit', 'upstream')).toEqual([]);
  });

  it('checks the target and a missing Dockerfile too, and passes a plain one', () => {
    write({ Dockerfile: 'FROM scratch AS Runtime\n' });
    expect(checkUpstreamSource(dir, { ...config, target: 'runtime' }, 'kaniko', 'upstream')).toEqual([]);
    expect(checkUpstreamSource(dir, { ...config, target: 'dev' }, 'kaniko', 'upstream')[0].message).toMatch(
      /^target dev is not a stage of upstream\/Dockerfile/,
    );
    expect(checkUpstreamSource(dir, { ...config, dockerfile_path: 'build/Dockerfile' }, 'kaniko', 'upstream')[0].message).toContain(
      'upstream/build/Dockerfile',
    );
  });
});

// Promise 3: no value of a build-config.yaml reads a file outside the repository. Reproduced with
// `hephy-builder run`: `context_path: ../..` put a file next to the repository into the image.
describe('paths that lead outside the repository', () => {
  // dir/ is the machine's disk; dir/repo the repository; dir/repo/app the app.
  const outsideFiles = { Dockerfile: 'FROM scratch\nCOPY secret.txt /\n', 'secret.txt': 'host\n', 'repo/app/Dockerfile': 'FROM scratch\n' };
  const app = () => join(dir, 'repo', 'app');
  function detectIn(configText: string) {
    write({ ...outsideFiles, 'repo/app/build-config.yaml': configText });
    const parsed = parseBuildConfig(configText, 'app/build-config.yaml');
    return detectBackend(app(), parsed.config, parsed.locate, {
      displayDir: 'app',
      configFile: 'app/build-config.yaml',
      root: join(dir, 'repo'),
    });
  }

  it.each([
    ['context_path: ../..\n', 'context_path', 1, 15],
    ['dockerfile_path: ../../Dockerfile\n', 'dockerfile_path', 1, 18],
    [`dockerfile_path: ${'/'}etc/passwd\n`, 'dockerfile_path', 1, 18],
    ['build_backend: spin\nspin_config:\n  manifest_path: ../../spin.toml\n', 'spin_config.manifest_path', 3, 18],
  ])('%s is an error at the value, and nothing is built', (configText, path, line, column) => {
    const detection = detectIn(configText);
    expect(detection.backend).toBeUndefined();
    expect(detection.problems).toEqual([
      expect.objectContaining({ severity: 'error', path, line, column, message: expect.stringContaining('leads outside the repository') }),
    ]);
  });

  it('follows symlinks: a context that is a link to a directory outside is outside', () => {
    write(outsideFiles);
    symlinkSync(dir, join(app(), 'ctx'));
    expect(detectIn('context_path: ctx\n').problems[0]).toEqual(
      expect.objectContaining({ path: 'context_path', message: expect.stringContaining('outside') }),
    );
  });

  it('a context one level up, still inside the repository, is fine', () => {
    write({ 'repo/Dockerfile': 'FROM scratch\n' });
    expect(detectIn('context_path: ..\n')).toEqual(expect.objectContaining({ backend: 'kaniko', problems: [] }));
  });
});
