// The summary's "what grew", for real: two apps built twice with `hephy-builder run` into the e2e
// registry, the second time each with a bigger layer (a Kaniko RUN step writing random bytes, a
// BuildKit COPY of a random file). The second run compares with the history the first one saved
// (--save-history), reads both builds' manifests and image configs back from the registry through
// `docker buildx imagetools`, and must name the new layer, its size as the registry has it, and
// the Dockerfile step that made it.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHistory } from '../../src/core/report/history.js';
import { formatBytes } from '../../src/core/report/format.js';
import { defaultImagetools } from '../../src/tools/imagetools.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { rawManifest, runCli, services, tempDir, type CliRun } from './harness.js';

const RUN_TIMEOUT_MS = 15 * 60 * 1000;

const config = (backend: string) =>
  ['use_local_context: true', `build_backend: ${backend}`, 'platforms: [linux/amd64]', 'build_args: ["BASE_IMAGE=${BASE_IMAGE}"]', ''].join(
    '\n',
  );
const BASE = ['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', 'RUN uname -m > /built-on.txt', ''];
const KANIKO_STEP = 'RUN head -c 400000 /dev/urandom > /blob.bin';
const BUILDKIT_STEP = 'COPY blob.bin /blob.bin';

describe('what grew, read from the registry (e2e)', () => {
  const svc = services();
  const prefix = `e2e-grow-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const history = join(tempDir('summary-history'), 'history.json');
  const outs = [tempDir('summary-out-1'), tempDir('summary-out-2')];
  const results: CliRun[] = [];
  let repo: TempRepo;

  const runOnce = (out: string) =>
    runCli([
      'run',
      '--root',
      repo.root,
      '--registry',
      svc.registry,
      '--image-prefix',
      prefix,
      '--out',
      out,
      '--kaniko-image',
      svc.kanikoImage,
      '--save-history',
      history,
    ]);

  beforeAll(async () => {
    repo = tempRepo({
      'grow-kaniko/build-config.yaml': config('kaniko'),
      'grow-kaniko/Dockerfile': BASE.join('\n'),
      'grow-buildkit/build-config.yaml': config('buildkit'),
      'grow-buildkit/Dockerfile': BASE.join('\n'),
    });
    repo.commit('two small apps');
    results.push(await runOnce(outs[0]));
    repo.write({
      'grow-kaniko/Dockerfile': [...BASE, KANIKO_STEP, ''].join('\n'),
      'grow-buildkit/Dockerfile': [...BASE, BUILDKIT_STEP, ''].join('\n'),
    });
    // Random bytes: gzip cannot shrink them, so the layer is about as big as the file.
    writeFileSync(join(repo.root, 'grow-buildkit/blob.bin'), randomBytes(300_000));
    repo.commit('each app gains a few hundred KB');
    results.push(await runOnce(outs[1]));
  }, RUN_TIMEOUT_MS);

  afterAll(() => repo?.remove());

  it('both runs publish; the first has no history yet, the second compares with it', () => {
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(readFileSync(join(outs[0], 'summary.md'), 'utf8')).toContain('No baseline yet');
    const store = parseHistory(readFileSync(history, 'utf8'), history);
    expect(Object.keys(store.legs).sort()).toEqual(['grow-buildkit--linux-amd64', 'grow-kaniko--linux-amd64']);
    for (const samples of Object.values(store.legs)) expect(samples).toHaveLength(2);
  });

  it.each([
    ['grow-kaniko', KANIKO_STEP],
    ['grow-buildkit', BUILDKIT_STEP],
  ])('%s: the finding names the new layer, its size in the registry and the step that made it', async (image, step) => {
    const summary = readFileSync(join(outs[1], 'summary.md'), 'utf8');
    const record = JSON.parse(readFileSync(join(outs[1], 'legs', `hephy-leg-${image}--linux-amd64.json`), 'utf8'));
    const manifest = await rawManifest(`${record.repository}@${record.digest}`);
    const newest = manifest.layers[manifest.layers.length - 1];
    expect(summary).toMatch(
      new RegExp(
        `- \\*\\*\`${image}\`\\*\\* is bigger: linux/amd64 \\+[\\d.]+ KiB .*; largest: ${formatBytes(newest.size).replace('.', '\\.')} from \`${step}\`\\.`,
      ),
    );
    expect(summary).toContain(
      `| \`${newest.digest.slice(0, 19)}\` | ${formatBytes(newest.size)} | added, +${formatBytes(newest.size)} | \`${step}\` |`,
    );
  });

  it('reads an image config through imagetools, from a platform manifest and from an index', async () => {
    const record = JSON.parse(readFileSync(join(outs[1], 'legs', 'hephy-leg-grow-kaniko--linux-amd64.json'), 'utf8'));
    const config = await defaultImagetools.imageConfig(`${record.repository}@${record.digest}`);
    expect(config.history?.map((h) => h.created_by)).toEqual(expect.arrayContaining(['RUN uname -m > /built-on.txt', KANIKO_STEP]));
    // An index (the two-platform base image): the config of the platform asked for.
    const fromIndex = await defaultImagetools.imageConfig(svc.busybox, process.env, { platform: 'linux/arm64' });
    expect(fromIndex.architecture).toBe('arm64');
    await expect(defaultImagetools.imageConfig(svc.busybox, process.env, { platform: 'linux/s390x' })).rejects.toThrow(
      /no image config for linux\/s390x \(has linux\/amd64, linux\/arm64/,
    );
  });
});
