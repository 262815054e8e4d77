// Issue 14 with push off (a dry run, as for a pull request from a fork), end to end with
// `hephy-builder run --push false` on the local registry: a BuildKit base and a BuildKit app
// `FROM ${BASE_IMAGE}` (`needs: [base]`) both build, the app on the OCI layout the base's leg kept
// (an `oci-layout://` named context: moby/buildkit v0.32.2 frontend/dockerui/namedcontext.go),
// so the app's own layout holds the base's new file and the base's layers; a ko app on the same
// base builds on that layout through ko's base-image cache (ko v0.19.1 pkg/commands/cache.go);
// a Kaniko app is skipped with the reason (Kaniko v1.25.5 takes a base image only from a registry
// or its cache of tarballs, pkg/image/image_util.go RetrieveSourceImage); nothing is pushed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { run } from '../../src/tools/exec.js';
import { toolEnv } from '../../src/tools/paths.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { runCli, services, tempDir, type CliRun } from './harness.js';

const RUN_TIMEOUT_MS = 20 * 60 * 1000;
const APP_DOCKERFILE =
  'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY app.txt /app.txt\nRUN cp /base.txt /app-saw.txt && uname -m > /built-on.txt\n';
const BOTH = ['linux/amd64', 'linux/arm64'];
const slug = (platform: string) => platform.replace('/', '-');
const UNAME: Record<string, string> = { 'linux/amd64': 'x86_64\n', 'linux/arm64': 'aarch64\n' };

/** Reads a JSON blob of an OCI layout by digest. */
function blobJson(layout: string, digest: string): any {
  return JSON.parse(readFileSync(join(layout, 'blobs', ...digest.split(':')), 'utf8'));
}

/**
 * The one platform image manifest of a layout and its digest: index.json names it, or an index
 * it names does, beside BuildKit's attestation manifests (platform unknown/unknown).
 */
function layoutManifest(layout: string): { digest: string; manifest: any } {
  const images: string[] = [];
  const visit = (entries: any[]) => {
    for (const entry of entries) {
      if (entry.mediaType === 'application/vnd.oci.image.index.v1+json') visit(blobJson(layout, entry.digest).manifests);
      else if (entry.mediaType === 'application/vnd.oci.image.manifest.v1+json' && entry.platform?.os !== 'unknown')
        images.push(entry.digest);
    }
  };
  visit(JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests);
  expect(images).toHaveLength(1);
  return { digest: images[0], manifest: blobJson(layout, images[0]) };
}

/**
 * A file of the image's filesystem, read from its layers in the layout (the topmost layer that
 * has it wins): each layer a gzip'd tar, read by its 512-byte ustar headers (POSIX pax).
 */
function fileInLayout(layout: string, path: string): string | undefined {
  const wanted = path.replace(/^\/+/, '');
  let found: string | undefined;
  for (const layer of layoutManifest(layout).manifest.layers as { digest: string }[]) {
    const tar = gunzipSync(readFileSync(join(layout, 'blobs', ...layer.digest.split(':'))));
    for (let at = 0; at + 512 <= tar.length;) {
      const header = tar.subarray(at, at + 512);
      if (header.every((b) => b === 0)) break;
      const text = (from: number, length: number) =>
        header
          .subarray(from, from + length)
          .toString('utf8')
          .replace(/\0.*$/s, '');
      const name = `${text(345, 155) ? `${text(345, 155)}/` : ''}${text(0, 100)}`.replace(/^(\.?\/)+/, '');
      const size = parseInt(text(124, 12).trim() || '0', 8);
      const type = text(156, 1);
      if (name === wanted && (type === '0' || type === '')) found = tar.subarray(at + 512, at + 512 + size).toString('utf8');
      at += 512 + Math.ceil(size / 512) * 512;
    }
  }
  return found;
}

