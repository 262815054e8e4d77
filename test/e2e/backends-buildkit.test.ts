// The BuildKit backend against the local registry and buildkitd (builder `hephy`): one leg per
// platform, pushed by digest, with a local build cache that rotates.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildkitBackend } from '../../src/backends/buildkit.js';
import { toolEnv } from '../../src/tools/paths.js';
import { testLeg } from '../helpers/legContext.js';
import { extractFile, imageConfig, rawManifest, services, tempDir } from './harness.js';
import { repositoryTags } from './registryTags.js';

const TIMEOUT_MS = 10 * 60 * 1000;

const DOCKERFILE = `ARG BASE_IMAGE
FROM \${BASE_IMAGE} AS runtime
ARG TARGETARCH
RUN --mount=type=cache,target=/var/cache/app echo "$TARGETARCH" >> /var/cache/app/runs && cp /var/cache/app/runs /runs
RUN uname -m > /arch
COPY hello.txt /hello.txt
`;

function dockerApp(dockerfile = DOCKERFILE): string {
  const dir = tempDir('bk-app');
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(join(dir, 'hello.txt'), 'hello from the build context\n');
  return dir;
}

const cases = [
  { platform: 'linux/amd64', arch: 'amd64', uname: 'x86_64' },
  { platform: 'linux/arm64', arch: 'arm64', uname: 'aarch64' },
];

describe('buildkit backend (e2e)', () => {
  const svc = services();
  const sourceDir = dockerApp();
  const repository = `${svc.registry}/e2e/buildkit-${Date.now().toString(36)}`;
  const env = { ...toolEnv(), HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER!, E2E_BASE: svc.busybox };

  it.each(cases)(
    'builds and pushes $platform by digest, with no tag, and keeps its cache',
    async ({ platform, arch, uname }) => {
      const leg = testLeg({
        backend: 'buildkit',
        platform,
        sourceDir,
        repository,
        env,
        config: { build_args: ['BASE_IMAGE=${E2E_BASE}'], target: 'runtime' },
      });
      const { ctx } = leg;
      expect(await buildkitBackend.setup(ctx)).toMatch(/^v\d+\.\d+/);
      for (const round of ['cold', 'warm']) {
        const started = Date.now();
        const result = await buildkitBackend.build(ctx);
        process.stderr.write(`buildkit ${platform} ${round}: ${Date.now() - started} ms (push ${result.pushMs} ms)\n`);

        expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
        const ref = `${repository}@${result.digest}`;
        const manifest = await rawManifest(ref);
        expect(manifest.manifests).toBeUndefined();
        expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
        const config = await imageConfig(ref);
        expect([config.os, config.architecture]).toEqual(['linux', arch]);
        const archFile = await extractFile(ref, '/arch', tempDir('bk-fs'));
        expect(readFileSync(archFile, 'utf8').trim()).toBe(uname);
        const hello = await extractFile(ref, '/hello.txt', tempDir('bk-fs'));
        expect(readFileSync(hello, 'utf8')).toBe('hello from the build context\n');

        const cache = join(ctx.cacheDir, `app-${platform.replace('/', '-')}`);
        expect(existsSync(join(cache, 'index.json'))).toBe(true);
        expect(existsSync(`${cache}.next`)).toBe(false);
      }
      expect(leg.logs.some((l) => /^#\d+ pushing layers/.test(l))).toBe(true);
      expect(await repositoryTags(repository)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'explains a # syntax= frontend that cannot be fetched',
    async () => {
      const dir = dockerApp(`# syntax=127.0.0.1:1/nope/dockerfile:1\n${DOCKERFILE}`);
      const { ctx } = testLeg({
        backend: 'buildkit',
        platform: 'linux/amd64',
        sourceDir: dir,
        repository,
        env,
        config: { build_args: ['BASE_IMAGE=${E2E_BASE}'] },
      });
      await expect(buildkitBackend.build(ctx)).rejects.toThrow(
        /Dockerfile line 1 \(# syntax=127\.0\.0\.1:1\/nope\/dockerfile:1\) makes BuildKit pull that Dockerfile frontend image/,
      );
      expect(existsSync(join(ctx.cacheDir, 'app-linux-amd64.next'))).toBe(false);
    },
    TIMEOUT_MS,
  );

  it(
    'names a builder that does not exist',
    async () => {
      const { ctx } = testLeg({ backend: 'buildkit', sourceDir, repository, env: { ...env, HEPHY_BUILDX_BUILDER: 'no-such-builder' } });
      await expect(buildkitBackend.setup(ctx)).rejects.toThrow('buildx has no builder named no-such-builder');
    },
    TIMEOUT_MS,
  );
});
