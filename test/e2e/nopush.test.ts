// Push off, as for a pull request from a fork: a ko, a Kaniko and a BuildKit leg of examples/ are
// built for real against the e2e registry (their base images come from it) and push NOTHING, and
// the merge publishes nothing. Checked from what the REGISTRY serves afterwards: no repository
// under the run's prefix, no tag, no manifest at any leg's digest.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlannedLeg } from '../../src/pipeline/buildPlannedLeg.js';
import { mergeImages } from '../../src/pipeline/merge.js';
import { packageRoot, toolEnv, toolsDir } from '../../src/tools/paths.js';
import { planRepository } from '../../src/pipeline/planRepository.js';
import { parseLegRecord } from '../../src/core/legRecord.js';
import type { Leg, LegRecord, Plan } from '../../src/core/model.js';
import { renderRunSummaryMarkdown } from '../../src/core/report/runSummary.js';
import type { PublishOptions } from '../../src/core/tags.js';
import { run } from '../../src/tools/exec.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { runCli, services, tempDir } from './harness.js';
import { repositoryTags } from './registryTags.js';
import { exampleFilter } from './spinStandIn.js';

const BUILD_TIMEOUT_MS = 15 * 60 * 1000;
const PLATFORM = 'linux/amd64';
const IMAGES = ['go-hello', 'kaniko-app', 'buildkit-cache'];

/** Every repository the registry knows (distribution's catalog). */
async function catalog(registry: string): Promise<string[]> {
  const { stdout } = await run('crane', ['catalog', '--insecure', registry], { env: toolEnv() });
  return stdout.split('\n').filter(Boolean);
}

/** crane's answer for a reference the registry should not have: its exit code and error. */
async function manifestLookup(ref: string): Promise<{ code: number; stderr: string }> {
  const result = await run('crane', ['manifest', '--insecure', ref], { env: toolEnv(), allowFailure: true });
  return { code: result.code ?? -1, stderr: result.stderr };
}

