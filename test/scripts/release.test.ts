// scripts/release.sh on a scratch repository holding the reusable workflow as main has it: the
// release commit's build.yml runs the action at the commit before it (the action code), nothing
// floats, `generate --check` accepts it, and the tag names the release commit. Runs the CLI
// bundle (dist/, which scripts/test.sh checks against the sources first).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReusableWorkflow } from '../../src/generator/render.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=R', '-c', 'user.email=r@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

describe('scripts/release.sh', () => {
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'hephy-release-'));
    git(repo, 'init', '-q', '-b', 'main');
    mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(repo, '.github', 'workflows', 'build.yml'), renderReusableWorkflow());
    writeFileSync(join(repo, 'action.yml'), 'name: stand-in for the action code\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'action code');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));
  const release = (version: string) =>
    spawnSync('bash', [join(ROOT, 'scripts', 'release.sh'), version], {
      cwd: repo,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'R',
        GIT_AUTHOR_EMAIL: 'r@example.com',
        GIT_COMMITTER_NAME: 'R',
        GIT_COMMITTER_EMAIL: 'r@example.com',
      },
    });

  it('pins every action step of the reusable workflow to the commit of the action code, in a release commit tagged VERSION', () => {
    const actionSha = git(repo, 'rev-parse', 'HEAD');
    expect(readFileSync(join(repo, '.github', 'workflows', 'build.yml'), 'utf8')).toContain('uses: hephy/builder@v1\n');
    const result = release('v1.4.0');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const releaseSha = git(repo, 'rev-parse', 'HEAD');
    expect(git(repo, 'rev-parse', 'HEAD^')).toBe(actionSha);
    expect(git(repo, 'rev-parse', 'v1.4.0^{commit}')).toBe(releaseSha);
    const workflow = git(repo, 'show', 'v1.4.0:.github/workflows/build.yml');
    const uses = workflow.split('\n').filter((line) => /uses: hephy\/builder@/.test(line));
    expect(uses.length).toBe(5); // plan, the three build waves (build, build-2, build-3), merge
    for (const line of uses) expect(line.trim()).toBe(`uses: hephy/builder@${actionSha} # v1.4.0`);
    expect(workflow).not.toMatch(/hephy\/builder@v1\b/);
    const check = spawnSync(process.execPath, [join(ROOT, 'bin', 'hephy-builder.js'), 'generate', '--check', '--root', repo], {
      encoding: 'utf8',
    });
    expect(check.status).toBe(0);
  });

  it('refuses a dirty tree, a bad version and an existing tag, changing nothing', () => {
    expect(release('1.4').stderr).toContain('is not a version like v1.4.0');
    writeFileSync(join(repo, 'action.yml'), 'changed\n');
    expect(release('v1.4.0').stderr).toContain('the work tree has changes');
    git(repo, 'checkout', '--', 'action.yml');
    git(repo, 'tag', 'v1.4.0');
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(release('v1.4.0').stderr).toContain('tag v1.4.0 exists');
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
  });
});
