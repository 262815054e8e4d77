// The kaniko backend against the local registry: examples/kaniko-app built for linux/amd64 and
// linux/arm64 by the Go-built executor image in podman (arm64 RUN steps under QEMU), each leg
// pushed by digest.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKanikoBackend, kanikoBackend, resolveKanikoImage } from '../../src/backends/kaniko.js';
import { startRegistry } from '../../src/tools/localServices.js';
import { toolEnv, packageRoot } from '../../src/tools/paths.js';
import { loadBuildConfig } from '../../src/core/config/load.js';
import { run, type RunOptions } from '../../src/tools/exec.js';
import { registrySecrets, withRegistryAuth } from '../../src/tools/registryAuth.js';
import { testLeg } from '../helpers/legContext.js';
import { extractFile, imageConfig, rawManifest, services, tempDir } from './harness.js';
import { repositoryTags } from './registryTags.js';

const TIMEOUT_MS = 10 * 60 * 1000;
const example = join(packageRoot(), 'examples', 'kaniko-app');
const { config } = loadBuildConfig(join(example, 'build-config.yaml'));

const cases = [
  { platform: 'linux/amd64', arch: 'amd64', uname: 'x86_64' },
  { platform: 'linux/arm64', arch: 'arm64', uname: 'aarch64' },
];

/** What the build left in the registry for one leg. */
async function checkPushed(ref: string, arch: string, uname: string): Promise<void> {
  const manifest = await rawManifest(ref);
  expect(manifest.manifests).toBeUndefined(); // a platform manifest, not an index
  expect(manifest.config?.digest).toMatch(/^sha256:/);
  const image = await imageConfig(ref);
  expect([image.os, image.architecture]).toEqual(['linux', arch]);
  const dir = tempDir('kaniko-fs');
  // The RUN step ran as the target platform (QEMU for arm64 on an amd64 host).
  expect(readFileSync(await extractFile(ref, '/built-on.txt', dir), 'utf8').trim()).toBe(uname);
  expect(readFileSync(await extractFile(ref, '/hello.txt', dir), 'utf8').trim()).toBe('hello from kaniko-app');
}

