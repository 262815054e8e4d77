// The CLI as a user meets it: exit codes, what goes to stdout and stderr, and no stack trace.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.js';
import { tempDir, tempRepo } from '../helpers/gitRepo.js';
import { findActionlint } from '../helpers/actionlint.js';
import { leg } from '../helpers/summaryRuns.js';

async function cli(args: string[], cwd = process.cwd()) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd, env: process.env });
  return { code, stdout, stderr };
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

/** The mixed fixture monorepo in a temp dir, plus a node_modules config that must be ignored. */
function monorepo(): string {
  const root = tempDir('hephy-cli-mono-');
  cpSync(resolve('test/fixtures/repos/monorepo'), root, { recursive: true });
  mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'dep', 'build-config.yaml'), 'build_backend: kaniko\n');
  writeFileSync(join(root, 'node_modules', 'dep', 'Dockerfile'), 'FROM scratch\n');
  return root;
}

describe('hephy-builder CLI', () => {
  it('prints help for every command', async () => {
    for (const command of ['validate', 'detect', 'plan', 'schema', 'init', 'generate', 'run']) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: hephy-builder ${command}`);
    }
    expect((await cli([])).stdout).toContain('Commands:');
    const unknown = await cli(['biuld']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command `biuld`');
  });

  it('plans a mixed monorepo: backends, legs and runners; nothing from node_modules or config-less dirs', async () => {
    const root = monorepo();
    const r = await cli(['plan', '--root', root, '--json']);
    const plan = JSON.parse(r.stdout);
    const backendOf = Object.fromEntries(plan.images.map((s: any) => [s.dir, s.backend]));
    expect(backendOf).toMatchObject({
      'ko-explicit': 'ko',
      kaniko: 'kaniko',
      'buildkit-only': 'buildkit',
      spin: 'spin',
      'arm64-only': 'kaniko',
    });
    const dirs = plan.images.map((s: any) => s.dir);
    expect(dirs.some((d: string) => d.startsWith('node_modules'))).toBe(false);
    expect(dirs).not.toContain('no-config');
    expect(dirs.some((d: string) => d.startsWith('nested/'))).toBe(true);
    const legs = plan.matrix.include;
    const leg = (id: string) => legs.find((l: any) => l.id === id);
    expect(leg('ko-explicit--linux-arm64')).toMatchObject({ runner: 'ubuntu-24.04-arm', emulated: false, backend: 'ko' });
    expect(leg('ko-explicit--linux-amd64').runner).toBe('ubuntu-latest');
    expect(legs.filter((l: any) => l.image === 'arm64-only').map((l: any) => l.platform)).toEqual(['linux/arm64']);
    expect(legs.filter((l: any) => l.image === 'spin').map((l: any) => [l.platform, l.runner])).toEqual([['wasi/wasm32', 'ubuntu-latest']]);
    // The fixture's invalid dir is reported, not planned.
    expect(r.code).toBe(1);
    expect(plan.skipped.some((s: any) => s.dir === 'invalid')).toBe(true);
  });

  it('sends legs to other runners with --runners', async () => {
    const r = await cli(['plan', '--root', monorepo(), '--json', '--runners', '{"linux/arm64": "self-hosted-arm"}']);
    const legs = JSON.parse(r.stdout).matrix.include;
    expect(legs.filter((l: any) => l.platform === 'linux/arm64').every((l: any) => l.runner === 'self-hosted-arm')).toBe(true);
    const bad = await cli(['plan', '--root', monorepo(), '--runners', '[1, 2']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/runner map/);
    noStack(bad.stderr);
  });

  it('validates: every problem as file:line:col with hints, exit 1, no stack trace', async () => {
    const dir = resolve('test/fixtures/configs/invalid');
    const files = ['misspelt-key', 'both-source-modes', 'bad-platform', 'yaml-syntax-error', 'unknown-backend'].map((n) =>
      join(dir, `${n}.yaml`),
    );
    const r = await cli(['validate', ...files]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/misspelt-key\.yaml:2:1: error: build_backnd: unknown key `build_backnd` \(did you mean `build_backend`\?\)/);
    expect(r.stderr).toMatch(/both-source-modes\.yaml:\d+:\d+: error: .*use either use_local_context or upstream_repo/);
    expect(r.stderr).toMatch(/bad-platform\.yaml:4:5: .*did you mean `linux\/amd64`/);
    expect(r.stderr).toMatch(/yaml-syntax-error\.yaml:\d+:\d+: error: YAML syntax error/);
    expect(r.stderr).toMatch(/unknown-backend\.yaml:1:16: .*did you mean `kaniko`/);
    noStack(r.stderr);
  });

  it('validates a missing Dockerfile and accepts the origin repo style', async () => {
    const repo = tempRepo({
      'curl/build-config.yaml':
        '# curl image\nuse_local_context: true   # this dir\ndockerfile_path: Dockerfile\ncontext_path: .\ntarget: ""\nbuild_args: []\nplatforms:\n  - linux/amd64\n  - linux/arm64\nadditional_tags: []\n',
      'curl/Dockerfile': 'FROM scratch\n',
      'broken/build-config.yaml': 'build_backend: kaniko\ndockerfile_path: Dockerfile.prod\n',
    });
    const ok = await cli(['validate', join(repo.root, 'curl', 'build-config.yaml')]);
    expect(ok.code).toBe(0);
    const missing = await cli(['validate', join(repo.root, 'broken', 'build-config.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/build-config\.yaml:2:\d+: error: .*Dockerfile\.prod/);
  });

  it('validate DIR plans the whole repository, so a need outside DIR resolves; it reports only what is in DIR', async () => {
    const repo = tempRepo({
      'base/build-config.yaml': 'build_backend: buildkit\nplatforms: [linux/amd64]\n',
      'base/Dockerfile': 'FROM scratch\n',
      'app/build-config.yaml': 'build_backend: buildkit\nplatforms: [linux/amd64]\nneeds: [base]\n',
      'app/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
      'bad/build-config.yaml': 'build_backend: nope\n',
    });
    repo.commit('three apps');
    const app = await cli(['validate', join(repo.root, 'app')]);
    expect(app.stderr).toBe('');
    expect(app.stdout).toBe('ok: 1 app(s) valid\n');
    expect(app.code).toBe(0);
    const all = await cli(['validate', repo.root]);
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/bad\/build-config\.yaml:1:\d+: error/);
  });

  it('validate counts apps (directories), and the images of a file with images:', async () => {
    const repo = tempRepo({
      'one/build-config.yaml': 'build_backend: kaniko\n',
      'one/Dockerfile': 'FROM scratch\n',
      'two/build-config.yaml': 'build_backend: kaniko\nimages:\n  - name: a\n    target: a\n  - name: b\n    target: b\n',
      'two/Dockerfile': 'FROM scratch AS a\nFROM scratch AS b\n',
    });
    const dir = await cli(['validate', repo.root]);
    expect(dir.code).toBe(0);
    expect(dir.stdout).toBe('ok: 2 app(s) valid (3 images)\n');
    const file = await cli(['validate', join(repo.root, 'two', 'build-config.yaml')]);
    expect(file.stdout).toBe('ok: 1 app(s) valid (2 images)\n');
    const plain = await cli(['validate', join(repo.root, 'one', 'build-config.yaml')]);
    expect(plain.stdout).toBe('ok: 1 app(s) valid\n');
  });

  it('plans exactly the dirs changed since a revision', async () => {
    const repo = tempRepo({
      'a/build-config.yaml': 'build_backend: kaniko\n',
      'a/Dockerfile': 'FROM scratch\n',
      'b/build-config.yaml': 'build_backend: kaniko\n',
      'b/Dockerfile': 'FROM scratch\n',
      // b's build context holds b/inner unless its .dockerignore drops it (then inner is no input of b).
      'b/.dockerignore': 'inner\n',
      'b/inner/build-config.yaml': 'build_backend: kaniko\n',
      'b/inner/Dockerfile': 'FROM scratch\n',
    });
    const base = repo.commit('first');
    repo.write({ 'b/inner/Dockerfile': 'FROM scratch\nCOPY x /x\n', 'README.md': 'docs\n' });
    repo.commit('second');
    const r = await cli(['plan', '--root', repo.root, '--since', base, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).images.map((s: any) => s.dir)).toEqual(['b/inner']);
    const bad = await cli(['plan', '--root', repo.root, '--since', 'no-such-rev']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no-such-rev');
    noStack(bad.stderr);
  });

  it('merges from the plan file `plan --json` wrote, and names the field of a plan it cannot use', async () => {
    const root = monorepo();
    const planned = await cli(['plan', '--root', root, '--dirs', 'kaniko', '--json']);
    const dir = tempDir('hephy-cli-merge-');
    mkdirSync(join(dir, 'records'));
    writeFileSync(join(dir, 'plan.json'), planned.stdout);
    const merge = (plan: string) => cli(['merge', '--plan', plan, '--records', 'records', '--registry', '127.0.0.1:1', '--dry-run'], dir);
    // The plan is read; no leg ran, so the image is not published (and no registry is contacted).
    const merged = await merge('plan.json');
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain('no leg record');

    const plan = JSON.parse(planned.stdout);
    plan.matrix.include[0].platform = '';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(plan));
    const bad = await merge('bad.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /bad\.json: not a valid plan: matrix\.include\.0\.platform: .*; write one with `hephy-builder plan --json > plan\.json`/,
    );
    noStack(bad.stderr);
    const missing = await merge('absent.json');
    expect(missing.stderr).toMatch(/absent\.json: cannot read the plan \(.*ENOENT/);
  });

  it('init writes a workflow that passes actionlint; generate --check passes, then fails after a hand edit', async () => {
    const repo = tempRepo({ 'app/build-config.yaml': 'build_backend: ko\n', 'app/go.mod': 'module x\n' });
    const init = await cli(['init', '--root', repo.root]);
    expect(init.code).toBe(0);
    const workflow = join(repo.root, '.github/workflows/hephy-builder.yml');
    const text = readFileSync(workflow, 'utf8');
    for (const line of text.split('\n').filter((l) => /^\s*(-\s*)?uses:/.test(l))) {
      if (/uses:\s*(\.\/|hephy\/builder)/.test(line)) continue;
      expect(line).toMatch(/@[0-9a-f]{40} # v\d/);
    }
    const lint = spawnSync(findActionlint(), ['-no-color', '-oneline', workflow], { cwd: repo.root, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
    expect((await cli(['generate', '--check', '--root', repo.root])).code).toBe(0);
    writeFileSync(workflow, text.replace('timeout-minutes', 'timeout-minutes ').replace(/cron: .*/, "cron: '0 0 * * *'"));
    const stale = await cli(['generate', '--check', '--root', repo.root]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('out of date');
  });

  // The generator and the plan read runner maps with one parser (core/runners.ts): what init
  // writes, the plan accepts, label lists and groups included, and actionlint passes it.
  it('init --runners writes label lists and groups that actionlint, generate --check and plan accept', async () => {
    const repo = tempRepo({ 'app/build-config.yaml': 'build_backend: kaniko\n', 'app/Dockerfile': 'FROM scratch\n' });
    const runners = '{"linux/arm64": ["self-hosted", "ARM64"], "linux/amd64": {"group": "builders", "labels": "x64"}}';
    const init = await cli(['init', '--root', repo.root, '--runners', runners]);
    expect(init.code).toBe(0);
    expect(init.stdout).not.toContain('free to public repositories only');
    const workflow = join(repo.root, '.github/workflows/hephy-builder.yml');
    const lint = spawnSync(findActionlint(), ['-no-color', '-oneline', workflow], { cwd: repo.root, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect((await cli(['generate', '--check', '--root', repo.root])).code).toBe(0);
    const plan = await cli(['plan', '--root', repo.root, '--runners', runners, '--json']);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).matrix.include.map((leg: { runner: unknown }) => leg.runner)).toEqual([
      { group: 'builders', labels: 'x64' },
      ['self-hosted', 'ARM64'],
    ]);
    const bad = await cli(['init', '--root', repo.root, '--force', '--runners', '{"linux/arm64": "self hosted"}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"self hosted" is not a runner label');
    noStack(bad.stderr);
  });

  it('init refuses a --registry that is not a host[:port] and writes nothing', async () => {
    const repo = tempRepo();
    try {
      repo.write({ 'api/Dockerfile': 'FROM scratch\n' });
      repo.commit('api');
      const bad = await cli(['init', '--root', repo.root, '--registry', 'a b']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('registry `a b` is not a host[:port]');
      noStack(bad.stderr);
      expect(existsSync(join(repo.root, '.github'))).toBe(false);
      const withPath = await cli(['init', '--root', repo.root, '--registry', 'registry.example.com/team']);
      expect([withPath.code, withPath.stderr.trim()]).toEqual([
        1,
        'hephy-builder: --registry `registry.example.com/team`: a registry is a host[:port]; use --registry registry.example.com --image-prefix team',
      ]);
      expect((await cli(['init', '--root', repo.root, '--registry', 'reg.example.com:99999'])).code).toBe(1);
      // Before init there is nothing to regenerate: --write says so as --check does.
      const write = await cli(['generate', '--write', '--root', repo.root]);
      expect([write.code, write.stderr]).toEqual([1, expect.stringContaining('no generated workflow found under .github/workflows')]);
      const good = await cli(['init', '--root', repo.root, '--registry', 'https://Registry.Example.com:5000/']);
      expect(good.code).toBe(0);
      expect(readFileSync(join(repo.root, '.github/workflows/hephy-builder.yml'), 'utf8')).toContain('registry: registry.example.com:5000');
    } finally {
      repo.remove();
    }
  });

  it('has one name for the image prefix in every command: --image-prefix in --help, --prefix still accepted', async () => {
    for (const command of ['build', 'merge', 'run', 'init']) {
      const help = (await cli([command, '--help'])).stdout;
      expect(help).toMatch(/^ {2}--image-prefix PATH +path under the registry/m);
      expect(help).not.toContain('--prefix');
    }
    const written = async (args: string[]) => {
      const repo = tempRepo({ 'app/build-config.yaml': 'build_backend: ko\n', 'app/go.mod': 'module x\n' });
      expect((await cli(['init', '--root', repo.root, ...args])).code).toBe(0);
      return readFileSync(join(repo.root, '.github/workflows/hephy-builder.yml'), 'utf8');
    };
    const byName = await written(['--image-prefix', 'team-a']);
    expect(byName).toMatch(/image-prefix: team-a\b/);
    expect(await written(['--prefix', 'team-a'])).toBe(byName);
    const both = await cli(['run', '--image-prefix', 'a', '--prefix', 'b', '--root', tempDir('hephy-cli-empty-')]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--image-prefix `a` and --prefix `b` are one option');
    noStack(both.stderr);
  });

  it('run --push takes true or false (false: a dry run that keeps OCI layouts), and says so for anything else', async () => {
    expect((await cli(['run', '--help'])).stdout).toMatch(/--push true\|false +false: a dry run/);
    const bad = await cli(['run', '--push', 'maybe', '--root', tempDir('hephy-cli-empty-')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--push: expected true or false (or empty for the default), got `maybe`');
    noStack(bad.stderr);
  });

  it('merge compares with a history (a dir of earlier leg records), saves it, and writes the comment; no registry is contacted with --dry-run', async () => {
    const dir = tempDir('hephy-cli-history-');
    // The plan as `plan --json` writes it, for one Kaniko app on two platforms.
    const repo = tempRepo({
      'api/build-config.yaml': 'build_backend: kaniko\nplatforms: [linux/amd64, linux/arm64]\n',
      'api/Dockerfile': 'FROM scratch\n',
    });
    const plan = JSON.parse((await cli(['plan', '--root', repo.root, '--json'])).stdout);
    expect(plan.matrix.include.map((l: { id: string }) => l.id)).toEqual(['api--linux-amd64', 'api--linux-arm64']);
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
    // Three earlier runs of each leg (a day apart, about 2 minutes each, 30 MiB), then this run:
    // arm64 is 3 minutes slower than the slowest of them, amd64 is 5 MiB bigger.
    mkdirSync(join(dir, 'earlier'));
    for (const day of [1, 2, 3])
      for (const platform of ['linux/amd64', 'linux/arm64']) {
        const r = leg({ image: 'api', platform, startAt: -day * 86_400_000, build: 117_000 + day * 1000 });
        writeFileSync(join(dir, 'earlier', `${day}-${r.legId}.json`), JSON.stringify(r));
      }
    mkdirSync(join(dir, 'records'));
    const now = [
      leg({ image: 'api', platform: 'linux/amd64', build: 118_000, size: 35 * 1024 * 1024 }),
      leg({ image: 'api', platform: 'linux/arm64', build: 300_000 }),
    ];
    for (const r of now) writeFileSync(join(dir, 'records', `${r.legId}.json`), JSON.stringify(r));
    const args = ['merge', '--plan', 'plan.json', '--records', 'records', '--registry', '127.0.0.1:9', '--dry-run'];
    const r = await cli([...args, '--history', 'earlier', '--summary', 's.md', '--comment', 'c.md', '--save-history', 'h.json'], dir);
    noStack(r.stderr);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Findings:\n  api is bigger: linux/amd64 +5.0 MiB (+17%) to 35.0 MiB.\n');
    expect(r.stdout).toMatch(
      /\n {2}api linux\/arm64 is slower: 5m 03s, \+3m 02s \(\+150%\) vs its newest record; outside its range 2m 01s–2m 03s over 3 default-branch runs\./,
    );
    const comment = readFileSync(join(dir, 'c.md'), 'utf8');
    expect(comment).toBe(readFileSync(join(dir, 's.md'), 'utf8'));
    expect(comment).toContain('## hephy-builder: 1 bigger · 1 slower');
    // This run's legs joined the history: 4 records each now. Unpushed legs would not have.
    const saved = JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8'));
    expect(Object.keys(saved.legs).sort()).toEqual(['api--linux-amd64', 'api--linux-arm64']);
    expect(saved.legs['api--linux-arm64']).toHaveLength(4);
    // A higher floor makes the slowdown noise.
    const lenient = await cli([...args, '--history', 'h.json', '--time-floor', '10m'], dir);
    expect(lenient.stdout).not.toContain('is slower');

    const bad = await cli([...args, '--time-floor', '30 seconds'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('hephy-builder: time-floor: expected a duration such as 30s, 1m30s or 500ms, got `30 seconds`');
    const missing = await cli([...args, '--history', 'nowhere'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`hephy-builder: --history: ${join(dir, 'nowhere')}: no such file or directory`);
    noStack(missing.stderr);
  });

  it('checks --label and --annotation of build and run before any work, one line, exit 1', async () => {
    for (const command of ['build', 'run']) {
      const help = await cli([command, '--help']);
      expect(help.stdout).toContain('--label KEY=VALUE');
      expect(help.stdout).toContain('--annotation KEY=VALUE');
      const bad = await cli([command, '--root', tempDir('hephy-cli-meta-'), '--label', 'com.example.a=1', '--label', 'novalue']);
      expect([bad.code, bad.stderr.trim()]).toEqual([1, expect.stringMatching(/^.*--label: expected KEY=VALUE, got `novalue`$/)]);
      const reserved = await cli([command, '--annotation=org.opencontainers.image.created=2020']);
      expect(reserved.code).toBe(1);
      expect(reserved.stderr).toContain('--annotation: org.opencontainers.image.created is set by hephy-builder');
      noStack(bad.stderr + reserved.stderr);
    }
  });

  it('runs from the package bin like npx does', () => {
    const r = spawnSync('npx', ['--no-install', 'hephy-builder', 'detect', 'examples/buildkit-cache'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^buildkit: Dockerfile line \d+ uses RUN --mount/);
  });
});
