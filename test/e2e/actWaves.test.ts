// Issue 14's "act: the generated workflow with two waves runs": the generated caller and reusable
// workflows, run end to end by nektos/act in host mode (see act.test.ts and docs/dev/act.md for
// what act stands in for and why: local action refs instead of hephy/builder@v1, a proxy in front
// of act's artifact server), on a repository whose images build in two waves:
// - `base`: FROM the e2e busybox, adds /base.txt (wave 1, linux/amd64 and linux/arm64);
// - `app`: `needs: [base]`, FROM ${BASE_IMAGE}, adds /app.txt (wave 2, both platforms);
// - `multi`: `images:` of two Dockerfile targets (wave 1, linux/amd64).
// All BuildKit, and no RUN step: the arm64 legs need no emulation, so the run stays short.
// The plan's matrix-1/matrix-2 outputs feed the `build` and `build-2` jobs; a wave-2 leg reads the
// wave-1 leg records (artifacts of the run) and builds on the digest its platform's base leg pushed.
// A second push fails base's arm64 leg: the dependant's arm64 leg is skipped with that reason.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LegRecord } from '../../src/core/model.js';
import type { TempRepo } from '../helpers/gitRepo.js';
import { jobOutput, outputsOf, stepResults, summariesOf, type ActEntry } from './act/actLog.js';
import { createFixtureRepo, pushEvent } from './act/fixtureRepo.js';
import { runAct, type ActRun } from './act/runAct.js';
import { extractFile, indexEntries, rawManifest, services, tagDigest, tempDir } from './harness.js';

// Hang guards, not speed targets: the run takes about a minute warm on 2 cores.
const RUN_TIMEOUT_MS = 20 * 60_000;
const ACT_TIMEOUT_MS = 15 * 60_000;

const PREFIX = 'act-waves';
const BOTH = ['linux/amd64', 'linux/arm64'];
const BUILD_STEP = 'Build and push by digest';
const WAVE_1 = ['base--linux-amd64', 'base--linux-arm64', 'multi-debug--linux-amd64', 'multi-executor--linux-amd64'];
const WAVE_2 = ['app--linux-amd64', 'app--linux-arm64'];
const IMAGES = ['app', 'base', 'multi-debug', 'multi-executor'];

const FILES: Record<string, string> = {
  'base/build-config.yaml':
    'build_backend: buildkit\nplatforms: [linux/amd64, linux/arm64]\nbuild_args: ["BASE_IMAGE=${BASE_IMAGE}"]\nadditional_tags: [latest]\n',
  'base/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY base.txt /base.txt\n',
  'base/base.txt': 'base v1\n',
  'app/build-config.yaml': 'build_backend: buildkit\nplatforms: [linux/amd64, linux/arm64]\nneeds: [base]\nadditional_tags: [latest]\n',
  'app/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY app.txt /app.txt\n',
  'app/app.txt': 'app v1\n',
  'multi/build-config.yaml': [
    'build_backend: buildkit',
    'platforms: [linux/amd64]',
    'build_args: ["BASE_IMAGE=${BASE_IMAGE}"]',
    'images:',
    '  - name: executor',
    '    target: executor',
    '  - name: debug',
    '    target: debug',
    '',
  ].join('\n'),
  'multi/Dockerfile':
    'ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS executor\nCOPY executor.txt /executor.txt\nFROM ${BASE_IMAGE} AS debug\nCOPY debug.txt /debug.txt\n',
  'multi/executor.txt': 'executor\n',
  'multi/debug.txt': 'debug\n',
};

let repo: TempRepo;
let stateDir: string;
let registry: string;
let run: ActRun;
let sha: string;
let passed = 0;

const repository = (image: string) => `${registry}/${PREFIX}/${image}`;

function legRecords(jobID: string, of: ActRun = run): Map<string, LegRecord> {
  const out = new Map<string, LegRecord>();
  for (const [legId, json] of outputsOf(of.entries, jobID, 'leg-record')) out.set(legId, JSON.parse(json) as LegRecord);
  return out;
}

