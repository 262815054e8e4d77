// The generated caller workflow and the reusable workflow, run end to end by nektos/act: plan ->
// one job per matrix leg -> merge, on this machine (act host mode), against the local registry,
// buildkitd and Kaniko image of the e2e setup. What act cannot do like GitHub is worked around in
// the open, and the test names say so:
// - remote actions cannot be fetched: the workflows are the generator's 'local' variant
//   (`uses: ./` for hephy/builder@v1), rendered from the same sources as the published ones;
// - act's artifact server rejects @actions/artifact 6: scripts/act.sh puts a fixing proxy in front;
// - GitHub's API is not reachable: a local stand-in answers the PR comment calls.
// See docs/dev/act.md for every flag and finding.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDelta, formatDuration } from '../../src/core/report/format.js';
import { SUMMARY_MARKER } from '../../src/core/report/runSummary.js';
import type { LegRecord } from '../../src/core/model.js';
import type { TempRepo } from '../helpers/gitRepo.js';
import { jobOutput, outputsOf, stepResults, summariesOf } from './act/actLog.js';
import { startFakeGitHub, type FakeGitHub } from './act/fakeGitHub.js';
import { createFixtureRepo, FIXTURE_IMAGES, pullRequestEvent, pushEvent, REPOSITORY } from './act/fixtureRepo.js';
import { runAct, type ActRun } from './act/runAct.js';
import { indexEntries, rawManifest, services, tagDigest } from './harness.js';

// One act run takes about a minute warm; cold several: without a kaniko-image input the first
// run's two Kaniko legs each build the executor from its Go module (with the flags of
// scripts/install-tools.sh, so the shared Go build cache serves them); the pull request run
// restores it from the Actions cache and checks its build info. Hang guards, not speed targets.
const RUN_TIMEOUT_MS = 25 * 60_000;
const ACT_TIMEOUT_MS = 20 * 60_000;

const PREFIX = 'act';
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const EXPECTED_LEGS = FIXTURE_IMAGES.flatMap((image) => ['linux-amd64', 'linux-arm64'].map((p) => `${image}--${p}`)).sort();
const BACKENDS: Record<string, string> = { 'go-hello': 'ko', 'kaniko-app': 'kaniko', 'buildkit-cache': 'buildkit' };
const EXTRA_TAGS: Record<string, string[]> = { 'go-hello': ['latest'], 'kaniko-app': ['latest', 'stable'], 'buildkit-cache': [] };
const BUILD_STEP = 'Build and push by digest';
const PR_NUMBER = 7;

let repo: TempRepo;
let stateDir: string;
let github: FakeGitHub;
let registry: string;
let stepEnv: Record<string, string>;
let mainRun: ActRun | undefined;
let passed = 0;

/** Fails with what the jobs printed, so a red test says why without opening the log file. */
function expectSuccess(run: ActRun): void {
  if (run.code !== 0) {
    const output = ['plan', 'build', 'merge']
      .map((job) => `--- ${job}\n${jobOutput(run.entries, job).split('\n').slice(-40).join('\n')}`)
      .join('\n');
    throw new Error(`act exited ${run.code} (log: ${run.logFile})\n${run.stderr.slice(-2000)}\n${output}`);
  }
}

function legRecords(run: ActRun): Map<string, LegRecord> {
  const out = new Map<string, LegRecord>();
  for (const [legId, json] of outputsOf(run.entries, 'build', 'leg-record')) out.set(legId, JSON.parse(json) as LegRecord);
  return out;
}

function mergeSummary(run: ActRun): string {
  const summaries = summariesOf(run.entries, 'merge');
  expect(summaries).toHaveLength(1);
  return summaries[0];
}