describe('kaniko backend (e2e)', () => {
  const svc = services();
  const run36 = Date.now().toString(36);

  it('reads the example config', () => {
    expect(config?.build_backend).toBe('kaniko');
    expect(svc.kanikoImage).toBe('localhost/hephy/kaniko-executor:v1.25.5');
  });

  it(
    'prepares a local run with the real scripts/kaniko-image.sh (a no-op after the e2e setup): the image legs use is in podman',
    async () => {
      await kanikoBackend.prepareRun!({});
      const { ctx } = testLeg({ backend: 'kaniko', env: toolEnv() });
      const image = resolveKanikoImage(ctx);
      expect(image).toBe(svc.kanikoImage);
      expect((await run('podman', ['image', 'exists', image], { env: toolEnv(), allowFailure: true })).code).toBe(0);
    },
    TIMEOUT_MS,
  );

  describe.each(cases)('$platform', ({ platform, arch, uname }) => {
    it(
      'builds examples/kaniko-app and pushes it by digest with no tag',
      async () => {
        const repository = `${svc.registry}/e2e/kaniko-${run36}`;
        const { ctx, logs } = testLeg({
          backend: 'kaniko',
          platform,
          image: 'kaniko-app',
          sourceDir: example,
          repository,
          config,
          env: { ...toolEnv(), BASE_IMAGE: svc.busybox },
        });
        ctx.options = { kanikoImage: svc.kanikoImage };
        const setupStarted = Date.now();
        expect(await kanikoBackend.setup(ctx)).toBe(`v1.25.5 (podman, ${svc.kanikoImage}, push by digest with skopeo)`);
        const started = Date.now();
        const result = await kanikoBackend.build(ctx);
        process.stderr.write(
          `kaniko ${platform}: setup ${started - setupStarted} ms, build+push ${Date.now() - started} ms (push ${result.pushMs} ms)\n`,
        );

        expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
        expect(result.pushMs).toBeGreaterThan(0);
        await checkPushed(`${repository}@${result.digest}`, arch, uname);
        expect(await repositoryTags(repository)).toEqual([]);
        expect(logs.some((l) => l.includes('RUN uname -m > /built-on.txt'))).toBe(true);
      },
      TIMEOUT_MS,
    );
  });

  it(
    'pushes to the documented scratch tag only, when skopeo is not installed',
    async () => {
      const repository = `${svc.registry}/e2e/kaniko-scratch-${run36}`;
      const { ctx } = testLeg({
        backend: 'kaniko',
        platform: 'linux/arm64',
        image: 'kaniko-app',
        sourceDir: example,
        repository,
        config,
        env: { ...toolEnv(), BASE_IMAGE: svc.busybox },
      });
      ctx.options = { kanikoImage: svc.kanikoImage };
      // `which('skopeo')` must find nothing: the leg's PATH holds only a podman stub for the
      // lookup, while the commands themselves run with the real PATH.
      const noSkopeo = tempDir('no-skopeo');
      writeFileSync(join(noSkopeo, 'podman'), '#!/bin/sh\nexit 1\n');
      chmodSync(join(noSkopeo, 'podman'), 0o755);
      ctx.env = { ...ctx.env, PATH: noSkopeo, HEPHY_TOOLS_DIR: tempDir('no-tools') };
      const realEnv = toolEnv();
      const runner = (cmd: string, args: readonly string[], options: RunOptions = {}) =>
        run(cmd, args, { ...options, env: { ...options.env, PATH: realEnv.PATH, CONTAINERS_CONF: realEnv.CONTAINERS_CONF } });
      const backend = createKanikoBackend({ runner });

      expect(await backend.setup(ctx)).toContain('push to hephy-leg-kaniko-app--linux-arm64');
      const result = await backend.build(ctx);
      expect(result.pushMs).toBeGreaterThan(0);
      await checkPushed(`${repository}@${result.digest}`, 'arm64', 'aarch64');
      expect(await repositoryTags(repository)).toEqual(['hephy-leg-kaniko-app--linux-arm64']);
      const tagged = (await run('crane', ['digest', '--insecure', `${repository}:hephy-leg-kaniko-app--linux-arm64`])).stdout.trim();
      expect(tagged).toBe(result.digest);
    },
    TIMEOUT_MS,
  );

  it(
    'fails a broken RUN step with a one-line reason',
    async () => {
      const sourceDir = tempDir('kaniko-broken');
      const { ctx, write } = testLeg({
        backend: 'kaniko',
        platform: 'linux/amd64',
        sourceDir,
        repository: `${svc.registry}/e2e/kaniko-broken-${run36}`,
        config: { build_args: ['BASE_IMAGE=${BASE_IMAGE}'] },
        env: { ...toolEnv(), BASE_IMAGE: svc.busybox },
      });
      write({ Dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo about to fail && exit 7\n' });
      ctx.options = { kanikoImage: svc.kanikoImage };
      await expect(kanikoBackend.build(ctx)).rejects.toThrow(
        /^kaniko: RUN echo about to fail && exit 7 failed with exit status 7: about to fail$/,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'pushes to a registry that wants a password through the mounted docker config only',
    async () => {
      const password = `pw-${run36}-${Math.random().toString(36).slice(2)}`;
      const registry = await startRegistry({ htpasswd: { user: 'hephy', password } });
      try {
        const creds = { registry: registry.address, username: 'hephy', password };
        const secrets = registrySecrets(creds);
        const repository = `${registry.address}/e2e/kaniko-auth`;
        const leg = (env: NodeJS.ProcessEnv) => {
          const made = testLeg({
            backend: 'kaniko',
            platform: 'linux/amd64',
            image: 'kaniko-app',
            sourceDir: example,
            repository,
            config,
            env,
          });
          made.ctx.options = { kanikoImage: svc.kanikoImage };
          made.ctx.secrets = secrets;
          return made;
        };
        const commands: string[] = [];
        const runner = (cmd: string, args: readonly string[], options: RunOptions = {}) => {
          commands.push([cmd, ...args].join(' '));
          return run(cmd, args, options);
        };
        const backend = createKanikoBackend({ runner });

        // Without the login: skopeo's push is refused, in one line.
        const anonymous = leg({ ...toolEnv(), BASE_IMAGE: svc.busybox, DOCKER_CONFIG: tempDir('no-auth') });
        await expect(backend.build(anonymous.ctx)).rejects.toThrow(
          new RegExp(`^skopeo: cannot push ${repository}@sha256:[a-f0-9]{64}: .*(unauthorized|authentication required)`, 'i'),
        );

        const authEnv = withRegistryAuth({ ...toolEnv(), BASE_IMAGE: svc.busybox }, creds, tempDir('auth'));
        const { ctx, logs } = leg(authEnv);
        const result = await backend.build(ctx);
        const image = JSON.parse(
          (await run('crane', ['config', '--insecure', `${repository}@${result.digest}`], { env: authEnv, secrets })).stdout,
        );
        expect(image.architecture).toBe('amd64');
        const everything = [...commands, ...logs, ...anonymous.logs].join('\n');
        for (const secret of secrets) expect(everything).not.toContain(secret);
      } finally {
        await registry.stop();
      }
    },
    TIMEOUT_MS,
  );
});
