// Tags decided at plan time, published by the real merge against a real registry: a
// default-branch run, then a pull request from the same repository that changes the app. The pull
// request publishes its pr-N tags only; `latest` and the date tag still point at the default
// branch's index. Then two merges of one image with different legs at once: whatever happens, no
// merge reports the other's index digest as its own. Legs are platform manifests of hephy's base
// images copied by digest (as a build leg pushes them); the plan is the real planner's over a real
// git repository; the merge is `docker buildx imagetools` (the real one).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Leg, LegRecord } from '../../src/core/model.js';
import { mergeImages } from '../../src/pipeline/merge.js';
import { planRepository } from '../../src/pipeline/planRepository.js';
import type { TaggingOptions } from '../../src/core/tagPolicy.js';
import type { PublishOptions } from '../../src/core/tags.js';
import { run } from '../../src/tools/exec.js';
import { toolEnv } from '../../src/tools/paths.js';
import { rawManifest, services, tagDigest } from './harness.js';
import { testLegRecord } from '../helpers/legRecords.js';
import { tempRepo } from '../helpers/gitRepo.js';

const env = toolEnv();
const crane = (...args: string[]) => run('crane', [...args, '--insecure'], { env });

/** amd64 and arm64 manifest digests of one of hephy's base images. */
async function platformsOf(ref: string): Promise<{ amd64: string; arm64: string }> {
  const index = await rawManifest(ref);
  const find = (arch: string) => index.manifests.find((m: any) => m.platform.architecture === arch).digest as string;
  return { amd64: find('amd64'), arm64: find('arm64') };
}

/** The legs' records after "building": each platform manifest copied into the repository by digest. */
async function buildLegs(legs: Leg[], source: string, digests: { amd64: string; arm64: string }, repository: string): Promise<LegRecord[]> {
  const base = source.replace(/:[^/:]+$/, '');
  const records: LegRecord[] = [];
  for (const leg of legs) {
    const digest = leg.platform.endsWith('arm64') ? digests.arm64 : digests.amd64;
    await crane('copy', `${base}@${digest}`, `${repository}@${digest}`);
    records.push(testLegRecord(leg, repository, digest));
  }
  return records;
}

const SHA_MAIN = 'a'.repeat(40);
const SHA_HEAD = 'b'.repeat(40);
const SHA_MERGE = 'c'.repeat(40);

