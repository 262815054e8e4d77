// Runs the committed action bundle the way a runner does: inputs as INPUT_* variables, outputs,
// summary and event through the files GitHub names in GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
// GITHUB_EVENT_PATH. No artifact service here, so nothing is uploaded.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bundle = resolve('dist/action/index.js');

function runAction(inputs: Record<string, string>, event: { name: string; payload: object }, workspace: string) {
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
    const r = runAction({ command: 'plan', root: '.' }, { name: 'workflow_dispatch', payload: { inputs: { dirs: '' } } }, repo);
    expect(r.code).toBe(0);
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
});