describe('images built on images with push off: the next wave builds on OCI layouts (e2e)', () => {
  const svc = services();
  const prefix = `e2e-imgnopush-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const out = tempDir('images-nopush-out');
  let repo: TempRepo;
  let result: CliRun;
  let catalogBefore: string[];
  const catalog = async () =>
    (await run('crane', ['catalog', '--insecure', svc.registry], { env: toolEnv() })).stdout.split('\n').filter(Boolean);
  const legRecord = (id: string) => JSON.parse(readFileSync(join(out, 'legs', `hephy-leg-${id}.json`), 'utf8'));

  beforeAll(async () => {
    repo = tempRepo({
      // BuildKit's own provenance: the base's layout holds an index (image + attestation manifest)
      // around the platform manifest the dependants build on. SBOMs on (the default): with push off
      // and BuildKit's provenance syft has nothing it reads, so the leg says so and still succeeds.
      'base/build-config.yaml':
        'build_backend: buildkit\nplatforms: [linux/amd64, linux/arm64]\nbuild_args: ["BASE_IMAGE=${BASE_IMAGE}"]\nbuildkit_provenance: true\n',
      'base/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY base.txt /base.txt\n',
      'base/base.txt': 'base, never pushed\n',
      'app-buildkit/build-config.yaml': 'build_backend: buildkit\nplatforms: [linux/amd64, linux/arm64]\nneeds: [base]\n',
      'app-buildkit/Dockerfile': APP_DOCKERFILE,
      'app-buildkit/app.txt': 'buildkit app\n',
      'app-kaniko/build-config.yaml': 'build_backend: kaniko\nplatforms: [linux/amd64]\nneeds: [base]\n',
      'app-kaniko/Dockerfile': APP_DOCKERFILE,
      'app-kaniko/app.txt': 'kaniko app\n',
      'app-ko/build-config.yaml':
        'build_backend: ko\nplatforms: [linux/amd64, linux/arm64]\nneeds: [base]\nko_config:\n  import_path: ./cmd/hello\n  env: [CGO_ENABLED=0]\n',
      'app-ko/go.mod': 'module example.com/app-ko\n\ngo 1.22\n',
      'app-ko/cmd/hello/main.go': 'package main\n\nfunc main() { println("hello") }\n',
    });
    repo.commit('a base and two apps on it');
    catalogBefore = await catalog();
    result = await runCli([
      'run',
      '--root',
      repo.root,
      '--registry',
      svc.registry,
      '--prefix',
      prefix,
      '--out',
      out,
      '--kaniko-image',
      svc.kanikoImage,
      '--push',
      'false',
    ]);
  }, RUN_TIMEOUT_MS);

  afterAll(() => repo?.remove());

  it('builds the base, the BuildKit app and the ko app in two waves, both platforms; the Kaniko app is skipped with the reason (exit code 1)', () => {
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('hephy: wave 2 of 2: 5 leg(s)');
    // The base's legs (BuildKit's provenance, push off) make no SBOM and say why; they still succeed.
    expect(result.stdout).toContain(
      "[base--linux-amd64] no SBOM: nothing was pushed, and the image is kept only inside an index (BuildKit's provenance)",
    );
    for (const platform of BOTH) {
      expect(legRecord(`base--${slug(platform)}`)).toMatchObject({
        status: 'success',
        pushed: false,
        layout: `hephy-layout-base--${slug(platform)}`,
      });
      expect(legRecord(`app-buildkit--${slug(platform)}`)).toMatchObject({ status: 'success', pushed: false });
      expect(legRecord(`app-ko--${slug(platform)}`)).toMatchObject({ status: 'success', pushed: false });
    }
    const reason =
      'skipped: its need base was built without pushing for linux/amd64, and Kaniko cannot build FROM an OCI layout; push the base or use BuildKit';
    expect(legRecord('app-kaniko--linux-amd64')).toMatchObject({ status: 'failure', error: reason });
    expect(result.stdout).toContain(`[app-kaniko--linux-amd64] ${reason}`);
    // A skipped dependant fails the run, as a failed one does.
    expect(result.code).toBe(1);
  });

  it.each(BOTH)(
    "the BuildKit app (%s) was built on the base's layout of its platform: its layout holds the base's file and starts with its layers",
    (platform) => {
      const baseLayout = join(out, 'layouts', `hephy-layout-base--${slug(platform)}`);
      const appLayout = join(out, 'layouts', `hephy-layout-app-buildkit--${slug(platform)}`);
      const base = layoutManifest(baseLayout);
      const app = layoutManifest(appLayout);
      const top = JSON.parse(readFileSync(join(baseLayout, 'index.json'), 'utf8')).manifests;
      expect(top.map((m: { mediaType: string }) => m.mediaType)).toEqual(['application/vnd.oci.image.index.v1+json']);
      expect(base.digest).toBe(legRecord(`base--${slug(platform)}`).digest);
      expect(app.digest).toBe(legRecord(`app-buildkit--${slug(platform)}`).digest);
      expect(result.stdout).toContain(
        `[app-buildkit--${slug(platform)}] on the OCI layout ${baseLayout} (${base.digest}, built without pushing) (BASE_IMAGE)`,
      );
      expect(blobJson(appLayout, app.manifest.config.digest).architecture).toBe(platform.split('/')[1]);
      expect(fileInLayout(appLayout, '/base.txt')).toBe('base, never pushed\n');
      // The app's RUN step ran on the base's filesystem, on that platform (under QEMU for arm64).
      expect(fileInLayout(appLayout, '/app-saw.txt')).toBe('base, never pushed\n');
      expect(fileInLayout(appLayout, '/built-on.txt')).toBe(UNAME[platform]);
      expect(fileInLayout(appLayout, '/app.txt')).toBe('buildkit app\n');
      const baseLayers = base.manifest.layers.map((l: { digest: string }) => l.digest);
      expect(app.manifest.layers.map((l: { digest: string }) => l.digest).slice(0, baseLayers.length)).toEqual(baseLayers);
      expect(app.manifest.layers.length).toBeGreaterThan(baseLayers.length);
    },
  );

  it.each(BOTH)(
    "the ko app (%s) was built on the base's layout too: its layout holds the base's file, its binary and layers",
    (platform) => {
      const base = layoutManifest(join(out, 'layouts', `hephy-layout-base--${slug(platform)}`));
      const appLayout = join(out, 'layouts', `hephy-layout-app-ko--${slug(platform)}`);
      const app = layoutManifest(appLayout);
      expect(app.digest).toBe(legRecord(`app-ko--${slug(platform)}`).digest);
      expect(blobJson(appLayout, app.manifest.config.digest).architecture).toBe(platform.split('/')[1]);
      expect(fileInLayout(appLayout, '/base.txt')).toBe('base, never pushed\n');
      expect(fileInLayout(appLayout, '/ko-app/hello')?.startsWith('\x7fELF')).toBe(true);
      const baseLayers = base.manifest.layers.map((l: { digest: string }) => l.digest);
      expect(app.manifest.layers.map((l: { digest: string }) => l.digest).slice(0, baseLayers.length)).toEqual(baseLayers);
    },
  );

  it('the skipped Kaniko app built nothing', () => {
    expect(existsSync(join(out, 'layouts', 'hephy-layout-app-kaniko--linux-amd64'))).toBe(false);
  });

  it('pushed nothing: the registry has no repository under the run’s prefix', async () => {
    const after = await catalog();
    expect(after.filter((r) => r.startsWith(`${prefix}/`))).toEqual([]);
    expect(after.filter((r) => !catalogBefore.includes(r) && !r.startsWith('hephy/'))).toEqual([]);
  });
});