/** Rows of the summary's legs table as {column: cell}, keyed by "image platform". */
function legTable(summary: string): Map<string, Record<string, string>> {
  const lines = summary.split('\n');
  const start = lines.findIndex((l) => l.startsWith('<details') && l.includes('<summary>Legs:'));
  expect(start).toBeGreaterThan(-1);
  const end = lines.indexOf('</details>', start);
  const table = lines.slice(start + 1, end).filter((l) => l.startsWith('|'));
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim());
  const headers = cells(table[0]);
  const rows = new Map<string, Record<string, string>>();
  for (const line of table.slice(2)) {
    const row = Object.fromEntries(cells(line).map((c, i) => [headers[i], c]));
    rows.set(row.Leg.replace(/`/g, ''), row);
  }
  return rows;
}

beforeAll(async () => {
  const s = services();
  registry = s.registry;
  // No kaniko-image input, as `init` writes the workflow: the build job makes the executor image.
  // The examples' build_args say BASE_IMAGE=${BASE_IMAGE}: passed on purpose, as a caller would.
  repo = createFixtureRepo({ registry, imagePrefix: PREFIX, buildEnv: `BASE_IMAGE=${s.busybox}` });
  stateDir = mkdtempSync(join(tmpdir(), 'hephy-act-state-'));
  github = await startFakeGitHub(REPOSITORY);
  stepEnv = {
    // The e2e setup's buildx builder (remote driver on the local buildkitd) instead of the
    // docker-container builder the action creates on hosted runners (no Docker daemon here).
    HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER!,
    KO_DEFAULTBASEIMAGE: s.staticBase,
    // Like a self-hosted runner, the jobs share this machine's Go build cache: ko legs stay warm.
    GOCACHE: execFileSync('go', ['env', 'GOCACHE'], { encoding: 'utf8' }).trim(),
    GITHUB_API_URL: github.url,
  };
});

afterAll(async () => {
  await github?.close();
  // Kept on failure for a look at act's JSON logs and the artifacts.
  if (stateDir && passed === 2) rmSync(stateDir, { recursive: true, force: true });
  else if (stateDir) process.stderr.write(`act state (JSON logs, artifacts, caches) kept in ${stateDir}\n`);
  repo?.remove();
});

describe('act (host mode; local action refs instead of hephy/builder@v1; artifact proxy for act v0.2.87)', () => {
  test(
    'push to main: plan emits 6 legs, each pushed by digest, merge publishes three multi-arch indexes with their tags and a timing table',
    async () => {
      const sha = repo.git('rev-parse', 'HEAD');
      mainRun = await runAct({
        repoDir: repo.root,
        event: 'push',
        payload: pushEvent(sha),
        stateDir,
        runId: 1,
        env: stepEnv,
        secrets: { GITHUB_TOKEN: 'fake-token' },
        timeoutMs: ACT_TIMEOUT_MS,
      });
      expectSuccess(mainRun);
      // A push to the default branch selects by input digest (a fresh registry: nothing is
      // published yet, so everything builds) and its merge writes the input-digest records.
      expect(jobOutput(mainRun.entries, 'plan')).toContain(`selecting by input digest against ${registry} (anonymously)`);
      expect(jobOutput(mainRun.entries, 'merge')).toMatch(/wrote 3 input record\(s\)/);

      // plan: one leg per image and platform, each with its backend.
      const matrix = JSON.parse(outputsOf(mainRun.entries, 'plan', 'matrix').get('')!) as {
        include: Array<{ id: string; image: string; backend: string }>;
      };
      expect(matrix.include.map((l) => l.id).sort()).toEqual(EXPECTED_LEGS);
      for (const leg of matrix.include) expect(leg.backend).toBe(BACKENDS[leg.image]);

      // build: act ran one job per leg, and each pushed one platform image by digest.
      expect([...stepResults(mainRun.entries, 'build', BUILD_STEP).entries()].sort()).toEqual(EXPECTED_LEGS.map((id) => [id, 'success']));
      const records = legRecords(mainRun);
      expect([...records.keys()].sort()).toEqual(EXPECTED_LEGS);
      for (const record of records.values()) {
        expect(record).toMatchObject({
          status: 'success',
          backend: BACKENDS[record.image],
          repository: `${registry}/${PREFIX}/${record.image}`,
        });
        const manifest = await rawManifest(`${record.repository}@${record.digest}`);
        expect(manifest.manifests).toBeUndefined(); // one platform image, not an index
        expect(manifest.config?.digest).toMatch(/^sha256:/);
        // Artifact names carry the plan's per-call scope (8 hex digits), so two calls in one run never collide.
        const artifacts = readdirSync(join(stateDir, 'artifacts', '1'));
        expect(artifacts.some((name) => new RegExp(`^hephy-[0-9a-f]{8}-leg-${record.legId}$`).test(name))).toBe(true);
      }

      // merge: one index per image over exactly its two leg digests, under every configured tag.
      const published = JSON.parse(outputsOf(mainRun.entries, 'merge', 'published').get('')!) as Record<
        string,
        { status: string; digest: string; tags: string[] }
      >;
      expect(Object.keys(published).sort()).toEqual([...FIXTURE_IMAGES].sort());
      const shortSha = sha.slice(0, 7);
      for (const image of FIXTURE_IMAGES) {
        const outcome = published[image];
        expect(outcome.status).toBe('published');
        const repository = `${registry}/${PREFIX}/${image}`;
        const tagNames = outcome.tags.map((t) => t.slice(repository.length + 1));
        expect(tagNames).toEqual(expect.arrayContaining([shortSha, ...EXTRA_TAGS[image]]));
        expect(tagNames.some((t) => /^\d{8}$/.test(t))).toBe(true);
        for (const tag of outcome.tags) expect(await tagDigest(tag)).toBe(outcome.digest);
        const entries = indexEntries(await rawManifest(`${repository}@${outcome.digest}`));
        expect(entries.map((e) => e.platform.split('/').slice(0, 2).join('/')).sort()).toEqual(PLATFORMS);
        const legDigests = [...records.values()]
          .filter((r) => r.image === image)
          .map((r) => r.digest)
          .sort();
        expect(entries.map((e) => e.digest).sort()).toEqual(legDigests);
      }

      // The merge job's summary: every leg with its phases and size; no baseline on a first run.
      const summary = mergeSummary(mainRun);
      expect(summary).toContain(SUMMARY_MARKER);
      const rows = legTable(summary);
      expect([...rows.keys()].sort()).toEqual(FIXTURE_IMAGES.flatMap((i) => PLATFORMS.map((p) => `${i} ${p}`)).sort());
      for (const row of rows.values()) {
        expect(row).toMatchObject({ Status: 'ok' });
        for (const column of ['Setup', 'Build', 'Push', 'Total']) expect(row[column]).toMatch(/^\d+(\.\d+)?(ms|s|m)/);
        expect(row.Size).toMatch(/iB$/);
      }
      expect(summary).toMatch(/Critical path: `[a-z-]+` linux\/(amd|arm)64 .*: \*\*\d/);
      expect(summary).toContain('```mermaid');
      expect(summary).toContain('No baseline yet');
      expect(github.calls).toEqual([]); // a push has no PR to comment on
      passed += 1;
    },
    RUN_TIMEOUT_MS,
  );

  test(
    "pull_request after it: the merge summary compares each leg with the main run's record (the default-branch history via act's v1 cache server) and updates the one PR comment on a local stand-in for the GitHub API",
    async () => {
      expect(mainRun?.code).toBe(0);
      const base = repo.git('rev-parse', 'HEAD');
      repo.git('checkout', '-q', '-b', 'feature');
      // A change to an input of every image: its build-config.yaml always is one. (A CHANGES.md is
      // not an input of a ko app, whose inputs are its Go packages: it would select nothing there.)
      for (const image of FIXTURE_IMAGES) {
        const config = readFileSync(join(repo.root, image, 'build-config.yaml'), 'utf8');
        repo.write({ [`${image}/build-config.yaml`]: `${config}# touched by the pull request\n` });
      }
      const head = repo.commit('touch every image');
      // A comment from an earlier push of this PR, someone else's, and someone else's that copies
      // the marker: only ours (the workflow token's, github-actions[bot]) is updated.
      github.comments.set(PR_NUMBER, [
        { id: 1, body: 'looks good', user: { login: 'octocat' } },
        { id: 2, body: `${SUMMARY_MARKER}\nfrom an earlier push`, user: { login: 'github-actions[bot]' } },
        { id: 3, body: `${SUMMARY_MARKER}\nplanted by someone else`, user: { login: 'mallory' } },
      ]);

      const prRun = await runAct({
        repoDir: repo.root,
        event: 'pull_request',
        payload: pullRequestEvent(PR_NUMBER, { sha: base, ref: 'main' }, { sha: head, ref: 'feature' }),
        stateDir,
        runId: 2,
        env: stepEnv,
        secrets: { GITHUB_TOKEN: 'fake-token' },
        timeoutMs: ACT_TIMEOUT_MS,
      });
      expectSuccess(prRun);
      // The executor the main run built came back from the Actions cache, checked before it ran.
      expect(jobOutput(prRun.entries, 'build')).toMatch(/kaniko v[\d.]+: cached, build info verified/);
      // A pull request selects by its diff and writes no record, even from this repository.
      expect(jobOutput(prRun.entries, 'plan')).toContain('a pull_request run selects by what changed');
      expect(jobOutput(prRun.entries, 'merge')).not.toContain('input record');

      const before = legRecords(mainRun!);
      const after = legRecords(prRun);
      expect([...after.keys()].sort()).toEqual(EXPECTED_LEGS);
      const summary = mergeSummary(prRun);
      // The main run's legs, restored from the default-branch history in act's cache server.
      expect(summary).toContain(`Compared with each leg's last default-branch records, from 1 run(s) (newest: main at ${base.slice(0, 7)}`);
      const rows = legTable(summary);
      for (const record of after.values()) {
        const row = rows.get(`${record.image} ${record.platform}`)!;
        const baseRecord = before.get(record.legId)!;
        expect(row['Δ time']).toBe(formatDelta(record.durationsMs.total, baseRecord.durationsMs.total, 'ms'));
        expect(row['Δ size']).toBe(formatDelta(record.compressedSize, baseRecord.compressedSize, 'bytes'));
        expect(row.Range).toBe(`${formatDuration(baseRecord.durationsMs.total)} (1 run)`);
      }
      // Seconds-long legs and unchanged images: nothing to report.
      expect(summary).toContain('## hephy-builder: no significant change');
      // A pull request from the same repository publishes its pr-N tags only.
      const prPublished = JSON.parse(outputsOf(prRun.entries, 'merge', 'published').get('')!) as Record<string, { tags: string[] }>;
      for (const image of FIXTURE_IMAGES) {
        const names = prPublished[image].tags.map((t) => t.slice(t.lastIndexOf(':') + 1));
        expect(names).toEqual([`pr-${PR_NUMBER}`, `pr-${PR_NUMBER}-${head.slice(0, 7)}`]);
      }

      const comments = github.comments.get(PR_NUMBER)!;
      expect(comments.map((c) => c.id)).toEqual([1, 2, 3]);
      expect(comments[2].body).toContain('planted by someone else');
      expect(comments[1].body.trim()).toBe(summary.trim());
      expect(github.calls.filter((c) => !c.startsWith('GET'))).toEqual([`PATCH /repos/${REPOSITORY}/issues/comments/2`]);
      passed += 1;
    },
    RUN_TIMEOUT_MS,
  );
});