/** When act logged a job's first and last entries (its JSON log's `time`, RFC 3339 in whole seconds). */
function jobSpan(jobID: string): { first: number; last: number } {
  const times = run.entries.filter((e: ActEntry) => e.jobID === jobID && e.time).map((e) => Date.parse(e.time!));
  return { first: Math.min(...times), last: Math.max(...times) };
}

beforeAll(async () => {
  const s = services();
  registry = s.registry;
  repo = createFixtureRepo({ registry, imagePrefix: PREFIX, buildEnv: `BASE_IMAGE=${s.busybox}`, files: FILES });
  sha = repo.git('rev-parse', 'HEAD');
  stateDir = mkdtempSync(join(tmpdir(), 'hephy-act-waves-'));
  run = await runAct({
    repoDir: repo.root,
    event: 'push',
    payload: pushEvent(sha),
    stateDir,
    runId: 1,
    // The e2e setup's buildx builder (remote driver on the local buildkitd): no Docker daemon here.
    env: { HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER! },
    secrets: { GITHUB_TOKEN: 'fake-token' },
    timeoutMs: ACT_TIMEOUT_MS,
  });
}, RUN_TIMEOUT_MS);

afterAll(() => {
  // Kept on failure for a look at act's JSON log and the artifacts.
  if (stateDir && passed === 2) rmSync(stateDir, { recursive: true, force: true });
  else if (stateDir) process.stderr.write(`act state (JSON log, artifacts) kept in ${stateDir}\n`);
  repo?.remove();
});

