// What a failed leg does to a real run: nothing to the image's tags. Two Kaniko apps in a temp
// repository, built twice with `hephy-builder run`:
//  1. both build for amd64 and arm64 and are published;
//  2. a commit makes `flaky`'s RUN step fail on aarch64 only (a script it copies in) and changes
//     `good`'s content. `flaky`'s amd64 leg still succeeds, its arm64 leg fails, so `flaky` keeps
//     every tag of the first run and gets no tag of the second commit; `good` is published anew;
//     the exit code is 1; stdout and summary.md name the failed leg and Kaniko's reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dateStamp } from '../../src/core/tags.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { indexEntries, rawManifest, runCli, services, tagDigest, tempDir, type CliRun } from './harness.js';
import { repositoryTags } from './registryTags.js';

const RUN_TIMEOUT_MS = 20 * 60 * 1000;
const BOTH = ['linux/amd64', 'linux/arm64'];

const config = (extraTags: string[]) =>
  [
    'use_local_context: true',
    'build_backend: kaniko',
    'platforms: [linux/amd64, linux/arm64]',
    'build_args: ["BASE_IMAGE=${BASE_IMAGE}"]',
    `additional_tags: [${extraTags.join(', ')}]`,
    '',
  ].join('\n');

const DOCKERFILE = ['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', 'COPY gate.sh content.txt /', 'RUN sh /gate.sh', ''].join('\n');
const GATE_OK = 'uname -m > /built-on.txt\n';
const GATE_NO_ARM =
  'if [ "$(uname -m)" = aarch64 ]; then echo "flaky: refusing to build on aarch64" >&2; exit 3; fi\nuname -m > /built-on.txt\n';
const REASON = 'RUN sh /gate.sh failed with exit status 3: flaky: refusing to build on aarch64';

