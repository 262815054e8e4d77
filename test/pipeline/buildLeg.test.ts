// The leg runner's bookkeeping, with an in-memory backend: real builds are covered by the e2e tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, LegContext } from '../../src/backends/backend.js';
import { buildLeg, type LegEnvironment } from '../../src/pipeline/buildLeg.js';
import { reasonOf } from '../../src/pipeline/reason.js';
import { ArchMismatchError } from '../../src/core/archCheck.js';
import { ToolError } from '../../src/tools/exec.js';
import type { ImageSpec, Leg } from '../../src/core/model.js';
import { tempRepo } from '../helpers/gitRepo.js';

const leg: Leg = {
  id: 'app--linux-arm64',
  image: 'app',
  dir: 'app',
  backend: 'ko',
  platform: 'linux/arm64',
  runner: 'ubuntu-24.04-arm',
  emulated: false,
};
const spec: ImageSpec = {
  image: 'app',
  dir: 'app',
  config: {},
  backend: 'ko',
  backendReason: 'test',
  platforms: ['linux/arm64'],
  source: { kind: 'local', dir: 'app' },
  additionalTags: [],
  tags: [],
};
const digest = `sha256:${'1'.repeat(64)}`;

function environment(logs: string[]): LegEnvironment {
  return {
    root: mkdtempSync(join(tmpdir(), 'hephy-legtest-')),
    publish: { registry: '127.0.0.1:5000', prefix: 'p', mode: 'per-image' },
    insecure: true,
    env: {},
    secrets: [],
    cacheRoot: mkdtempSync(join(tmpdir(), 'hephy-legcache-')),
    onRunner: false,
    log: (l) => logs.push(l),
  };
}

function backend(build: (ctx: LegContext) => Promise<{ digest?: string; pushMs: number }>): Backend {
  return { name: 'ko', setup: async () => 'v0-test', build };
}