describe('act, two waves (host mode; local action refs instead of hephy/builder@v1; artifact proxy for act v0.2.87)', () => {
  test('the run succeeds: plan, build (wave 1), build-2 (wave 2) and merge ran; build-3 had no legs', () => {
    if (run.code !== 0) {
      const output = ['plan', 'build', 'build-2', 'merge']
        .map((job) => `--- ${job}\n${jobOutput(run.entries, job).split('\n').slice(-40).join('\n')}`)
        .join('\n');
      throw new Error(`act exited ${run.code} (log: ${run.logFile})\n${run.stderr.slice(-2000)}\n${output}`);
    }
    expect(run.entries.some((e) => e.jobID === 'build-3' && e.stepResult)).toBe(false);
  });

  test("plan: matrix-1 holds the wave-1 legs, matrix-2 the app's legs (each with wave 2), matrix-3 none", () => {
    const matrix = (n: number) =>
      JSON.parse(outputsOf(run.entries, 'plan', `matrix-${n}`).get('')!) as { include: Array<{ id: string; wave: number }> };
    expect(
      matrix(1)
        .include.map((l) => l.id)
        .sort(),
    ).toEqual(WAVE_1);
    expect(matrix(1).include.every((l) => l.wave === 1)).toBe(true);
    expect(
      matrix(2)
        .include.map((l) => l.id)
        .sort(),
    ).toEqual(WAVE_2);
    expect(matrix(2).include.every((l) => l.wave === 2)).toBe(true);
    expect(matrix(3).include).toEqual([]);
    expect(['1', '2', '3'].map((n) => outputsOf(run.entries, 'plan', `has-work-${n}`).get(''))).toEqual(['true', 'true', 'false']);
  });

  test('the build job built wave 1 and build-2 wave 2, after it, each leg on the digest its platform of base pushed', () => {
    expect([...stepResults(run.entries, 'build', BUILD_STEP).entries()].sort()).toEqual(WAVE_1.map((id) => [id, 'success']));
    expect([...stepResults(run.entries, 'build-2', BUILD_STEP).entries()].sort()).toEqual(WAVE_2.map((id) => [id, 'success']));
    expect(jobSpan('build-2').first).toBeGreaterThanOrEqual(jobSpan('build').last);
    const wave1 = legRecords('build');
    const log = jobOutput(run.entries, 'build-2');
    for (const platform of BOTH) {
      const base = [...wave1.values()].find((r) => r.image === 'base' && r.platform === platform)!;
      expect(base.digest).toMatch(/^sha256:/);
      const legId = `app--${platform.replace('/', '-')}`;
      expect(log).toContain(`[${legId}] on ${repository('base')}@${base.digest} (BASE_IMAGE)`);
    }
  });

  test("each platform of app holds the base's file and starts with the layers of base's manifest for that platform", async () => {
    const wave1 = legRecords('build');
    const wave2 = legRecords('build-2');
    for (const platform of BOTH) {
      const base = [...wave1.values()].find((r) => r.image === 'base' && r.platform === platform)!;
      const app = [...wave2.values()].find((r) => r.image === 'app' && r.platform === platform)!;
      const dir = tempDir('act-waves');
      const appRef = `${repository('app')}@${app.digest}`;
      expect(readFileSync(await extractFile(appRef, '/base.txt', dir), 'utf8')).toBe('base v1\n');
      expect(readFileSync(await extractFile(appRef, '/app.txt', dir), 'utf8')).toBe('app v1\n');
      const baseLayers = (await rawManifest(`${repository('base')}@${base.digest}`)).layers.map((l: { digest: string }) => l.digest);
      const appLayers = (await rawManifest(appRef)).layers.map((l: { digest: string }) => l.digest);
      expect(appLayers.slice(0, baseLayers.length)).toEqual(baseLayers);
      expect(appLayers).toHaveLength(baseLayers.length + 1);
    }
  });

  test("the merge job's summary gives each leg its wave (issue 14 point 5)", () => {
    const summaries = summariesOf(run.entries, 'merge');
    expect(summaries).toHaveLength(1);
    const lines = summaries[0].split('\n');
    expect(lines.some((l) => l.includes('<summary>Legs: 6 in 2 waves, with their phases and sizes</summary>'))).toBe(true);
    const start = lines.findIndex((l) => l.includes('<summary>Legs:'));
    const table = lines.slice(start, lines.indexOf('</details>', start)).filter((l) => l.startsWith('|'));
    expect(table[0]).toMatch(/^\| Leg \| Wave \| Status \|/);
    const waves = table.slice(2).map((l) => {
      const [leg, wave, status] = l
        .slice(1)
        .split(' | ')
        .map((c) => c.trim());
      return `${leg.replace(/`/g, '')} ${wave} ${status}`;
    });
    expect(waves.sort()).toEqual(
      [...WAVE_1.map((id) => `${id} 1 ok`), ...WAVE_2.map((id) => `${id} 2 ok`)]
        .map((line) => line.replace(/--linux-(amd64|arm64)/, ' linux/$1'))
        .sort(),
    );
  });

  test('merge published every image of both waves under its tags, each an index of exactly its legs', async () => {
    const published = JSON.parse(outputsOf(run.entries, 'merge', 'published').get('')!) as Record<
      string,
      { status: string; digest: string; tags: string[] }
    >;
    expect(Object.keys(published).sort()).toEqual(IMAGES);
    const records = [...legRecords('build').values(), ...legRecords('build-2').values()];
    for (const image of IMAGES) {
      const outcome = published[image];
      expect(outcome.status).toBe('published');
      const tagNames = outcome.tags.map((t) => t.slice(repository(image).length + 1));
      expect(tagNames).toEqual(expect.arrayContaining([sha.slice(0, 7), ...(image.startsWith('multi') ? [] : ['latest'])]));
      for (const tag of outcome.tags) expect(await tagDigest(tag)).toBe(outcome.digest);
      const entries = indexEntries(await rawManifest(`${repository(image)}@${outcome.digest}`)).filter(
        (e) => e.platform !== 'unknown/unknown',
      );
      const legs = records.filter((r) => r.image === image);
      expect(entries.map((e) => e.digest).sort()).toEqual(legs.map((r) => r.digest).sort());
    }
    // The directory with two targets: each image has its own stage's file.
    const dir = tempDir('act-waves-multi');
    expect(readFileSync(await extractFile(`${repository('multi-executor')}:${sha.slice(0, 7)}`, '/executor.txt', dir), 'utf8')).toBe(
      'executor\n',
    );
    expect(readFileSync(await extractFile(`${repository('multi-debug')}:${sha.slice(0, 7)}`, '/debug.txt', dir), 'utf8')).toBe('debug\n');
    passed += 1;
  });

  test(
    "a second push in which base fails on arm64: build-2 still runs, app's arm64 leg is skipped with that reason (Wave 2, skipped in the summary), app's amd64 leg builds on the new base, and base and app keep their tags",
    async () => {
      expect(passed).toBe(1);
      const latest = async (image: string) => tagDigest(`${repository(image)}:latest`);
      const before = { base: await latest('base'), app: await latest('app') };
      // A RUN step that fails under QEMU's aarch64 only (the amd64 leg runs it natively).
      repo.write({
        'base/Dockerfile':
          'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY base.txt /base.txt\nRUN if [ "$(uname -m)" = aarch64 ]; then echo "no aarch64" >&2; exit 3; fi\n',
        'base/base.txt': 'base v2\n',
      });
      const next = repo.commit('base stops building on aarch64');
      const second = await runAct({
        repoDir: repo.root,
        event: 'push',
        payload: pushEvent(next, sha),
        stateDir,
        runId: 2,
        env: { HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER! },
        secrets: { GITHUB_TOKEN: 'fake-token' },
        timeoutMs: ACT_TIMEOUT_MS,
      });
      expect(second.code).not.toBe(0);
      // Selected by the diff: base changed, app is built on it; multi did not change.
      const matrix = (n: number) =>
        JSON.parse(outputsOf(second.entries, 'plan', `matrix-${n}`).get('')!) as { include: Array<{ id: string }> };
      expect(
        matrix(1)
          .include.map((l) => l.id)
          .sort(),
      ).toEqual(['base--linux-amd64', 'base--linux-arm64']);
      expect(
        matrix(2)
          .include.map((l) => l.id)
          .sort(),
      ).toEqual(WAVE_2);
      expect(Object.fromEntries(stepResults(second.entries, 'build', BUILD_STEP))).toEqual({
        'base--linux-amd64': 'success',
        'base--linux-arm64': 'failure',
      });
      expect(Object.fromEntries(stepResults(second.entries, 'build-2', BUILD_STEP))).toEqual({
        'app--linux-amd64': 'success',
        'app--linux-arm64': 'failure',
      });
      const wave2 = legRecords('build-2', second);
      expect(wave2.get('app--linux-arm64')).toMatchObject({
        status: 'failure',
        wave: 2,
        error: 'skipped: its need base failed for linux/arm64',
      });
      const newBase = legRecords('build', second).get('base--linux-amd64')!;
      expect(jobOutput(second.entries, 'build-2')).toContain(`[app--linux-amd64] on ${repository('base')}@${newBase.digest} (BASE_IMAGE)`);
      const dir = tempDir('act-waves-2');
      expect(
        readFileSync(await extractFile(`${repository('app')}@${wave2.get('app--linux-amd64')!.digest}`, '/base.txt', dir), 'utf8'),
      ).toBe('base v2\n');

      // The merge ran after the failed legs: nothing of base or app published, their tags stay.
      const published = JSON.parse(outputsOf(second.entries, 'merge', 'published').get('')!) as Record<string, { status: string }>;
      expect(published.base.status).toBe('failed');
      expect(published.app.status).toBe('failed');
      expect({ base: await latest('base'), app: await latest('app') }).toEqual(before);
      const summary = summariesOf(second.entries, 'merge')[0];
      expect(summary).toContain('| `app` linux/arm64 | 2 | **skipped**: its need base failed for linux/arm64 |');
      expect(summary).toContain('  - leg `app--linux-arm64` (linux/arm64): skipped: its need base failed for linux/arm64');
      passed += 1;
    },
    RUN_TIMEOUT_MS,
  );
});
