// The CLI's registry login is a docker config in a temporary dir: after `build` and `merge` with
// credentials, and after a `build` stopped with SIGINT mid-build, none is left. The CLI runs as
// the user runs it, the npm bin (the bundle: `npm run build` first), with its own TMPDIR so that
// what it leaves is seen. The e2e registry takes anonymous pushes; the login is written anyway.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, toolEnv } from '../../src/tools/paths.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { services, tempDir } from './harness.js';

const TIMEOUT_MS = 15 * 60 * 1000;
const BIN = join(packageRoot(), 'bin', 'hephy-builder.js');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv, onStart?: (kill: (signal: NodeJS.Signals) => void) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onStart?.((signal) => child.kill(signal));
  });
}

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('hephy-docker-config-'));

describe('the CLI leaves no temporary login behind (e2e)', () => {
  const svc = services();
  const prefix = `e2e-login-${Date.now().toString(36)}`;
  let repo: TempRepo;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  const registryArgs = () => ['--registry', svc.registry, '--image-prefix', prefix, '--insecure', '--username', 'bot'];
  const buildArgs = (record: string) => [
    'build',
    '--root',
    repo.root,
    '--image',
    'go-hello',
    '--platform',
    'linux/amd64',
    ...registryArgs(),
    '--base-image',
    svc.staticBase,
    '--record',
    record,
  ];

  beforeAll(() => {
    if (!existsSync(join(packageRoot(), 'dist', 'cli', 'index.js')))
      throw new Error('run `npm run build` first: this test runs the bundle');
    repo = tempRepo();
    cpSync(join(packageRoot(), 'examples', 'go-hello'), join(repo.root, 'go-hello'), { recursive: true });
    repo.commit('go-hello');
    tmp = tempDir('login-tmp');
    env = { ...toolEnv(), HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER!, TMPDIR: tmp, HEPHY_REGISTRY_PASSWORD: 'hunter2-e2e' };
  });
  afterAll(() => repo?.remove());

  it(
    'build and merge with a login leave no hephy-docker-config-* dir',
    async () => {
      const records = tempDir('login-records');
      const built = await cli(buildArgs(join(records, 'go-hello--linux-amd64.json')), env);
      expect(built.stderr).not.toContain('hunter2-e2e');
      // The stderr is in the comparison so that a failed build says why.
      expect([built.code, built.code === 0 ? '' : built.stderr, leftovers(tmp)]).toEqual([0, '', []]);

      const plan = await cli(['plan', '--root', repo.root, '--json'], env);
      const planFile = join(tempDir('login-plan'), 'plan.json');
      writeFileSync(planFile, plan.stdout);
      const plannedLegs = (JSON.parse(plan.stdout) as { matrix: { include: unknown[] } }).matrix.include.length;
      const merged = await cli(['merge', '--plan', planFile, '--records', records, ...registryArgs()], env);
      // go-hello's other platform was not built, so the merge fails that image; it still logged in.
      expect(merged.stderr + merged.stdout).toMatch(/go-hello/);
      expect(plannedLegs).toBeGreaterThan(0);
      expect(leftovers(tmp)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'a build stopped with SIGINT mid-build removes its login and dies of SIGINT',
    async () => {
      let sawLogin = false;
      const exit = await cli(buildArgs(join(tempDir('login-int'), 'record.json')), { ...env, GOFLAGS: '-a' }, (kill) => {
        const poll = setInterval(() => {
          if (leftovers(tmp).length === 0) return;
          sawLogin = true;
          clearInterval(poll);
          // Let the build start, then interrupt it as Ctrl-C would.
          setTimeout(() => kill('SIGINT'), 1500);
        }, 20);
      });
      expect(sawLogin).toBe(true);
      expect(exit.signal).toBe('SIGINT');
      expect(leftovers(tmp)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