describe('buildLeg', () => {
  it('records the digest, the size and the phases of a successful leg', async () => {
    const logs: string[] = [];
    let seen: LegContext | undefined;
    const record = await buildLeg(leg, spec, environment(logs), {
      backendFor: () =>
        backend(async (ctx) => {
          seen = ctx;
          await new Promise((r) => setTimeout(r, 30));
          return { digest, pushMs: 10 };
        }),
      compressedSize: async (ref) => {
        expect(ref).toBe(`127.0.0.1:5000/p/app@${digest}`);
        return 1234;
      },
    });
    expect(record.status).toBe('success');
    expect(record.digest).toBe(digest);
    expect(record.compressedSize).toBe(1234);
    expect(record.pushed).toBe(true);
    expect(seen?.target.push).toBe(true);
    expect(record.repository).toBe('127.0.0.1:5000/p/app');
    expect(record.durationsMs.push).toBe(10);
    expect(record.durationsMs.build).toBeGreaterThanOrEqual(15);
    expect(record.durationsMs.total).toBeGreaterThanOrEqual(record.durationsMs.build + record.durationsMs.push);
    expect(seen?.target.insecure).toBe(true);
    expect(seen?.cacheDir.endsWith('/ko')).toBe(true);
    expect(logs.some((l) => l.includes('v0-test'))).toBe(true);
  });

  it("hands the backend the commit's committer time as sourceDateEpoch, and none outside git", async () => {
    const repo = tempRepo({ 'app/main.go': 'package main\n' });
    try {
      repo.git('add', '-A');
      repo.git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'dated', '--date=2001-01-01T00:00:00Z');
      // The committer date decides (a rebase keeps the author date and moves this one).
      const committed = Number(repo.git('show', '-s', '--format=%ct', 'HEAD'));
      const seen: (number | undefined)[] = [];
      const deps = {
        backendFor: () => backend(async (ctx) => (seen.push(ctx.sourceDateEpoch), { digest, pushMs: 0 })),
        compressedSize: async () => 1,
      };
      await buildLeg(leg, spec, { ...environment([]), root: repo.root }, deps);
      await buildLeg(leg, spec, environment([]), deps);
      expect(seen).toEqual([committed, undefined]);
    } finally {
      repo.remove();
    }
  });

  it('hands the backend the image metadata from the commit built and the run, and records its annotations', async () => {
    const repo = tempRepo({ 'app/main.go': 'package main\n' });
    try {
      repo.git('add', '-A');
      repo.git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'dated', '--date=2001-01-01T00:00:00Z');
      const head = repo.git('rev-parse', 'HEAD').trim();
      let seen: LegContext | undefined;
      const record = await buildLeg(
        leg,
        {
          ...spec,
          tags: ['latest', '1.2.3', '1.2'],
          version: '1.2.3',
          config: { description: 'The app', labels: { 'com.example.team': 'config' } },
        },
        {
          ...environment([]),
          root: repo.root,
          metadata: {
            repositoryUrl: 'https://github.com/org/repo',
            labels: { 'com.example.team': 'input' },
            annotations: { 'com.example.ann': 'x' },
          },
        },
        { backendFor: () => backend(async (ctx) => ((seen = ctx), { digest, pushMs: 0 })), compressedSize: async () => 1 },
      );
      const created = new Date(Number(repo.git('show', '-s', '--format=%ct', 'HEAD')) * 1000).toISOString().replace('.000Z', 'Z');
      expect(seen?.metadata.labels).toEqual({
        'com.example.team': 'input',
        'org.opencontainers.image.created': created,
        'org.opencontainers.image.description': 'The app',
        'org.opencontainers.image.revision': head,
        'org.opencontainers.image.source': 'https://github.com/org/repo',
        'org.opencontainers.image.title': 'app',
        'org.opencontainers.image.url': 'https://github.com/org/repo',
        'org.opencontainers.image.version': '1.2.3',
      });
      expect(seen?.metadata.annotations['com.example.ann']).toBe('x');
      expect(seen?.metadata.annotations['com.example.team']).toBeUndefined();
      expect(record.annotations).toEqual(seen?.metadata.annotations);
    } finally {
      repo.remove();
    }
  });

  it("puts the plan's input digest on the platform manifest, over a value the run gave that key; a leg without one gets none", async () => {
    const inputDigest = `sha256:${'7'.repeat(64)}`;
    const seen: LegContext[] = [];
    const deps = { backendFor: () => backend(async (ctx) => (seen.push(ctx), { digest, pushMs: 0 })), compressedSize: async () => 1 };
    const run = { labels: {}, annotations: { 'dev.hephy.input-digest': 'forged' } };
    const record = await buildLeg({ ...leg, inputDigest }, spec, { ...environment([]), metadata: run }, deps);
    await buildLeg(leg, spec, { ...environment([]), metadata: { labels: {}, annotations: {} } }, deps);
    expect(seen[0].metadata.annotations['dev.hephy.input-digest']).toBe(inputDigest);
    expect(record.annotations?.['dev.hephy.input-digest']).toBe(inputDigest);
    expect(seen[1].metadata.annotations['dev.hephy.input-digest']).toBeUndefined();
  });

  it('with push off hands the backend push: false, measures nothing and records pushed: false', async () => {
    let seen: LegContext | undefined;
    const logs: string[] = [];
    const record = await buildLeg(
      leg,
      spec,
      { ...environment(logs), push: false },
      {
        backendFor: () =>
          backend(async (ctx) => {
            seen = ctx;
            return { digest, pushMs: 0 };
          }),
        compressedSize: async () => {
          throw new Error('the registry must not be asked about an image that was not pushed');
        },
      },
    );
    expect(seen?.target.push).toBe(false);
    expect(record).toMatchObject({ status: 'success', digest, pushed: false, repository: '127.0.0.1:5000/p/app' });
    expect(record.compressedSize).toBeUndefined();
    expect(record.durationsMs.push).toBe(0);
    expect(logs.some((l) => l.includes('push disabled'))).toBe(true);
  });

  describe('with push off and images built on this one (issue 14): keepLayout', () => {
    const layoutDigest = `sha256:${'7'.repeat(64)}`;
    const writeLayout = (dir: string, blobHex = '7'.repeat(64)) => {
      mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
      writeFileSync(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
      writeFileSync(join(dir, 'blobs', 'sha256', blobHex), '{}');
    };

    it('hands the backend the directory, and names it in the record once it holds the image built', async () => {
      const keepLayout = join(mkdtempSync(join(tmpdir(), 'hephy-out-')), 'layouts', 'hephy-layout-app--linux-arm64');
      let seen: LegContext | undefined;
      const record = await buildLeg(
        leg,
        spec,
        { ...environment([]), push: false, keepLayout },
        {
          backendFor: () => backend(async (ctx) => ((seen = ctx), writeLayout(ctx.keepLayout!), { digest: layoutDigest, pushMs: 0 })),
          compressedSize: async () => 1,
        },
      );
      expect(seen?.keepLayout).toBe(keepLayout);
      expect(record).toMatchObject({ status: 'success', pushed: false, layout: 'hephy-layout-app--linux-arm64' });
    });

    it('names no layout when the backend wrote none, or one without the image built; asks for none when pushing', async () => {
      const logs: string[] = [];
      const keepLayout = join(mkdtempSync(join(tmpdir(), 'hephy-out-')), 'hephy-layout-app--linux-arm64');
      const none = await buildLeg(
        leg,
        spec,
        { ...environment(logs), push: false, keepLayout },
        { backendFor: () => backend(async () => ({ digest: layoutDigest, pushMs: 0 })), compressedSize: async () => 1 },
      );
      expect(none.layout).toBeUndefined();
      expect(logs).toContain('kept no OCI layout of the image: ko wrote none holding it');
      const other = await buildLeg(
        leg,
        spec,
        { ...environment([]), push: false, keepLayout },
        {
          backendFor: () => backend(async (ctx) => (writeLayout(ctx.keepLayout!, '8'.repeat(64)), { digest: layoutDigest, pushMs: 0 })),
          compressedSize: async () => 1,
        },
      );
      expect(other.layout).toBeUndefined();
      let seen: LegContext | undefined;
      await buildLeg(
        leg,
        spec,
        { ...environment([]), push: true, keepLayout },
        { backendFor: () => backend(async (ctx) => ((seen = ctx), { digest, pushMs: 0 })), compressedSize: async () => 1 },
      );
      expect(seen && 'keepLayout' in seen).toBe(false);
    });

    it('fails a Kaniko leg handed a need that is an OCI layout, before its tool runs', async () => {
      let built = false;
      const record = await buildLeg(
        { ...leg, backend: 'kaniko' },
        { ...spec, backend: 'kaniko' },
        { ...environment([]), needs: [{ name: 'base', ref: `r/base@${layoutDigest}`, layout: '/somewhere/layout' }] },
        { backendFor: () => backend(async () => ((built = true), { digest, pushMs: 0 })), compressedSize: async () => 1 },
      );
      expect(built).toBe(false);
      expect(record.error).toBe(
        'setup failed: its need base is an OCI layout, and Kaniko cannot build FROM an OCI layout; push the base or use BuildKit',
      );
    });
  });

  it('with push off succeeds without a digest (spin knows it only by pushing)', async () => {
    const record = await buildLeg(
      leg,
      spec,
      { ...environment([]), push: false },
      {
        backendFor: () => backend(async () => ({ pushMs: 0 })),
        compressedSize: async () => 0,
      },
    );
    expect(record).toMatchObject({ status: 'success', pushed: false });
    expect(record.digest).toBeUndefined();
  });

  it('fails a pushing leg whose backend reported no digest', async () => {
    const record = await buildLeg(leg, spec, environment([]), {
      backendFor: () => backend(async () => ({ pushMs: 5 })),
      compressedSize: async () => 0,
    });
    expect(record.status).toBe('failure');
    expect(record.error).toBe('build failed: ko pushed but reported no digest');
  });

  it('records a failure with the phase and the reason instead of throwing', async () => {
    const record = await buildLeg(leg, spec, environment([]), {
      backendFor: () =>
        backend(async () => {
          throw new Error('ko build exited with code 1:\nno Go files');
        }),
      compressedSize: async () => 0,
    });
    expect(record.status).toBe('failure');
    expect(record.digest).toBeUndefined();
    expect(record.error).toMatch(/^build failed: ko build exited with code 1/);
  });

  it('fails the setup phase when the backend is unknown here', async () => {
    const record = await buildLeg(leg, spec, environment([]), {
      backendFor: () => {
        throw new Error('the spin CLI is not installed');
      },
      compressedSize: async () => 0,
    });
    expect(record.error).toBe('setup failed: the spin CLI is not installed');
    expect(record.durationsMs.setup).toBe(record.durationsMs.total);
  });

  // The plan resolved the ref (core/upstreamRef.ts) and the leg carries the commit: the leg
  // fetches that commit, whatever the branch points at now, and checks the clone as the plan
  // checks a local app (real git, an in-memory backend).
  describe('an upstream source', () => {
    const upstreamLeg: Leg = { ...leg, backend: 'kaniko', upstreamCommit: undefined };
    const upstreamSpec = (repo: string, ref: string, commit?: string): ImageSpec => ({
      ...spec,
      backend: 'kaniko',
      config: { upstream_repo: repo, upstream_ref: ref, build_backend: 'kaniko' },
      source: { kind: 'upstream', repo, ref, ...(commit ? { commit } : {}) },
    });
    const kaniko = (seen: string[]): Backend => ({
      name: 'kaniko',
      setup: async () => 'v0-test',
      build: async (ctx) => (seen.push(ctx.sourceDir), { digest, pushMs: 0 }),
    });

    it('builds the planned commit even after the branch moved, and records it', async () => {
      const up = tempRepo({ Dockerfile: 'FROM scratch\n' });
      const planned = up.commit('one');
      up.write({ Dockerfile: 'FROM scratch\nCOPY x /x\n' });
      up.commit('two');
      const seen: string[] = [];
      const record = await buildLeg(upstreamLeg, upstreamSpec(`file://${up.root}`, 'main', planned), environment([]), {
        backendFor: () => kaniko(seen),
        compressedSize: async () => 1,
      });
      expect(record.error).toBeUndefined();
      expect(record.sourceCommit).toBe(planned);
      expect(seen).toHaveLength(1);
    });

    it('fails in one line when the upstream Dockerfile needs BuildKit and the leg is Kaniko', async () => {
      const up = tempRepo({ Dockerfile: 'FROM scratch\nRUN --mount=type=cache,target=/c true\n' });
      up.commit('one');
      const seen: string[] = [];
      const record = await buildLeg(upstreamLeg, upstreamSpec(`file://${up.root}`, 'main'), environment([]), {
        backendFor: () => kaniko(seen),
        compressedSize: async () => 1,
      });
      expect(record.status).toBe('failure');
      expect(record.error).toBe(
        'setup failed: build_backend is kaniko, but upstream/Dockerfile line 2 uses RUN --mount, which Kaniko cannot build: ' +
          'RUN --mount=type=cache,target=/c true (use build_backend: buildkit)',
      );
      expect(seen).toEqual([]);
    });
  });

  it('says "architecture check failed" for an image of the wrong architecture, and records the check time of a passing leg', async () => {
    const failed = await buildLeg(leg, spec, environment([]), {
      backendFor: () =>
        backend(async () => {
          throw new ArchMismatchError('the linux/arm64 image holds files for another architecture than AArch64: /bin/x (x86-64)');
        }),
      compressedSize: async () => 0,
    });
    expect(failed.error).toBe(
      'architecture check failed: the linux/arm64 image holds files for another architecture than AArch64: /bin/x (x86-64)',
    );
    const passed = await buildLeg(leg, spec, environment([]), {
      backendFor: () => backend(async () => ({ digest, pushMs: 5, verifyMs: 7 })),
      compressedSize: async () => 10,
    });
    expect(passed.durationsMs.verify).toBe(7);
  });
});

describe('reasonOf', () => {
  it("is a tool's own last error line, not its command line", () => {
    const error = new ToolError(
      '/usr/bin/crane push --insecure /l r@d exited with code 1:\n...',
      '/usr/bin/crane push --insecure /l r@d',
      1,
      '',
      'pushing...\nError: PUT http://r/v2/a/manifests/x: UNAUTHORIZED: authentication required\n',
    );
    expect(reasonOf(error)).toBe('crane: PUT http://r/v2/a/manifests/x: UNAUTHORIZED: authentication required');
  });

  it('folds any other error onto one line', () => {
    expect(reasonOf(new Error('first\nsecond'))).toBe('first second');
  });
});
