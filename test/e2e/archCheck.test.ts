// The architecture check on real builds: each backend builds an image for linux/arm64 that holds
// an x86-64 executable (copied in by a Dockerfile, or shipped as ko data), and the leg fails
// before anything of the image reaches the registry, naming the file; the same app done right
// passes and is pushed. Kaniko also gets BuildKit's automatic platform args: a Dockerfile that
// writes $TARGETOS/$TARGETARCH/$TARGETPLATFORM reads back its own values from each image.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../../src/backends/backend.js';
import { buildkitBackend } from '../../src/backends/buildkit.js';
import { kanikoBackend } from '../../src/backends/kaniko.js';
import { koBackend } from '../../src/backends/ko.js';
import { ArchMismatchError } from '../../src/core/archCheck.js';
import type { BackendName, BuildConfig } from '../../src/core/config/schema.js';
import { run } from '../../src/tools/exec.js';
import { toolEnv } from '../../src/tools/paths.js';
import { testLeg } from '../helpers/legContext.js';
import { extractFile, imageConfig, services, tempDir } from './harness.js';
import { repositoryTags } from './registryTags.js';

const TIMEOUT_MS = 15 * 60 * 1000;

const TOOL_SOURCE = `package main

import "fmt"

func main() { fmt.Println("tool") }
`;

/** A real static Go executable for each architecture: tool-amd64, tool-arm64. */
async function tools(dir: string): Promise<void> {
  writeFileSync(join(dir, 'main.go'), TOOL_SOURCE);
  writeFileSync(join(dir, 'go.mod'), 'module example.com/tool\n\ngo 1.21\n');
  for (const arch of ['amd64', 'arm64']) {
    await run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', `tool-${arch}`, '.'], {
      cwd: dir,
      env: { ...toolEnv(), CGO_ENABLED: '0', GOOS: 'linux', GOARCH: arch },
    });
  }
}