describe('push off: legs build, nothing reaches the registry (e2e)', () => {
  const svc = services();
  const prefix = `e2e-nopush-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const publish: PublishOptions = { registry: svc.registry, prefix, mode: 'per-image', perArchTags: false };
  const env = { ...toolEnv(), HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER!, BASE_IMAGE: svc.busybox };
  const records = new Map<string, LegRecord>();
  const logs: string[] = [];
  let repo: TempRepo;
  let plan: Plan;
  let catalogBefore: string[];

  const legOf = (image: string): Leg => {
    const leg = plan.matrix.include.find((l) => l.image === image && l.platform === PLATFORM);
    if (!leg) throw new Error(`the plan has no ${image} ${PLATFORM} leg`);
    return leg;
  };

  beforeAll(async () => {
    repo = tempRepo();
    cpSync(join(packageRoot(), 'examples'), repo.root, { recursive: true, filter: exampleFilter });
    repo.commit('examples');
    plan = await planRepository(repo.root, { kind: 'all' }, { cwd: repo.root });
    catalogBefore = await catalog(svc.registry);
  });
  afterAll(() => repo?.remove());

  it.each(['go-hello', 'buildkit-cache'])(
    'builds the %s leg with push off (the path of the action) and records its digest, no size, pushed: false',
    async (image) => {
      const leg = legOf(image);
      const record = await buildPlannedLeg(leg, {
        root: repo.root,
        cwd: repo.root,
        publish,
        insecure: true,
        push: false,
        env,
        secrets: [],
        cacheRoot: join(toolsDir(env), 'cache'),
        backendOptions: { baseImage: svc.staticBase, kanikoImage: svc.kanikoImage },
        onRunner: false,
        log: (line) => logs.push(`[${leg.id}] ${line}`),
      });
      if (record.status !== 'success') process.stderr.write(`${logs.filter((l) => l.startsWith(`[${leg.id}]`)).join('\n')}\n`);
      expect(record).toMatchObject({
        status: 'success',
        pushed: false,
        backend: leg.backend,
        repository: `${svc.registry}/${prefix}/${image}`,
      });
      expect(record.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(record.compressedSize).toBeUndefined();
      expect(record.durationsMs.push).toBe(0);
      records.set(image, record);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'builds the kaniko-app leg with `hephy-builder build --dry-run`',
    async () => {
      const file = join(tempDir('nopush-record'), 'record.json');
      const previous = process.env.BASE_IMAGE;
      process.env.BASE_IMAGE = svc.busybox;
      try {
        const cli = await runCli([
          'build',
          '--root',
          repo.root,
          '--image',
          'kaniko-app',
          '--platform',
          PLATFORM,
          '--registry',
          svc.registry,
          '--image-prefix',
          prefix,
          '--insecure',
          '--dry-run',
          '--kaniko-image',
          svc.kanikoImage,
          '--record',
          file,
        ]);
        if (cli.code !== 0) process.stderr.write(`${cli.stdout}\n${cli.stderr}\n`);
        expect(cli.code).toBe(0);
        expect(cli.stderr).toContain('push disabled');
      } finally {
        if (previous === undefined) delete process.env.BASE_IMAGE;
        else process.env.BASE_IMAGE = previous;
      }
      const record = parseLegRecord(readFileSync(file, 'utf8'), file);
      expect(record).toMatchObject({ status: 'success', pushed: false, backend: 'kaniko' });
      expect(record.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(record.compressedSize).toBeUndefined();
      records.set('kaniko-app', record);
    },
    BUILD_TIMEOUT_MS,
  );

  it('merges into "built" without a single registry call, and the registry holds nothing of the run', async () => {
    expect([...records.keys()].sort()).toEqual([...IMAGES].sort());
    const images = plan.images.filter((spec) => IMAGES.includes(spec.image));
    const legs = IMAGES.map(legOf);
    // Push left to the records (all pushed: false); a real imagetools would be used if it were on.
    const report = await mergeImages({ images, legs, records: [...records.values()], publish, env, log: (line) => logs.push(line) });
    expect(report.outcomes.map((o) => [o.image, o.status, o.tags, o.digest])).toEqual(
      images.map((spec) => [spec.image, 'built', [], undefined]),
    );
    const markdown = renderRunSummaryMarkdown(report);
    expect(markdown).toContain('### Built, not pushed (pull request from a fork, or push disabled)');
    expect(markdown).toContain('**0** image(s) published, **3** built but not pushed, **0** failed.');

    const after = await catalog(svc.registry);
    expect(after.filter((name) => name.startsWith(`${prefix}/`))).toEqual([]);
    expect(after.filter((name) => !catalogBefore.includes(name) && name.includes('nopush'))).toEqual([]);
    for (const image of IMAGES) {
      const repository = `${svc.registry}/${prefix}/${image}`;
      expect(await repositoryTags(repository)).toEqual([]);
      const lookup = await manifestLookup(`${repository}@${records.get(image)!.digest}`);
      expect(lookup.code).not.toBe(0);
      expect(lookup.stderr).toMatch(/NAME_UNKNOWN|MANIFEST_UNKNOWN|not found/i);
    }
    // Kaniko's scratch-tag fallback must not have pushed either.
    expect((await manifestLookup(`${svc.registry}/${prefix}/kaniko-app:hephy-leg-kaniko-app--linux-amd64`)).code).not.toBe(0);
  });

  it(
    'reports for ko the digest a push would have written (ko builds are reproducible)',
    async () => {
      const leg = legOf('go-hello');
      const pushedPrefix = `${prefix}-pushed`;
      const record = await buildPlannedLeg(leg, {
        root: repo.root,
        cwd: repo.root,
        publish: { ...publish, prefix: pushedPrefix },
        insecure: true,
        push: true,
        env,
        secrets: [],
        cacheRoot: join(toolsDir(env), 'cache'),
        backendOptions: { baseImage: svc.staticBase },
        onRunner: false,
        log: (line) => logs.push(`[pushed ${leg.id}] ${line}`),
      });
      expect(record).toMatchObject({ status: 'success', pushed: true });
      expect(record.compressedSize).toBeGreaterThan(0);
      expect(record.digest).toBe(records.get('go-hello')!.digest);
    },
    BUILD_TIMEOUT_MS,
  );
});
