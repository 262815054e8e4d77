// An app whose build-config.yaml names an upstream repository: the leg clones it at the ref, builds
// THAT commit (not the upstream's newest), and records the commit the ref resolved to. The
// upstream is a git repository on this machine, served by `git daemon` on 127.0.0.1 (a stand-in
// for a remote host: file:// URLs and local paths are refused, and git:// only to loopback).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlannedLeg } from '../../src/pipeline/buildPlannedLeg.js';
import { planRepository } from '../../src/pipeline/planRepository.js';
import { toolEnv } from '../../src/tools/paths.js';
import { extractFile, services, tempDir } from './harness.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** `git daemon` serving the repositories under `base` on 127.0.0.1; resolves once it answers. */
async function gitDaemon(base: string, probe: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const daemon: ChildProcess = spawn(
    'git',
    ['daemon', '--reuseaddr', '--export-all', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, base],
    {
      stdio: 'ignore',
    },
  );
  const url = `git://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('git', ['ls-remote', `${url}/${probe}`], { stdio: 'ignore' });
      return { url, stop: () => daemon.kill() };
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  daemon.kill();
  throw new Error('git daemon did not answer');
}

describe('upstream builds (a git repository served on 127.0.0.1 as the upstream)', () => {
  const daemons: { url: string; stop(): void }[] = [];
  afterAll(() => daemons.forEach((daemon) => daemon.stop()));

  it('builds the upstream at the ref and records the commit it resolved to', async () => {
    const svc = services();
    const served = tempDir('upstream-served');
    const upstream = join(served, 'upstream');
    mkdirSync(upstream);
    git(upstream, 'init', '-q', '-b', 'main');
    writeFileSync(join(upstream, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY version.txt /version.txt\n');
    writeFileSync(join(upstream, 'version.txt'), 'one\n');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-qm', 'one');
    git(upstream, 'tag', 'v1');
    const tagged = git(upstream, 'rev-parse', 'v1^{commit}');
    writeFileSync(join(upstream, 'version.txt'), 'two\n');
    git(upstream, 'commit', '-qam', 'two');
    const daemon = await gitDaemon(served, 'upstream');
    daemons.push(daemon);

    const repo = tempDir('upstream-consumer');
    git(repo, 'init', '-q');
    mkdirSync(join(repo, 'tool'));
    writeFileSync(
      join(repo, 'tool', 'build-config.yaml'),
      `upstream_repo: ${daemon.url}/upstream\nupstream_ref: v1\nbuild_backend: buildkit\nplatforms: [linux/amd64]\nbuild_args:\n  - BASE_IMAGE=\${BASE_IMAGE}\n`,
    );
    const plan = await planRepository(repo, { kind: 'all' });
    expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const [leg] = plan.matrix.include;

    const prefix = `e2e-upstream-${Date.now()}`;
    const record = await buildPlannedLeg(leg, {
      root: repo,
      cwd: repo,
      publish: { registry: svc.registry, prefix, mode: 'per-image' },
      insecure: true,
      push: true,
      env: { ...toolEnv(), HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER!, BASE_IMAGE: svc.busybox },
      secrets: [],
      cacheRoot: tempDir('upstream-cache'),
      onRunner: false,
      log: () => undefined,
    });
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('success');
    expect(record.sourceCommit).toBe(tagged);
    const file = await extractFile(`${svc.registry}/${prefix}/tool@${record.digest}`, '/version.txt', tempDir('upstream-fs'));
    expect(readFileSync(file, 'utf8')).toBe('one\n');
  });

  // The bug this guards: each leg cloned the moving branch itself, and the index paired amd64 from
  // one commit with arm64 from the next. Now the plan resolves the ref once (git ls-remote) and
  // every leg fetches that commit.
  it('builds one commit in every platform image when the branch moves between the legs', async () => {
    const svc = services();
    const served = tempDir('upstream-moving-served');
    const upstream = join(served, 'upstream');
    mkdirSync(upstream);
    git(upstream, 'init', '-q', '-b', 'main');
    writeFileSync(join(upstream, 'Dockerfile'), 'FROM scratch\nCOPY version.txt /version.txt\n');
    writeFileSync(join(upstream, 'version.txt'), 'one\n');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-qm', 'one');
    const planned = git(upstream, 'rev-parse', 'HEAD');
    const daemon = await gitDaemon(served, 'upstream');
    daemons.push(daemon);

    const repo = tempDir('upstream-moving-consumer');
    git(repo, 'init', '-q');
    mkdirSync(join(repo, 'tool'));
    writeFileSync(
      join(repo, 'tool', 'build-config.yaml'),
      `upstream_repo: ${daemon.url}/upstream\nupstream_ref: main\nbuild_backend: buildkit\nplatforms: [linux/amd64, linux/arm64]\n`,
    );
    const plan = await planRepository(repo, { kind: 'all' }, { resolveUpstream: true });
    expect(plan.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(plan.matrix.include.map((leg) => leg.upstreamCommit)).toEqual([planned, planned]);

    const prefix = `e2e-upstream-moving-${Date.now()}`;
    const build = (leg: (typeof plan.matrix.include)[number]) =>
      buildPlannedLeg(leg, {
        root: repo,
        cwd: repo,
        publish: { registry: svc.registry, prefix, mode: 'per-image' },
        insecure: true,
        push: true,
        env: { ...toolEnv(), HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER! },
        secrets: [],
        cacheRoot: tempDir('upstream-moving-cache'),
        onRunner: false,
        log: () => undefined,
      });
    const [amd64Leg, arm64Leg] = plan.matrix.include;
    const amd64 = await build(amd64Leg);
    // The branch moves after the first leg started.
    writeFileSync(join(upstream, 'version.txt'), 'two\n');
    git(upstream, 'commit', '-qam', 'two');
    expect(git(upstream, 'rev-parse', 'main')).not.toBe(planned);
    const arm64 = await build(arm64Leg);

    for (const record of [amd64, arm64]) {
      expect(record.error).toBeUndefined();
      expect(record.sourceCommit).toBe(planned);
      const file = await extractFile(`${svc.registry}/${prefix}/tool@${record.digest}`, '/version.txt', tempDir('upstream-moving-fs'));
      expect(readFileSync(file, 'utf8')).toBe('one\n');
    }
  });
});
