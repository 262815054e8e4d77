import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { detectBackend } from '../../src/core/detect.js';
import { UserError } from '../../src/core/problem.js';
import {
  ARM64_NOTE,
  CALLER_WORKFLOW_PATH,
  checkGenerated,
  defaultBranch,
  initRepo,
  PROJECT_WORKFLOWS,
  renderCallerWorkflow,
  renderCiWorkflow,
  renderReusableWorkflow,
  writeFileAtomic,
  writeGenerated,
} from '../../src/generator/index.js';
import { isIgnored as isIgnoredByGit } from '../../src/tools/git.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tempDirs: string[] = [];
function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hephy-gen-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
const write = (root: string, path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

describe("this repository's generated workflows", () => {
  // UPDATE=1 rewrites them; otherwise they must equal what the sources render.
  if (process.env.UPDATE === '1') writeGenerated(REPO_ROOT, { project: true });

  it.each(PROJECT_WORKFLOWS.map((w) => [w.path, w.render] as const))('%s is up to date (UPDATE=1 regenerates it)', (path, render) => {
    expect(read(REPO_ROOT, path)).toBe(render());
  });

  it('passes generate --check', () => {
    const result = checkGenerated(REPO_ROOT);
    expect(result.diff).toBe('');
    expect(result.checked).toEqual(expect.arrayContaining(['.github/workflows/build.yml', '.github/workflows/ci.yml']));
    expect(result.ok).toBe(true);
  });
});

describe('initRepo', () => {
  it('writes the caller workflow, and leaves an identical one alone', async () => {
    const root = tempRepo();
    const first = await initRepo(root);
    expect(first.files).toEqual([{ path: CALLER_WORKFLOW_PATH, status: 'created' }]);
    expect(read(root, CALLER_WORKFLOW_PATH)).toBe(renderCallerWorkflow());
    const again = await initRepo(root);
    expect(again.files).toEqual([{ path: CALLER_WORKFLOW_PATH, status: 'unchanged' }]);
  });

  it('refuses to replace a different workflow without force, and replaces it with force', async () => {
    const root = tempRepo();
    write(root, CALLER_WORKFLOW_PATH, 'name: mine\n');
    await expect(initRepo(root)).rejects.toThrow(UserError);
    await expect(initRepo(root)).rejects.toThrow(/already exists and differs.*--force/s);
    expect(read(root, CALLER_WORKFLOW_PATH)).toBe('name: mine\n');
    const forced = await initRepo(root, { force: true });
    expect(forced.files[0].status).toBe('overwritten');
    expect(read(root, CALLER_WORKFLOW_PATH)).toBe(renderCallerWorkflow());
  });

  it('passes the workflow options on, and uses the default branch of the clone', async () => {
    const root = tempRepo();
    write(root, '.git/refs/remotes/origin/HEAD', 'ref: refs/remotes/origin/trunk\n');
    await initRepo(root, { workflow: { registry: 'registry.example.com' } });
    const doc = parse(read(root, CALLER_WORKFLOW_PATH));
    expect(doc.on.push.branches).toEqual(['trunk']);
    expect(doc.jobs.images.with.registry).toBe('registry.example.com');
  });

  it('writes a starter build-config.yaml for a detected app when the repository has none', async () => {
    const root = tempRepo();
    const seen: string[] = [];
    const result = await initRepo(root, {
      detect: async (dir) => {
        seen.push(dir);
        return { backend: 'ko', reason: 'go.mod and cmd/ found' };
      },
    });
    expect(seen).toEqual([root]);
    expect(result.files.map((f) => f.path)).toEqual([CALLER_WORKFLOW_PATH, 'build-config.yaml']);
    expect(read(root, 'build-config.yaml')).toContain('build_backend: ko');
    expect(result.notes.join('\n')).toContain('go.mod and cmd/ found');
  });

  it('writes a starter config in each app dir of a monorepo that has none, at any depth, listing what it skipped', async () => {
    const root = tempRepo();
    for (const dir of ['curl', 'images/base/alpine', 'docs', 'node_modules/x', '.devcontainer', 'examples/demo', 'tools/go-lib'])
      write(root, `${dir}/Dockerfile`, 'FROM scratch\n');
    write(root, 'docs/README', 'x\n');
    write(root, '.hephyignore', 'examples/\n');
    const asked: string[] = [];
    const detect = (dir: string, shownDir: string) => {
      asked.push(shownDir);
      expect(dir).toBe(shownDir === '.' ? root : join(root, shownDir));
      return /^(curl|images\/base\/alpine)$/.test(shownDir)
        ? { backend: 'kaniko' as const, reason: `${shownDir}/Dockerfile found` }
        : undefined;
    };
    const result = await initRepo(root, { detect });
    expect(asked).toEqual(['.', 'curl', 'docs', 'images/base/alpine', 'tools/go-lib']);
    expect(result.files.map((f) => f.path)).toEqual([
      CALLER_WORKFLOW_PATH,
      'curl/build-config.yaml',
      'images/base/alpine/build-config.yaml',
    ]);
    expect(read(root, 'images/base/alpine/build-config.yaml')).toContain('build_backend: kaniko');
    expect(result.notes).toEqual(
      expect.arrayContaining([
        'no build-config.yaml yet: wrote a starter curl/build-config.yaml (curl/Dockerfile found)',
        'no build-config.yaml yet: wrote a starter images/base/alpine/build-config.yaml (images/base/alpine/Dockerfile found)',
        'skipped .devcontainer: inside the hidden directory .devcontainer/',
        'skipped docs: no backend can build it as it is (run `hephy-builder detect docs`)',
        'skipped examples/demo: excluded by .hephyignore:1 (examples/)',
      ]),
    );
    expect(result.notes.join('\n')).not.toContain('node_modules');
  });

  // The real detection, as the CLI runs it: reasons name paths relative to the root, so no local
  // absolute path ends up in a file that gets committed.
  it("never writes an absolute path, and lists a multi-stage Dockerfile's stages instead of picking one", async () => {
    const root = tempRepo();
    write(root, 'svc/go.mod', 'module example.com/svc\n\ngo 1.22\n');
    write(root, 'svc/cmd/svc/main.go', 'package main\n\nfunc main() {}\n');
    write(root, 'svc/Dockerfile', 'FROM scratch\n');
    write(root, 'web/Dockerfile', 'FROM scratch AS build\nFROM scratch AS runtime\nFROM scratch\nFROM runtime AS dev\n');
    const result = await initRepo(root, {
      detect: (dir, shownDir) => {
        const found = detectBackend(dir, undefined, undefined, { displayDir: shownDir, root });
        return found.backend ? { backend: found.backend, reason: found.reason } : undefined;
      },
    });
    expect(result.files.map((f) => f.path)).toEqual([CALLER_WORKFLOW_PATH, 'svc/build-config.yaml', 'web/build-config.yaml']);
    for (const path of ['svc/build-config.yaml', 'web/build-config.yaml']) expect(read(root, path)).not.toContain(root);
    expect(read(root, 'svc/build-config.yaml')).toContain('svc/Dockerfile is ignored');
    const web = read(root, 'web/build-config.yaml');
    expect(web).toContain(
      [
        '# The Dockerfile has 4 stages: build, runtime, (unnamed, line 3), dev.',
        '# Without target the last one, dev, is built; set target to the stage this image ships:',
        '# target: runtime',
      ].join('\n'),
    );
    expect(parse(web).target).toBeUndefined();
    expect(result.notes).toContain(
      'web/build-config.yaml: the Dockerfile has 4 stages; without target the last one (dev) is built: set target if another stage is the image',
    );
  });

  it('writes no starter config when any build-config.yaml exists, or when nothing is detected', async () => {
    const withConfig = tempRepo();
    write(withConfig, 'images/curl/build-config.yaml', 'build_backend: kaniko\n');
    const detect = () => ({ backend: 'kaniko' as const, reason: 'Dockerfile found' });
    const a = await initRepo(withConfig, { detect });
    expect(a.files.map((f) => f.path)).toEqual([CALLER_WORKFLOW_PATH]);

    const empty = tempRepo();
    const b = await initRepo(empty, { detect: () => undefined });
    expect(b.files.map((f) => f.path)).toEqual([CALLER_WORKFLOW_PATH]);
    expect(b.notes.join('\n')).toMatch(/no app detected/);
  });

  it('finds the configs the plan finds: in hidden and deep dirs, and not those git ignores', async () => {
    const detect = () => ({ backend: 'kaniko' as const, reason: 'Dockerfile found' });
    const hidden = tempRepo();
    write(hidden, '.deploy/api/build-config.yaml', 'build_backend: kaniko\n');
    write(hidden, 'a/b/c/d/e/f/g/deep/build-config.yaml', 'build_backend: kaniko\n');
    expect((await initRepo(hidden, { detect })).files.map((f) => f.path)).toEqual([CALLER_WORKFLOW_PATH]);

    // Only an ignored copy of a config: the plan would build nothing, so init writes starters, and
    // none in the ignored directory.
    const ignoredOnly = tempRepo();
    write(ignoredOnly, '.gitignore', 'dist/\n');
    write(ignoredOnly, 'dist/api/build-config.yaml', 'build_backend: kaniko\n');
    write(ignoredOnly, 'api/Dockerfile', 'FROM scratch\n');
    execFileSync('git', ['init', '-q'], { cwd: ignoredOnly });
    const isIgnored = (paths: string[]) => isIgnoredByGit(ignoredOnly, paths);
    const seen: string[] = [];
    const result = await initRepo(ignoredOnly, {
      isIgnored,
      detect: (dir) => (seen.push(dir.slice(ignoredOnly.length + 1)), dir.endsWith('/api') || dir.endsWith('/dist') ? detect() : undefined),
    });
    expect(result.files.map((f) => f.path)).toEqual([CALLER_WORKFLOW_PATH, 'api/build-config.yaml']);
    expect(seen).toEqual(['', 'api']);
  });

  // GitHub's arm64 hosted runners are free for public repositories only (README: arm64 in a
  // private repository): init says so while linux/arm64 maps to one, and takes a runner map.
  it('says how to map arm64 for a private repository, and writes the runner map it is given', async () => {
    const root = tempRepo();
    expect((await initRepo(root)).notes).toContain(ARM64_NOTE);
    expect(ARM64_NOTE).toMatch(/ubuntu-24\.04-arm, which GitHub offers free to public repositories only/);
    const runners = '{"linux/arm64": ["self-hosted", "ARM64"]}';
    const mapped = await initRepo(root, { force: true, workflow: { runners } });
    expect(mapped.notes).not.toContain(ARM64_NOTE);
    expect(parse(read(root, CALLER_WORKFLOW_PATH)).jobs.images.with.runners).toBe(runners);
    await expect(initRepo(root, { force: true, workflow: { runners: 'linux/arm64: [self hosted]' } })).rejects.toThrow(
      /is not a runner label/,
    );
  });

  it('rejects bad options before writing anything', async () => {
    const root = tempRepo();
    await expect(initRepo(root, { workflow: { cron: 'weekly' } })).rejects.toThrow(/cron `weekly` is not valid/);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('defaultBranch', () => {
  it('prefers the remote default, then main/master checked out, else main', () => {
    const root = tempRepo();
    expect(defaultBranch(root)).toBe('main');
    write(root, '.git/HEAD', 'ref: refs/heads/feature/x\n');
    expect(defaultBranch(root)).toBe('main');
    write(root, '.git/HEAD', 'ref: refs/heads/master\n');
    expect(defaultBranch(root)).toBe('master');
    write(root, '.git/refs/remotes/origin/HEAD', 'ref: refs/remotes/origin/develop\n');
    expect(defaultBranch(root)).toBe('develop');
  });
});

describe('checkGenerated and writeGenerated', () => {
  it('reports a hand-edited workflow with a diff, and write restores it', async () => {
    const root = tempRepo();
    await initRepo(root, { workflow: { branch: 'trunk' } });
    expect(checkGenerated(root)).toEqual({ ok: true, diff: '', checked: [CALLER_WORKFLOW_PATH] });

    const edited = read(root, CALLER_WORKFLOW_PATH).replace('cron: 23 4 * * 1', 'cron: 0 0 * * *');
    write(root, CALLER_WORKFLOW_PATH, edited);
    const check = checkGenerated(root);
    expect(check.ok).toBe(false);
    expect(check.diff).toContain(`--- a/${CALLER_WORKFLOW_PATH}`);
    expect(check.diff).toContain('-    - cron: 0 0 * * *');
    expect(check.diff).toContain('+    - cron: 23 4 * * 1');

    expect(writeGenerated(root)).toEqual([{ path: CALLER_WORKFLOW_PATH, status: 'overwritten' }]);
    // Regenerated from the options in its marker line: still on trunk.
    expect(read(root, CALLER_WORKFLOW_PATH)).toBe(renderCallerWorkflow({ branch: 'trunk' }));
    expect(checkGenerated(root).ok).toBe(true);
  });

  it('applies changed options from the marker line', async () => {
    const root = tempRepo();
    await initRepo(root);
    const text = read(root, CALLER_WORKFLOW_PATH).replace(
      '# hephy-builder-generated: caller',
      '# hephy-builder-generated: caller {"registry":"registry.example.com"}',
    );
    write(root, CALLER_WORKFLOW_PATH, text);
    expect(checkGenerated(root).ok).toBe(false);
    writeGenerated(root);
    expect(read(root, CALLER_WORKFLOW_PATH)).toBe(renderCallerWorkflow({ registry: 'registry.example.com' }));
  });

  it('explains a marker it cannot read instead of throwing', () => {
    const root = tempRepo();
    write(root, '.github/workflows/x.yml', '# hephy-builder-generated: caller {not json\nname: x\n');
    write(root, '.github/workflows/y.yml', '# hephy-builder-generated: caller {"colour":"blue"}\nname: y\n');
    const result = checkGenerated(root);
    expect(result.ok).toBe(false);
    expect(result.diff).toContain('.github/workflows/x.yml: the options after `hephy-builder-generated: caller` are not valid JSON');
    expect(result.diff).toContain('.github/workflows/y.yml: unknown workflow option `colour`');
  });

  it('ignores workflows it did not generate, and accepts CRLF line endings', () => {
    const root = tempRepo();
    write(root, '.github/workflows/other.yml', 'name: other\non: push\n');
    write(root, '.github/workflows/build.yml', renderReusableWorkflow().replace(/\n/g, '\r\n'));
    expect(checkGenerated(root)).toEqual({ ok: true, diff: '', checked: ['.github/workflows/build.yml'] });
  });

  it('writes the project workflows when asked, keeping the local variant where it is', () => {
    const root = tempRepo();
    write(root, '.github/workflows/act.yml', renderReusableWorkflow({ variant: 'local' }));
    const written = writeGenerated(root, { project: true });
    expect(written).toEqual([
      { path: '.github/workflows/act.yml', status: 'unchanged' },
      { path: '.github/workflows/build.yml', status: 'created' },
      { path: '.github/workflows/ci.yml', status: 'created' },
    ]);
    expect(read(root, '.github/workflows/ci.yml')).toBe(renderCiWorkflow());
  });
});

describe('writeFileAtomic', () => {
  it('creates parent directories and leaves no temporary file behind', () => {
    const root = tempRepo();
    writeFileAtomic(join(root, 'a', 'b', 'c.txt'), 'one');
    writeFileAtomic(join(root, 'a', 'b', 'c.txt'), 'two');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['c.txt']);
    expect(read(root, 'a/b/c.txt')).toBe('two');
  });

  it('leaves the old file intact when the write fails', () => {
    const root = tempRepo();
    writeFileAtomic(join(root, 'f.txt'), 'old');
    // A directory where the file should go makes the rename fail.
    mkdirSync(join(root, 'd'));
    expect(() => writeFileAtomic(join(root, 'd'), 'new')).toThrow();
    expect(readdirSync(root).sort()).toEqual(['d', 'f.txt']);
    expect(read(root, 'f.txt')).toBe('old');
  });
});
