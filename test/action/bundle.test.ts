// Runs the committed action bundle the way a runner does: inputs as INPUT_* variables, outputs,
// summary and event through the files GitHub names in GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
// GITHUB_EVENT_PATH. No artifact service here, so nothing is uploaded.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bundle = resolve('dist/action/index.js');

function runAction(
  inputs: Record<string, string>,
  event: { name: string; payload: object; env?: Record<string, string> },
  workspace: string,
) {
  const dir = mkdtempSync(join(tmpdir(), 'hephy-action-'));
  const files = { output: join(dir, 'output'), summary: join(dir, 'summary'), event: join(dir, 'event.json') };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.event, JSON.stringify(event.payload));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    ...event.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = spawnSync('node', [bundle], { cwd: workspace, env, encoding: 'utf8' });
  const outputs: Record<string, string> = {};
  // GITHUB_OUTPUT uses the heredoc form: name<<DELIM\nvalue\nDELIM
  const text = readFileSync(files.output, 'utf8');
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
  const summary = readFileSync(files.summary, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { code: result.status, stdout: result.stdout, outputs, summary };
}

function repoWithExamples(): string {
  const repo = mkdtempSync(join(tmpdir(), 'hephy-action-repo-'));
  // Without examples/spin-go/node_modules: its build tools are not what a plan reads.
  cpSync('examples', repo, { recursive: true, filter: (source) => !source.split('/').includes('node_modules') });
  spawnSync('git', ['init', '-q'], { cwd: repo });
  return repo;
}

