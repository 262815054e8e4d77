// The ko backend against the local registry: one leg per platform, pushed by digest.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { koBackend } from '../../src/backends/ko.js';
import { toolEnv } from '../../src/tools/paths.js';
import { run } from '../../src/tools/exec.js';
import { testLeg } from '../helpers/legContext.js';
import { fileType, imageConfig, rawManifest, services, tempDir } from './harness.js';
import { repositoryTags } from './registryTags.js';

const TIMEOUT_MS = 10 * 60 * 1000;

function goApp(): string {
  const dir = tempDir('ko-app');
  mkdirSync(join(dir, 'cmd', 'hello'), { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/hephy/kohello\n\ngo 1.22\n');
  writeFileSync(
    join(dir, 'cmd', 'hello', 'main.go'),
    'package main\n\nimport (\n\t"fmt"\n\t"runtime"\n)\n\nvar version = "dev"\n\nfunc main() { fmt.Printf("hello %s %s/%s\\n", version, runtime.GOOS, runtime.GOARCH) }\n',
  );
  return dir;
}

/**
 * ko's layer stores the binary as `/ko-app/NAME` (absolute member name), which harness.extractFile's
 * `tar -x ko-app/NAME` does not match; a wildcard matches both spellings.
 */
async function extractKoBinary(ref: string, name: string): Promise<string> {
  const dir = tempDir('ko-fs');
  await run('crane', ['export', '--insecure', ref, join(dir, 'fs.tar')]);
  await run('tar', ['-xf', join(dir, 'fs.tar'), '-C', dir, '--wildcards', `*ko-app/${name}`]);
  return join(dir, 'ko-app', name);
}

const cases = [
  { platform: 'linux/amd64', arch: 'amd64', elf: /x86-64/ },
  { platform: 'linux/arm64', arch: 'arm64', elf: /ARM aarch64/ },
];

describe('ko backend (e2e)', () => {
  const svc = services();
  const sourceDir = goApp();
  const repository = `${svc.registry}/e2e/ko-${Date.now().toString(36)}`;

  it.each(cases)(
    'builds and pushes $platform by digest, with no tag',
    async ({ platform, arch, elf }) => {
      const { ctx, logs } = testLeg({
        backend: 'ko',
        platform,
        sourceDir,
        repository,
        config: { ko_config: { base_image: svc.staticBase, ldflags: ['-s -w', '-X main.version=${E2E_VERSION}'] } },
        env: { ...toolEnv(), E2E_VERSION: 'v9.8.7' },
      });
      expect(await koBackend.setup(ctx)).toMatch(/^v\d+\.\d+/);
      const started = Date.now();
      const result = await koBackend.build(ctx);
      process.stderr.write(`ko ${platform}: ${Date.now() - started} ms (push ${result.pushMs} ms)\n`);

      expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(result.pushMs).toBeGreaterThan(0);
      const ref = `${repository}@${result.digest}`;
      const manifest = await rawManifest(ref);
      expect(manifest.manifests).toBeUndefined();
      expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      const config = await imageConfig(ref);
      expect([config.os, config.architecture]).toEqual(['linux', arch]);
      expect(config.config.User).toBe('65532'); // from hephy/static:nonroot

      const binary = await extractKoBinary(ref, 'hello');
      expect(await fileType(binary)).toMatch(elf);
      // The ldflag with ${E2E_VERSION} reached the binary (arm64 runs through qemu-aarch64).
      expect((await run(binary, [])).stdout.trim()).toBe(`hello v9.8.7 ${platform}`);

      expect(await repositoryTags(repository)).toEqual([]);
      expect(logs.some((l) => l.startsWith('Building example.com/hephy/kohello/cmd/hello'))).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    'asks for a base image instead of reaching for an unreachable default',
    async () => {
      const { ctx } = testLeg({ backend: 'ko', sourceDir, repository, env: { ...toolEnv(), KO_DEFAULTBASEIMAGE: '' } });
      await expect(koBackend.build(ctx)).rejects.toThrow('ko needs a base image here: set ko_config.base_image or pass --base-image');
    },
    TIMEOUT_MS,
  );

  it(
    'fails with ko own message when the base image lacks the platform',
    async () => {
      const { ctx } = testLeg({
        backend: 'ko',
        platform: 'linux/s390x',
        sourceDir,
        repository,
        config: { ko_config: { base_image: svc.staticBase } },
        env: toolEnv(),
      });
      await expect(koBackend.build(ctx)).rejects.toThrow(/no matching platforms in base image index/);
      expect(await repositoryTags(repository)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