describe('tags by event, on a real registry (e2e)', () => {
  const registry = services().registry;
  const prefix = `e2e-tags-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const publish: PublishOptions = { registry, prefix, mode: 'per-image', perArchTags: false };
  const repository = `${registry}/${prefix}/api`;
  let root: string;

  beforeAll(() => {
    const repo = tempRepo();
    root = repo.root;
    mkdirSync(join(root, 'api'));
    writeFileSync(join(root, 'api', 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
    writeFileSync(join(root, 'api', 'build-config.yaml'), 'build_backend: kaniko\nadditional_tags: [latest]\n');
    repo.commit('api');
  });

  const planFor = (run: TaggingOptions['run']) =>
    planRepository(
      root,
      { kind: 'all' },
      {
        cwd: root,
        tagging: {
          run: { repository: 'octo/shop', defaultBranch: 'main', ...run },
          date: new Date('2026-11-25T12:00:00Z'),
          mode: 'per-image',
          target: { registry, prefix },
        },
      },
    );

  it('a same-repository pull request publishes only pr-N tags; latest and the date tag keep the default branch index', async () => {
    // 1. The default branch.
    const main = await planFor({ eventName: 'push', ref: 'refs/heads/main', sha: SHA_MAIN });
    expect(main.problems).toEqual([]);
    expect(main.images[0].tags).toEqual([`${repository}:20261125`, `${repository}:aaaaaaa`, `${repository}:latest`]);
    const mainRecords = await buildLegs(main.matrix.include, services().busybox, await platformsOf(services().busybox), repository);
    const mainReport = await mergeImages({ images: main.images, legs: main.matrix.include, records: mainRecords, publish, env });
    expect(mainReport.outcomes[0].error).toBeUndefined();
    const mainIndex = mainReport.outcomes[0].digest!;
    expect(mainReport.outcomes[0].tags).toEqual(main.images[0].tags);

    // 2. A pull request from the same repository that changed the app (other platform manifests).
    const pr = await planFor({
      eventName: 'pull_request',
      ref: 'refs/pull/7/merge',
      sha: SHA_MERGE,
      pullRequest: { number: 7, headSha: SHA_HEAD, headRepository: 'octo/shop' },
    });
    expect(pr.publish).toMatchObject({ push: true, run: 'pull request #7 (head bbbbbbb)' });
    expect(pr.images[0].tags).toEqual([`${repository}:pr-7`, `${repository}:pr-7-bbbbbbb`]);
    const prRecords = await buildLegs(pr.matrix.include, services().staticBase, await platformsOf(services().staticBase), repository);
    const prReport = await mergeImages({ images: pr.images, legs: pr.matrix.include, records: prRecords, publish, env });
    const prOutcome = prReport.outcomes[0];
    expect(prOutcome.error).toBeUndefined();
    expect(prOutcome.tags).toEqual([`${repository}:pr-7`, `${repository}:pr-7-bbbbbbb`]);
    expect(prOutcome.digest).not.toBe(mainIndex);

    // What the registry serves now.
    expect(await tagDigest(`${repository}:pr-7`)).toBe(prOutcome.digest);
    expect(await tagDigest(`${repository}:latest`)).toBe(mainIndex);
    expect(await tagDigest(`${repository}:20261125`)).toBe(mainIndex);
    expect(await tagDigest(`${repository}:aaaaaaa`)).toBe(mainIndex);
    const tags = (await crane('ls', repository)).stdout.trim().split('\n').sort();
    expect(tags).toEqual(['20261125', 'aaaaaaa', 'latest', 'pr-7', 'pr-7-bbbbbbb']);
  });

  it('two merges of one image with different legs at once: neither reports the other run’s digest as its own', async () => {
    const plan = await planFor({ eventName: 'push', ref: 'refs/heads/main', sha: SHA_MAIN });
    const legs = plan.matrix.include;
    const concurrentRepo = `${registry}/${prefix}-race/api`;
    const racePublish = { ...publish, prefix: `${prefix}-race` };
    const images = [{ image: 'api', tags: ['20261125', 'aaaaaaa', 'latest'] }];
    const a = await buildLegs(legs, services().busybox, await platformsOf(services().busybox), concurrentRepo);
    const b = await buildLegs(legs, services().staticBase, await platformsOf(services().staticBase), concurrentRepo);
    const [ra, rb] = await Promise.all([
      mergeImages({ images, legs, records: a, publish: racePublish, env }),
      mergeImages({ images, legs, records: b, publish: racePublish, env }),
    ]);
    const runs = [
      { outcome: ra.outcomes[0], records: a },
      { outcome: rb.outcomes[0], records: b },
    ];
    for (const { outcome, records } of runs) {
      // The digest a merge reports is always the index over its own legs, never the other run's.
      expect(outcome.digest).toMatch(/^sha256:/);
      const index = await rawManifest(`${concurrentRepo}@${outcome.digest}`);
      expect(index.manifests.map((m: any) => m.digest).sort()).toEqual(records.map((r) => r.digest).sort());
      if (outcome.status !== 'published') {
        expect(outcome.status).toBe('failed');
        expect(outcome.error).toMatch(
          /^overwritten by another run: .* now points at sha256:[0-9a-f]{64}, not at sha256:[0-9a-f]{64} which this run pushed/,
        );
      }
    }
    expect(runs[0].outcome.digest).not.toBe(runs[1].outcome.digest);
    // Every tag serves one of the two indexes, whole.
    const served = await Promise.all(images[0].tags.map((t) => tagDigest(`${concurrentRepo}:${t}`)));
    for (const digest of served) expect([runs[0].outcome.digest, runs[1].outcome.digest]).toContain(digest);
  });
});