describe("a run with a failed leg keeps that image's tags and publishes the others (e2e)", () => {
  const svc = services();
  const prefix = `e2e-fail-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const repository = (image: string) => `${svc.registry}/${prefix}/${image}`;
  let repo: TempRepo;
  const first = {
    sha: '',
    out: tempDir('failure-out-1'),
    result: undefined as unknown as CliRun,
    digests: {} as Record<string, string>,
    records: {} as Record<string, string[]>,
  };
  /** The input-digest record tags `in-<hex>` (issue 10) apart from the tag policy's tags. */
  const splitTags = async (image: string) => {
    const tags = (await repositoryTags(repository(image))).sort();
    return { policy: tags.filter((t) => !t.startsWith('in-')), records: tags.filter((t) => t.startsWith('in-')) };
  };
  const second = { sha: '', out: tempDir('failure-out-2'), result: undefined as unknown as CliRun };
  let date: string;

  const runOnce = (out: string) =>
    runCli(['run', '--root', repo.root, '--registry', svc.registry, '--prefix', prefix, '--out', out, '--kaniko-image', svc.kanikoImage]);

  beforeAll(async () => {
    repo = tempRepo({
      'good/build-config.yaml': config(['latest']),
      'good/Dockerfile': DOCKERFILE,
      'good/gate.sh': GATE_OK,
      'good/content.txt': 'good v1\n',
      'flaky/build-config.yaml': config(['latest', 'stable']),
      'flaky/Dockerfile': DOCKERFILE,
      'flaky/gate.sh': GATE_OK,
      'flaky/content.txt': 'flaky v1\n',
    });
    first.sha = repo.commit('two apps that build everywhere');
    date = dateStamp(new Date());
    first.result = await runOnce(first.out);
    for (const image of ['good', 'flaky']) {
      first.digests[image] = (await tagDigest(`${repository(image)}:${date}`)) ?? '';
      first.records[image] = (await splitTags(image)).records;
    }

    repo.write({ 'flaky/gate.sh': GATE_NO_ARM, 'flaky/content.txt': 'flaky v2\n', 'good/content.txt': 'good v2\n' });
    second.sha = repo.commit('flaky stops building on aarch64; good changes');
    second.result = await runOnce(second.out);
    // Both runs must share the date tag for the checks below; a run across midnight (UTC) cannot.
    if (dateStamp(new Date()) !== date) throw new Error('the runs crossed midnight UTC: the date tags differ, run the test again');
  }, RUN_TIMEOUT_MS);

  afterAll(() => repo?.remove());

  it('first run: both images published on both platforms, exit code 0', async () => {
    expect(first.result.stderr).toBe('');
    expect(first.result.code).toBe(0);
    for (const image of ['good', 'flaky']) {
      expect(first.digests[image]).toMatch(/^sha256:/);
      const index = await rawManifest(`${repository(image)}@${first.digests[image]}`);
      expect(
        indexEntries(index)
          .map((e) => e.platform)
          .sort(),
      ).toEqual(BOTH);
    }
  });

  it('second run: exit code 1', () => {
    expect(second.result.code).toBe(1);
  });

  it('flaky keeps every tag of the first run and gets none of the second commit, nor an input-digest record', async () => {
    const sha1 = first.sha.slice(0, 7);
    const sha2 = second.sha.slice(0, 7);
    const tags = await splitTags('flaky');
    expect(tags.policy).toEqual([date, sha1, 'latest', 'stable'].sort());
    // One record per platform and one for the image, all of the first run (a default-branch run
    // that pushes writes them: core/tagPolicy.ts writesInputRecords); the failed run wrote none.
    expect(first.records.flaky).toHaveLength(3);
    expect(tags.records).toEqual(first.records.flaky);
    for (const tag of [date, sha1, 'latest', 'stable']) {
      expect(await tagDigest(`${repository('flaky')}:${tag}`)).toBe(first.digests.flaky);
    }
    expect(await tagDigest(`${repository('flaky')}:${sha2}`)).toBeUndefined();
  });

  it('flaky: the amd64 leg of the second run still built and pushed by digest; the arm64 leg recorded its failure', () => {
    const amd64 = JSON.parse(readFileSync(join(second.out, 'legs', 'hephy-leg-flaky--linux-amd64.json'), 'utf8'));
    const arm64 = JSON.parse(readFileSync(join(second.out, 'legs', 'hephy-leg-flaky--linux-arm64.json'), 'utf8'));
    expect(amd64).toMatchObject({ status: 'success', digest: expect.stringMatching(/^sha256:/) });
    expect(arm64).toMatchObject({ status: 'failure', error: `build failed: kaniko: ${REASON}` });
    expect(arm64.digest).toBeUndefined();
  });

  it('good is published anew: date and latest move to the new index, the new commit is tagged, the old commit tag stays', async () => {
    const now = await tagDigest(`${repository('good')}:${date}`);
    expect(now).toMatch(/^sha256:/);
    expect(now).not.toBe(first.digests.good);
    expect(await tagDigest(`${repository('good')}:latest`)).toBe(now);
    expect(await tagDigest(`${repository('good')}:${second.sha.slice(0, 7)}`)).toBe(now);
    expect(await tagDigest(`${repository('good')}:${first.sha.slice(0, 7)}`)).toBe(first.digests.good);
    expect(
      indexEntries(await rawManifest(`${repository('good')}@${now}`))
        .map((e) => e.platform)
        .sort(),
    ).toEqual(BOTH);
  });

  it("stdout names the failed leg and Kaniko's reason, and says no tag moved", () => {
    const { stdout } = second.result;
    // The RUN step's own output is streamed in the leg's log.
    expect(stdout).toContain('[flaky--linux-arm64] flaky: refusing to build on aarch64');
    expect(stdout).toContain(`[flaky--linux-arm64] FAILED after`);
    expect(stdout).toContain(`FAILED flaky: no tag moved\n  leg flaky--linux-arm64: build failed: kaniko: ${REASON}`);
    expect(stdout).toMatch(/^flaky--linux-arm64 +FAILED +kaniko /m);
    expect(stdout).toContain('published good (linux/amd64, linux/arm64)');
  });

  it("summary.md names the failed leg and Kaniko's reason", () => {
    const summary = readFileSync(join(second.out, 'summary.md'), 'utf8');
    expect(summary).toContain('**1** image(s) published, **1** failed.');
    expect(summary).toContain('- **`flaky`** failed: no tag moved.');
    expect(summary).toContain(`  - leg \`flaky--linux-arm64\` (linux/arm64): build failed: kaniko: ${REASON}`);
    // The table row: the same reason, as plain text (nothing in it needs escaping).
    expect(summary).toContain(`| \`flaky\` linux/arm64 | **failed**: build failed: kaniko: ${REASON} |`);
  });
});
