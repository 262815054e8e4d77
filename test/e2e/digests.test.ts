// Selection by input digest with `hephy-builder run` against the e2e registry (issue 10): a run
// with nothing changed builds no leg and keeps every index digest; a change to one app rebuilds
// only it; a base image re-pushed under the same tag rebuilds the apps on it and no other; two
// commits that no run built are both built by the next run; a forced rebuild of the same commit
// from a cold BuildKit cache keeps the ko and BuildKit digests. Real ko, BuildKit, Kaniko (podman),
// imagetools and registry; what was built is read from the run's output and the registry.
import { randomBytes } from 'node:crypto';
import { resolveBuildxCommand } from '../../src/tools/buildx.js';
import { run } from '../../src/tools/exec.js';
import { toolEnv } from '../../src/tools/paths.js';
import { tempRepo } from '../helpers/gitRepo.js';
import { runCli, services, tagDigest, tempDir } from './harness.js';

const RUN_TIMEOUT_MS = 15 * 60 * 1000;

describe('run selects by input digest (e2e)', () => {
  const svc = services();
  const prefix = `digests-${randomBytes(4).toString('hex')}`;
  const myBase = `${svc.registry}/${prefix}/mybase:1`;
  const repo = tempRepo({
    'web/build-config.yaml':
      'build_backend: kaniko\nplatforms: [linux/amd64]\nbuild_args: ["BASE=${MY_BASE}"]\nadditional_tags: [latest]\n',
    'web/Dockerfile': 'ARG BASE\nFROM ${BASE}\nCOPY hello.txt /hello.txt\n',
    'web/hello.txt': 'web 1\n',
    'other/build-config.yaml':
      'build_backend: buildkit\nplatforms: [linux/amd64]\nbuild_args: ["BASE=${BASE_IMAGE}"]\nadditional_tags: [latest]\n',
    'other/Dockerfile': 'ARG BASE\nFROM ${BASE}\nCOPY hello.txt /hello.txt\n',
    'other/hello.txt': 'other 1\n',
    'api/build-config.yaml': 'build_backend: ko\nplatforms: [linux/amd64]\nadditional_tags: [latest]\n',
    'api/go.mod': 'module example.com/api\n\ngo 1.22\n',
    'api/cmd/api/main.go': 'package main\n\nfunc main() { println("api 1") }\n',
  });
  const env = toolEnv();
  const outDir = tempDir('digests-out');
  let first: Record<string, string | undefined>;

  beforeAll(async () => {
    await run('crane', ['copy', '--insecure', svc.busybox, myBase], { env });
    repo.commit('first');
  }, RUN_TIMEOUT_MS);
  afterAll(() => {
    repo.remove();
  });

  /** One `run`; the legs it built, its wall time. */
  const runOnce = async (extra: string[] = []) => {
    const started = Date.now();
    const result = await runCli([
      'run',
      '--root',
      repo.root,
      '--registry',
      svc.registry,
      '--image-prefix',
      prefix,
      '--out',
      outDir,
      // ${MY_BASE} expands only from what is passed on purpose (issue 8), never from the shell.
      '--build-env',
      `MY_BASE=${myBase}`,
      ...extra,
    ]);
    const ms = Date.now() - started;
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const built = [...result.stdout.matchAll(/^ {2}\[([a-z0-9.-]+--[a-z0-9-]+)\] .*: started$/gm)].map((m) => m[1]).sort();
    return { built, ms, stdout: result.stdout };
  };
  const latest = async () =>
    Object.fromEntries(
      await Promise.all(['web', 'other', 'api'].map(async (i) => [i, await tagDigest(`${svc.registry}/${prefix}/${i}:latest`)])),
    );

  it(
    'builds everything once, then nothing when nothing changed, keeping every index digest',
    async () => {
      const one = await runOnce();
      expect(one.built).toEqual(['api--linux-amd64', 'other--linux-amd64', 'web--linux-amd64']);
      first = await latest();
      const two = await runOnce();
      expect(two.built).toEqual([]);
      expect(two.stdout).toContain('Unchanged (inputs already published; re-tagged, not built):');
      expect(await latest()).toEqual(first);
      process.stdout.write(`digests e2e: first run ${one.ms} ms, no-change run ${two.ms} ms (${((100 * two.ms) / one.ms).toFixed(0)} %)\n`);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'builds everything with --force-rebuild from a cold BuildKit cache, and the same commit gives the same ko and BuildKit digests',
    async () => {
      // Same commit as the first run: revision and created (issue 7: the commit built and its
      // time) are the same too, so nothing but the inputs could move a digest. Emptying the
      // builder's cache makes BuildKit write every layer anew (rewrite-timestamp=true,
      // SOURCE_DATE_EPOCH). The run builds on the e2e setup's builder (HEPHY_BUILDX_BUILDER).
      const buildx = await resolveBuildxCommand(env);
      const builder = process.env.HEPHY_BUILDX_BUILDER!;
      await run(buildx[0], [...buildx.slice(1), 'prune', '--builder', builder, '--all', '--force'], { env });
      const forced = await runOnce(['--force-rebuild']);
      expect(forced.built).toEqual(['api--linux-amd64', 'other--linux-amd64', 'web--linux-amd64']);
      const now = await latest();
      expect({ api: now.api, other: now.other }).toEqual({ api: first.api, other: first.other });
      // Kaniko runs without --reproducible (src/tools/kaniko.ts says why): its config's `created`
      // is the build time, so its digest moves.
      expect(now.web).not.toBe(first.web);
      first = now;
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'rebuilds only the app that changed',
    async () => {
      repo.write({ 'web/hello.txt': 'web 2\n' });
      repo.commit('web');
      const three = await runOnce();
      expect(three.built).toEqual(['web--linux-amd64']);
      const now = await latest();
      expect(now.web).not.toBe(first.web);
      expect({ other: now.other, api: now.api }).toEqual({ other: first.other, api: first.api });
      first = now;
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'rebuilds the apps on a base image re-pushed under the same tag, and no other',
    async () => {
      await run('crane', ['copy', '--insecure', svc.staticBase, myBase], { env });
      const four = await runOnce();
      expect(four.built).toEqual(['web--linux-amd64']);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'builds both of two commits no run built',
    async () => {
      repo.write({ 'api/cmd/api/main.go': 'package main\n\nfunc main() { println("api 2") }\n' });
      repo.commit('api, not built');
      repo.write({ 'other/hello.txt': 'other 2\n' });
      repo.commit('other, not built');
      const five = await runOnce();
      expect(five.built).toEqual(['api--linux-amd64', 'other--linux-amd64']);
    },
    RUN_TIMEOUT_MS,
  );
});