describe('action bundle, run as a runner runs it', () => {
  it('plans: matrix, images and has-work outputs, a job summary', () => {
    const repo = repoWithExamples();
    // The examples' build_args read ${BASE_IMAGE}: a caller passes it on purpose, as build-env.
    const r = runAction(
      { command: 'plan', root: '.', 'build-env': 'BASE_IMAGE' },
      { name: 'workflow_dispatch', payload: { inputs: { dirs: '' } } },
      repo,
    );
    expect([r.code, r.code ? r.stdout : '']).toEqual([0, '']);
    const matrix = JSON.parse(r.outputs.matrix);
    const ids = matrix.include.map((l: { id: string }) => l.id);
    expect(ids).toContain('go-hello--linux-arm64');
    expect(matrix.include.find((l: { id: string }) => l.id === 'go-hello--linux-arm64').runner).toBe('ubuntu-24.04-arm');
    expect(ids).toContain('spin-hello--wasi-wasm32');
    expect(r.outputs['has-work']).toBe('true');
    expect(JSON.parse(r.outputs.images).map((i: { image: string }) => i.image)).toContain('kaniko-app');
    expect(r.summary).toContain('## hephy-builder plan');
    expect(r.summary).toContain('Dockerfile line 5 uses RUN --mount');
  });

  it('plans the dispatched dirs only, and nothing to build is has-work=false', () => {
    const repo = repoWithExamples();
    const one = runAction({ command: 'plan' }, { name: 'workflow_dispatch', payload: { inputs: { dirs: 'go-hello' } } }, repo);
    expect(JSON.parse(one.outputs.matrix).include).toHaveLength(2);
    writeFileSync(join(repo, 'empty-list.txt'), '# nothing this week\n');
    const none = runAction({ command: 'plan', 'rebuild-list': 'empty-list.txt' }, { name: 'schedule', payload: {} }, repo);
    expect(none.code).toBe(0);
    expect(none.outputs['has-work']).toBe('false');
    expect(none.summary).toContain('Nothing to build');
  });

  it('turns a config error into an annotation on its file and line, and fails', () => {
    const repo = repoWithExamples();
    writeFileSync(join(repo, 'go-hello', 'build-config.yaml'), 'build_backnd: ko\n');
    const r = runAction({ command: 'plan' }, { name: 'push', payload: { before: '0'.repeat(40) } }, repo);
    expect(r.code).not.toBe(0);
    const annotation = r.stdout.split('\n').find((line) => line.startsWith('::error ') && line.includes('file=go-hello/build-config.yaml'));
    expect(annotation).toContain('line=1,col=1');
    expect(annotation).toContain('::build_backnd: unknown key `build_backnd` (did you mean `build_backend`?)');
    expect(r.stdout).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown command and a bad leg without a stack trace', () => {
    const repo = repoWithExamples();
    const bad = runAction({ command: 'deploy' }, { name: 'push', payload: {} }, repo);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain('unknown command `deploy`');
    const leg = runAction({ command: 'build', leg: '{"id":1}', registry: '127.0.0.1:1' }, { name: 'push', payload: {} }, repo);
    expect(leg.code).not.toBe(0);
    expect(leg.stdout).toMatch(/input leg: not a valid leg: id: /);
    expect(leg.stdout).not.toMatch(/\n\s+at /);
  });

  describe('tags by event: images[].tags as the runner decides them', () => {
    const SHA = '0123456789abcdef0123456789abcdef01234567';
    const HEAD = 'fedcba9876543210fedcba9876543210fedcba98';
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const repo = repoWithExamples();
    const plan = (name: string, ref: string, payload: object = {}, inputs: Record<string, string> = {}) => {
      const r = runAction(
        { command: 'plan', dirs: 'go-hello', registry: 'registry.example', ...inputs },
        {
          name,
          payload: { repository: { default_branch: 'main' }, ...payload },
          env: { GITHUB_REF: ref, GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'Octo/Shop', GITHUB_REPOSITORY_OWNER: 'Octo' },
        },
        repo,
      );
      expect(r.stdout).not.toMatch(/::error/);
      const image = JSON.parse(r.outputs.images)[0];
      return {
        tags: (image.tags as string[]).map((t) => t.replace('registry.example/octo/shop/go-hello:', '')),
        stdout: r.stdout,
        summary: r.summary,
      };
    };
    const pr = (number: number, headRepo: string) => ({
      pull_request: { number, head: { sha: HEAD, repo: { full_name: headRepo } }, base: { sha: SHA, ref: 'main' } },
    });

    it.each([
      ['push', 'refs/heads/main', [today, '0123456', 'latest']],
      ['schedule', 'refs/heads/main', [today, '0123456', 'latest']],
      ['workflow_dispatch', 'refs/heads/main', [today, '0123456', 'latest']],
      ['push', 'refs/tags/v1.2.3', ['1.2.3', '1.2', '1', 'latest']],
      ['push', 'refs/tags/v0.4.1', ['0.4.1', '0.4', 'latest']],
      ['push', 'refs/tags/v2.0.0-rc.1', ['2.0.0-rc.1']],
      ['push', 'refs/heads/feature/x-y', ['feature-x-y', 'feature-x-y-0123456']],
      ['workflow_dispatch', 'refs/heads/dev', ['dev', 'dev-0123456']],
    ])('%s on %s', (name, ref, expected) => {
      // go-hello's build-config.yaml has additional_tags: [latest].
      expect(plan(name, ref).tags).toEqual(expected);
    });

    it('a pull request from this repository: pr-N and pr-N-{head sha7} only, listed in the plan summary', () => {
      const r = plan('pull_request', 'refs/pull/3/merge', pr(3, 'Octo/Shop'));
      expect(r.tags).toEqual(['pr-3', 'pr-3-fedcba9']);
      expect(r.summary).toContain('For pull request #3 (head fedcba9):');
      expect(r.summary).toContain('`registry.example/octo/shop/go-hello:pr-3`');
    });

    it('a fork pull request and pull_request_target plan no push', () => {
      expect(plan('pull_request', 'refs/pull/4/merge', pr(4, 'mallory/shop')).summary).toContain(
        'nothing is pushed: the pull request comes from the fork mallory/shop',
      );
      expect(plan('pull_request_target', 'refs/heads/main', pr(5, 'Octo/Shop')).summary).toContain(
        'nothing is pushed: pull_request_target runs are treated as pull requests from a fork',
      );
    });

    it('the tags input replaces the table; a bad rule fails the plan with its line', () => {
      expect(plan('push', 'refs/heads/main', {}, { tags: 'type=ref,event=branch\ntype=sha,prefix=' }).tags).toEqual([
        'main',
        'latest',
        '0123456',
      ]);
      const bad = runAction(
        { command: 'plan', tags: 'type=ref,event=branch\ntype=bogus' },
        { name: 'push', payload: {}, env: { GITHUB_REF: 'refs/heads/main' } },
        repo,
      );
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toContain('input tags line 2: `type=bogus`: Unknown tag type attribute: bogus');
    });
  });
});