/** Dockerfile apps: `wrong` copies the amd64 tool whatever the platform, `right` the leg's own. */
function dockerApp(toolsDir: string, dockerfile: string): string {
  const dir = tempDir('arch-app');
  for (const arch of ['amd64', 'arm64'])
    writeFileSync(join(dir, `tool-${arch}`), readFileSync(join(toolsDir, `tool-${arch}`)), { mode: 0o755 });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

const WRONG = `ARG BASE_IMAGE
FROM \${BASE_IMAGE}
COPY tool-amd64 /usr/local/bin/tool
`;

// ARG TARGETARCH=amd64 as a default: the Dockerfile of the issue. BuildKit keeps a stage ARG's
// default over its automatic value (dockerfile2llb convert.go dispatchArg), so this copies the
// amd64 tool on every platform, and Kaniko, given the args as BuildKit gives them, agrees.
const DEFAULTED = `ARG BASE_IMAGE
FROM \${BASE_IMAGE}
ARG TARGETARCH=amd64
COPY tool-\${TARGETARCH} /usr/local/bin/tool
`;

const RIGHT = `ARG BASE_IMAGE
FROM \${BASE_IMAGE}
ARG TARGETARCH
ARG TARGETOS
ARG TARGETPLATFORM
COPY tool-\${TARGETARCH} /usr/local/bin/tool
RUN echo "$TARGETOS/$TARGETARCH/$TARGETPLATFORM" > /platform.txt
`;

async function registryHas(ref: string): Promise<boolean> {
  const { code } = await run('crane', ['manifest', '--insecure', ref], { env: toolEnv(), allowFailure: true });
  return code === 0;
}

describe('architecture check (e2e)', () => {
  const svc = services();
  const run36 = Date.now().toString(36);
  const toolsDir = tempDir('arch-tools');
  let wrongApp = '';
  let defaultedApp = '';
  let rightApp = '';

  beforeAll(async () => {
    await tools(toolsDir);
    wrongApp = dockerApp(toolsDir, WRONG);
    defaultedApp = dockerApp(toolsDir, DEFAULTED);
    rightApp = dockerApp(toolsDir, RIGHT);
  }, TIMEOUT_MS);

  function leg(backend: BackendName, sourceDir: string, platform: string, repository: string, config: BuildConfig = {}) {
    const l = testLeg({
      backend,
      platform,
      sourceDir,
      repository,
      config: { build_args: ['BASE_IMAGE=${E2E_BASE}'], ...config },
      env: { ...toolEnv(), HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER ?? '', E2E_BASE: svc.busybox },
    });
    if (backend === 'kaniko') l.ctx.options = { kanikoImage: svc.kanikoImage };
    return l;
  }

  async function expectRefused(backend: Backend, l: ReturnType<typeof leg>, repository: string, file: string): Promise<void> {
    await backend.setup(l.ctx);
    const error: unknown = await backend.build(l.ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchMismatchError);
    const message = (error as Error).message;
    process.stderr.write(`${backend.name} wrong-arch leg: ${message}\n`);
    expect(message).not.toContain('\n');
    expect(message).toContain(`the linux/arm64 image holds files for another architecture than AArch64: ${file} (x86-64)`);
    // Nothing of the image reached the registry: no tag, and not even the repository by digest.
    expect(await repositoryTags(repository)).toEqual([]);
    const built = l.logs.map((line) => /sha256:[a-f0-9]{64}/.exec(line)?.[0]).filter(Boolean);
    for (const digest of new Set(built)) expect(await registryHas(`${repository}@${digest}`)).toBe(false);
  }

  it(
    'BuildKit: an arm64 image holding an x86-64 executable fails the leg before push; the right one passes',
    async () => {
      const repository = `${svc.registry}/e2e/arch-buildkit-${run36}`;
      for (const app of [wrongApp, defaultedApp]) {
        await expectRefused(buildkitBackend, leg('buildkit', app, 'linux/arm64', repository), repository, '/usr/local/bin/tool');
      }

      const right = leg('buildkit', rightApp, 'linux/arm64', repository);
      await buildkitBackend.setup(right.ctx);
      const result = await buildkitBackend.build(right.ctx);
      process.stderr.write(`buildkit right-arch leg: check ${result.verifyMs} ms\n`);
      expect(result.verifyMs).toBeGreaterThanOrEqual(0);
      expect(await registryHas(`${repository}@${result.digest}`)).toBe(true);
      expect(await repositoryTags(repository)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'Kaniko: an arm64 image holding an x86-64 executable fails the leg before push (ARG TARGETARCH=amd64 keeps its default, as in BuildKit)',
    async () => {
      const repository = `${svc.registry}/e2e/arch-kaniko-wrong-${run36}`;
      for (const app of [wrongApp, defaultedApp]) {
        await expectRefused(kanikoBackend, leg('kaniko', app, 'linux/arm64', repository), repository, '/usr/local/bin/tool');
      }
    },
    TIMEOUT_MS,
  );

  it(
    'Kaniko: each platform image gets its own TARGETOS/TARGETARCH/TARGETPLATFORM and passes the check',
    async () => {
      const repository = `${svc.registry}/e2e/arch-kaniko-right-${run36}`;
      for (const [platform, arch] of [
        ['linux/amd64', 'amd64'],
        ['linux/arm64', 'arm64'],
      ]) {
        const l = leg('kaniko', rightApp, platform, repository);
        await kanikoBackend.setup(l.ctx);
        const result = await kanikoBackend.build(l.ctx);
        const ref = `${repository}@${result.digest}`;
        expect((await imageConfig(ref)).architecture).toBe(arch);
        const dir = tempDir('arch-fs');
        expect(readFileSync(await extractFile(ref, '/platform.txt', dir), 'utf8').trim()).toBe(`linux/${arch}/${platform}`);
        const tool = await extractFile(ref, '/usr/local/bin/tool', tempDir('arch-fs'));
        expect(readFileSync(tool).readUInt16LE(18)).toBe(arch === 'amd64' ? 62 : 183); // e_machine
      }
      expect(await repositoryTags(repository)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'ko: an x86-64 executable shipped in kodata fails the arm64 leg before push; verify_arch: false lets it through',
    async () => {
      const app = tempDir('arch-ko');
      writeFileSync(join(app, 'go.mod'), 'module example.com/hello\n\ngo 1.21\n');
      writeFileSync(join(app, 'main.go'), TOOL_SOURCE);
      mkdirSync(join(app, 'kodata'));
      writeFileSync(join(app, 'kodata', 'helper'), readFileSync(join(toolsDir, 'tool-amd64')), { mode: 0o755 });
      const repository = `${svc.registry}/e2e/arch-ko-${run36}`;
      const koConfig = { ko_config: { base_image: svc.staticBase } };
      // ko puts kodata under /var/run/ko (ko's pkg/build/gobuild.go, kodataRoot).
      await expectRefused(koBackend, leg('ko', app, 'linux/arm64', repository, koConfig), repository, '/var/run/ko/helper');

      const off = leg('ko', app, 'linux/arm64', repository, { ...koConfig, verify_arch: false });
      await koBackend.setup(off.ctx);
      const result = await koBackend.build(off.ctx);
      expect(result.verifyMs).toBeUndefined();
      expect(await registryHas(`${repository}@${result.digest}`)).toBe(true);
      expect(off.logs).toContain('architecture check off (verify_arch: false)');
    },
    TIMEOUT_MS,
  );
});
