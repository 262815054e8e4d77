// Issue 14 end to end, with `hephy-builder run` on the local registry:
//  1. one directory, two Dockerfile targets (`images:`): two images, each with its stage's file;
//  2. a base image and two apps `FROM ${BASE_IMAGE}` (`needs: [base]`; one app built by Kaniko,
//     one by BuildKit) in one run: the apps are built in wave 2 on the digest the base's leg
//     pushed for the same platform, so each platform of each app holds the base's new file and
//     its layers start with that platform's base layers;
//  3. a second run in which the base's arm64 leg fails: the apps' arm64 legs are skipped with that
//     reason, and base and apps keep every tag of the first run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { extractFile, indexEntries, rawManifest, runCli, services, tagDigest, tempDir, type CliRun } from './harness.js';

const RUN_TIMEOUT_MS = 25 * 60 * 1000;
const BOTH = ['linux/amd64', 'linux/arm64'];

const GATE_OK = 'uname -m > /built-on.txt\n';
const GATE_NO_ARM = 'if [ "$(uname -m)" = aarch64 ]; then echo "base: refusing to build on aarch64" >&2; exit 3; fi\n';

const APP_DOCKERFILE = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY app.txt /app.txt\n';

describe('several images per directory, and images built on images of the same repository (e2e)', () => {
  const svc = services();
  const prefix = `e2e-images-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const repository = (image: string) => `${svc.registry}/${prefix}/${image}`;
  let repo: TempRepo;
  const first = { out: tempDir('images-out-1'), result: undefined as unknown as CliRun, latest: {} as Record<string, string> };
  const second = { out: tempDir('images-out-2'), result: undefined as unknown as CliRun };
  const runOnce = (out: string) =>
    runCli(['run', '--root', repo.root, '--registry', svc.registry, '--prefix', prefix, '--out', out, '--kaniko-image', svc.kanikoImage]);
  const IMAGES = ['multi-executor', 'multi-debug', 'base', 'app-kaniko', 'app-buildkit'];

  beforeAll(async () => {
    repo = tempRepo({
      'multi/build-config.yaml': [
        'build_backend: buildkit',
        'platforms: [linux/amd64]',
        'build_args: ["BASE_IMAGE=${BASE_IMAGE}"]',
        'additional_tags: [latest]',
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
      'base/build-config.yaml':
        'build_backend: kaniko\nplatforms: [linux/amd64, linux/arm64]\nbuild_args: ["BASE_IMAGE=${BASE_IMAGE}"]\nadditional_tags: [latest]\n',
      'base/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY gate.sh base.txt /\nRUN sh /gate.sh\n',
      'base/gate.sh': GATE_OK,
      'base/base.txt': 'base v1\n',
      'app-kaniko/build-config.yaml':
        'build_backend: kaniko\nplatforms: [linux/amd64, linux/arm64]\nneeds: [base]\nadditional_tags: [latest]\n',
      'app-kaniko/Dockerfile': APP_DOCKERFILE,
      'app-kaniko/app.txt': 'kaniko app v1\n',
      'app-buildkit/build-config.yaml':
        'build_backend: buildkit\nplatforms: [linux/amd64, linux/arm64]\nneeds: [base]\nadditional_tags: [latest]\n',
      'app-buildkit/Dockerfile': APP_DOCKERFILE,
      'app-buildkit/app.txt': 'buildkit app v1\n',
    });
    repo.commit('a directory with two targets; a base and two apps on it');
    first.result = await runOnce(first.out);
    for (const image of IMAGES) first.latest[image] = (await tagDigest(`${repository(image)}:latest`)) ?? '';

    repo.write({ 'base/gate.sh': GATE_NO_ARM, 'base/base.txt': 'base v2\n', 'app-kaniko/app.txt': 'kaniko app v2\n' });
    repo.commit('the base stops building on aarch64');
    second.result = await runOnce(second.out);
  }, RUN_TIMEOUT_MS);

  afterAll(() => repo?.remove());

  it('first run: every image published, in two waves, exit code 0', () => {
    expect(first.result.stderr).toBe('');
    expect(first.result.code).toBe(0);
    for (const image of IMAGES) expect(first.latest[image]).toMatch(/^sha256:/);
    expect(first.result.stdout).toContain('wave 2: 4 leg(s): app-buildkit (on base), app-kaniko (on base)');
    expect(first.result.stdout).toContain('hephy: wave 2 of 2: 4 leg(s)');
  });

  it('one directory with two targets builds two images, each with its own stage', async () => {
    const dir = tempDir('images-multi');
    expect(readFileSync(await extractFile(`${repository('multi-executor')}:latest`, '/executor.txt', dir), 'utf8')).toBe('executor\n');
    expect(readFileSync(await extractFile(`${repository('multi-debug')}:latest`, '/debug.txt', dir), 'utf8')).toBe('debug\n');
    await expect(extractFile(`${repository('multi-executor')}:latest`, '/debug.txt', dir)).rejects.toThrow('has no /debug.txt');
  });

  it("each app's platform holds the base's file and is built on the base's manifest of that platform", async () => {
    const base = indexEntries(await rawManifest(`${repository('base')}@${first.latest.base}`));
    expect(base.map((e) => e.platform).sort()).toEqual(BOTH);
    for (const app of ['app-kaniko', 'app-buildkit']) {
      const entries = indexEntries(await rawManifest(`${repository(app)}@${first.latest[app]}`)).filter(
        (e) => e.platform !== 'unknown/unknown',
      );
      expect(entries.map((e) => e.platform).sort()).toEqual(BOTH);
      for (const platform of BOTH) {
        const dir = tempDir(`images-${app}`);
        expect(readFileSync(await extractFile(`${repository(app)}:latest`, '/base.txt', dir, platform), 'utf8')).toBe('base v1\n');
        // The base's RUN step ran on that platform (under QEMU for arm64): its output is in the app.
        expect(readFileSync(await extractFile(`${repository(app)}:latest`, '/built-on.txt', dir, platform), 'utf8')).toBe(
          platform === 'linux/amd64' ? 'x86_64\n' : 'aarch64\n',
        );
        const baseManifest = await rawManifest(`${repository('base')}@${base.find((e) => e.platform === platform)!.digest}`);
        const appManifest = await rawManifest(`${repository(app)}@${entries.find((e) => e.platform === platform)!.digest}`);
        const baseLayers = baseManifest.layers.map((l: { digest: string }) => l.digest);
        expect(appManifest.layers.map((l: { digest: string }) => l.digest).slice(0, baseLayers.length)).toEqual(baseLayers);
        expect(appManifest.layers.length).toBe(baseLayers.length + 1);
      }
    }
    // The leg was told which digest it built on.
    expect(first.result.stdout).toMatch(
      new RegExp(`\\[app-kaniko--linux-arm64\\] on ${repository('base')}@sha256:[a-f0-9]{64} \\(BASE_IMAGE\\)`),
    );
  });

  it("second run: the base's arm64 leg fails, the apps' arm64 legs are skipped with that reason, exit code 1", () => {
    expect(second.result.code).toBe(1);
    const leg = (id: string) => JSON.parse(readFileSync(join(second.out, 'legs', `hephy-leg-${id}.json`), 'utf8'));
    expect(leg('base--linux-arm64')).toMatchObject({ status: 'failure' });
    expect(leg('base--linux-amd64')).toMatchObject({ status: 'success' });
    for (const app of ['app-kaniko', 'app-buildkit']) {
      expect(leg(`${app}--linux-arm64`)).toMatchObject({ status: 'failure', error: 'skipped: its need base failed for linux/arm64' });
    }
    expect(second.result.stdout).toContain('[app-kaniko--linux-arm64] skipped: its need base failed for linux/arm64');
  });

  it('second run: the base and its dependants keep the tags of the first run', async () => {
    for (const image of ['base', 'app-kaniko', 'app-buildkit']) {
      expect(await tagDigest(`${repository(image)}:latest`)).toBe(first.latest[image]);
    }
  });
});
