// The CLI decides tags as the action does: GITHUB_* variables and the event payload when set,
// then --event/--ref/--sha/--pr/--branch/--tags over them; a plain local run is a push to the
// default branch. Every row of the tag table through `plan --json`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { tempDir, tempRepo } from '../helpers/gitRepo.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const HEAD = 'fedcba9876543210fedcba9876543210fedcba98';
const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  // A clean environment: the runner's own GITHUB_* must not leak into these tests.
  const code = await main(args, {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { code, stdout, stderr };
}

function repo(): { root: string; head: string } {
  const r = tempRepo();
  mkdirSync(join(r.root, 'api'));
  writeFileSync(join(r.root, 'api', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(r.root, 'api', 'build-config.yaml'), 'build_backend: kaniko\nadditional_tags: [latest]\n');
  return { root: r.root, head: r.commit('api') };
}

const tagsOf = async (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => {
  const r = await cli(['plan', '--json', ...args], cwd, env);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return JSON.parse(r.stdout).images[0].tags as string[];
};

describe('plan: tags from the flags and the runner variables', () => {
  it('a plain local run is a push to the default branch at HEAD', async () => {
    const { root, head } = repo();
    expect(await tagsOf([], root)).toEqual([today, head.slice(0, 7), 'latest']);
  });

  it('every row of the table through the flags', async () => {
    const { root } = repo();
    expect(await tagsOf(['--sha', SHA, '--event', 'schedule'], root)).toEqual([today, '0123456', 'latest']);
    expect(await tagsOf(['--ref', 'refs/tags/v1.2.3', '--sha', SHA], root)).toEqual(['1.2.3', '1.2', '1', 'latest']);
    expect(await tagsOf(['--ref', 'refs/tags/v2.0.0-rc.1', '--sha', SHA], root)).toEqual(['2.0.0-rc.1']);
    expect(await tagsOf(['--pr', '12', '--sha', HEAD], root)).toEqual(['pr-12', 'pr-12-fedcba9']);
    expect(await tagsOf(['--ref', 'refs/heads/feature/x-y', '--sha', SHA], root)).toEqual(['feature-x-y', 'feature-x-y-0123456']);
    expect(await tagsOf(['--ref', 'refs/heads/trunk', '--branch', 'trunk', '--sha', SHA], root)).toEqual([today, '0123456', 'latest']);
    expect(await tagsOf(['--ref', 'refs/heads/main', '--branch', 'trunk', '--sha', SHA], root)).toEqual(['main', 'main-0123456']);
  });

  it('full references with --registry, single-repo prefix with --tag-mode', async () => {
    const { root } = repo();
    expect(await tagsOf(['--sha', SHA, '--registry', 'registry.example:5000', '--image-prefix', 'octo/shop'], root)).toEqual([
      `registry.example:5000/octo/shop/api:${today}`,
      'registry.example:5000/octo/shop/api:0123456',
      'registry.example:5000/octo/shop/api:latest',
    ]);
    expect(await tagsOf(['--sha', SHA, '--tag-mode', 'single-repo'], root)).toEqual([`api-${today}`, 'api-0123456', 'api-latest']);
  });

  it('reads GITHUB_* and the payload as the action does; a fork pull request plans no push', async () => {
    const { root } = repo();
    const dir = tempDir('hephy-event-');
    const event = join(dir, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        pull_request: { number: 5, head: { sha: HEAD, repo: { full_name: 'mallory/shop' } } },
        repository: { default_branch: 'main' },
      }),
    );
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/5/merge',
      GITHUB_SHA: SHA,
      GITHUB_REPOSITORY: 'octo/shop',
      GITHUB_EVENT_PATH: event,
    };
    const r = await cli(['plan', '--json'], root, env);
    const plan = JSON.parse(r.stdout);
    expect(plan.images[0].tags).toEqual(['pr-5', 'pr-5-fedcba9']);
    expect(plan.publish).toMatchObject({ push: false, pushWhy: 'the pull request comes from the fork mallory/shop' });
  });

  it('--tags rules replace the table; a bad rule or flag is one line, exit 1', async () => {
    const { root } = repo();
    expect(await tagsOf(['--sha', SHA, '--ref', 'refs/heads/dev', '--tags', 'type=ref,event=branch\ntype=sha'], root)).toEqual([
      'dev',
      'sha-0123456',
    ]);
    const bad = await cli(['plan', '--tags', 'type=ref,event=branch\ntype=nope'], root);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--tags line 2: `type=nope`: Unknown tag type attribute: nope/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const ref = await cli(['plan', '--ref', 'main'], root);
    expect(ref.code).toBe(1);
    expect(ref.stderr).toMatch(/--ref: expected refs\/heads\/BRANCH/);
  });

  it('a 129-character tag fails validate at its line', async () => {
    const { root } = repo();
    writeFileSync(join(root, 'api', 'build-config.yaml'), `build_backend: kaniko\nadditional_tags:\n  - latest\n  - ${'x'.repeat(129)}\n`);
    const r = await cli(['validate', '.'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /api\/build-config.yaml:4:5: error: additional_tags\[1\]: the tag `x{129}` is 129 characters long, over the limit of 128/,
    );
  });
});
