// actionlint (the pinned version) must find nothing in any workflow we generate. The local variants
// are linted next to our own action.yml, so actionlint also checks every `with:` key against the
// action's inputs and the caller's inputs and secrets against the reusable workflow.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReusableWorkflow } from '../../src/generator/index.js';
import { allRenderedWorkflows } from './renderedWorkflows.js';
import { ACTIONLINT_VERSION, findActionlint } from '../helpers/actionlint.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function lint(binary: string, dir: string): { code: number | null; output: string } {
  const r = spawnSync(binary, ['-no-color', '-oneline'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** A git repository holding our action.yml and the given workflows. */
function fixtureRepo(workflows: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hephy-actionlint-'));
  mkdirSync(join(dir, '.git')); // actionlint finds the project root by its .git directory
  copyFileSync(join(REPO_ROOT, 'action.yml'), join(dir, 'action.yml'));
  // actionlint checks that the action's entry point exists; the bundle itself is not needed.
  mkdirSync(join(dir, 'dist', 'action'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'action', 'index.js'), '');
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  for (const [name, text] of Object.entries(workflows)) writeFileSync(join(dir, '.github', 'workflows', name), text);
  return dir;
}

describe('actionlint', () => {
  const binary = findActionlint();
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it(`is version ${ACTIONLINT_VERSION}`, () => {
    const r = spawnSync(binary, ['-version'], { encoding: 'utf8' });
    expect(r.stdout.split('\n')[0]).toBe(`v${ACTIONLINT_VERSION}`);
  });

  it('finds no problem in any generated workflow', () => {
    const workflows = Object.fromEntries(allRenderedWorkflows().map((w) => [w.name, w.text]));
    // The local caller calls ./.github/workflows/build.yml: make that the local reusable workflow.
    workflows['build.yml'] = renderReusableWorkflow({ variant: 'local' });
    const dir = fixtureRepo(workflows);
    dirs.push(dir);
    const { code, output } = lint(binary, dir);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('runs shellcheck on run scripts (install shellcheck when this fails)', () => {
    const dir = fixtureRepo({
      'sh.yml':
        'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    timeout-minutes: 5\n    steps:\n      - run: echo $FOO\n',
    });
    dirs.push(dir);
    expect(lint(binary, dir).output).toContain('SC2086');
  });

  it('reports an input our action does not have (so the check above can fail)', () => {
    const broken = renderReusableWorkflow({ variant: 'local' }).replace('command: merge', 'command: merge\n          no-such-input: x');
    const dir = fixtureRepo({ 'build.yml': broken });
    dirs.push(dir);
    const { code, output } = lint(binary, dir);
    expect(output).toContain('no-such-input');
    expect(code).not.toBe(0);
  });
});
