// Tools on runners. The Actions cache cannot exist here, so restoreCache/saveCache are stand-ins
// that copy files; the binaries are real (ko and crane of scripts/install-tools.sh), and so is
// `go version -m` that reads their build info.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoTool, RUNNER_TOOLS, setupTools, toolCacheKey, type ToolSetupDeps } from '../../src/action/toolSetup.js';
import { BACKENDS, traitsOf } from '../../src/core/backendTraits.js';
import type { Leg } from '../../src/core/model.js';
import { run, type Runner } from '../../src/tools/exec.js';

const HEPHY_BIN = process.env.HEPHY_BIN ?? join(homedir(), '.local/hephy-builder/bin');
const env = { ...process.env, PATH: `${HEPHY_BIN}:/usr/local/go/bin:${process.env.PATH ?? ''}` };

describe('tools on runners', () => {
  it('has a pinned version for every tool a backend needs installed on a runner', () => {
    for (const backend of BACKENDS) {
      for (const tool of traitsOf(backend).runnerTools) expect([backend, tool, RUNNER_TOOLS[tool]?.name]).toEqual([backend, tool, tool]);
    }
    expect(traitsOf('ko').runnerTools).toEqual(['ko', 'crane']);
  });

  it('keys the cache by version and module checksum, so a cache entry of another module never matches', () => {
    const key = toolCacheKey(RUNNER_TOOLS.ko);
    expect(key).toContain(RUNNER_TOOLS.ko.pin.version);
    expect(key).toContain(RUNNER_TOOLS.ko.pin.sum);
  });
});

describe('ensureGoTool (stand-in: the Actions cache, as a copy of a file)', () => {
  let home: string;
  let marker: string;
  const logs: string[] = [];
  const warnings: string[] = [];
  const calls: string[] = [];
  /** Runs `go version -m` for real; refuses to build, so a test sees what happens before a build. */
  const runner: Runner = async (cmd, args, options) => {
    calls.push([cmd, ...args].join(' '));
    if (cmd === 'go' && args[0] === 'version') return run(cmd, args, options);
    throw new Error(`stand-in: no build in this test (${cmd} ${args.join(' ')})`);
  };
  const deps = (restored: string | undefined): ToolSetupDeps => ({
    restoreCache: async () => {
      if (!restored) return undefined;
      const dir = join(home, '.cache/hephy-builder/tools/ko', RUNNER_TOOLS.ko.pin.version);
      mkdirSync(dir, { recursive: true });
      copyFileSync(restored, join(dir, 'ko'));
      chmodSync(join(dir, 'ko'), 0o755);
      return 'hit';
    },
    saveCache: async () => undefined,
    runner,
    detectEngine: async () => 'podman',
    log: (line) => logs.push(line),
    warn: (line) => warnings.push(line),
    home,
  });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hephy-toolsetup-'));
    marker = join(home, 'ran');
    logs.length = warnings.length = calls.length = 0;
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('runs a restored ko whose build info shows the pinned module, version and checksum', async () => {
    const binary = await ensureGoTool(RUNNER_TOOLS.ko, env, deps(join(HEPHY_BIN, 'ko')));
    expect(binary).toBe(join(home, '.cache/hephy-builder/tools/ko', RUNNER_TOOLS.ko.pin.version, 'ko'));
    expect(logs.join('\n')).toContain(`build info verified (github.com/google/ko ${RUNNER_TOOLS.ko.pin.sum})`);
    expect(calls).toEqual([`go version -m ${binary}`]);
  });

  it('refuses a tampered cached ko (a script) before it runs, deletes it and builds again', async () => {
    const tampered = join(home, 'evil');
    writeFileSync(tampered, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    await expect(ensureGoTool(RUNNER_TOOLS.ko, env, deps(tampered))).rejects.toThrow('stand-in: no build in this test (go mod download');
    expect(warnings.join('\n')).toMatch(/refused the cached ko .*: .* is not a Go binary with build info/);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(home, '.cache/hephy-builder/tools/ko', RUNNER_TOOLS.ko.pin.version, 'ko'))).toBe(false);
  });

  it('refuses another Go program put in its place (crane named ko)', async () => {
    await expect(ensureGoTool(RUNNER_TOOLS.ko, env, deps(join(HEPHY_BIN, 'crane')))).rejects.toThrow('stand-in');
    expect(warnings.join('\n')).toContain('its main package is github.com/google/go-containerregistry/cmd/crane, not github.com/google/ko');
  });

  it('refuses a binary whose build info names another checksum of the same version', async () => {
    const forged = { ...RUNNER_TOOLS.ko, pin: { ...RUNNER_TOOLS.ko.pin, sum: 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' } };
    await expect(ensureGoTool(forged, env, deps(join(HEPHY_BIN, 'ko')))).rejects.toThrow('stand-in');
    expect(warnings.join('\n')).toContain(`its module checksum is ${RUNNER_TOOLS.ko.pin.sum}, not the pinned h1:AAAA`);
  });

  it('says go is needed when nothing is cached and go is not on PATH', async () => {
    await expect(ensureGoTool(RUNNER_TOOLS.ko, { PATH: '/nonexistent' }, deps(undefined))).rejects.toThrow(
      'ko v0.19.1 is not installed and go is not on PATH to build it (add actions/setup-go)',
    );
  });
});

describe('setupTools', () => {
  const leg = (backend: Leg['backend'], platform = 'linux/amd64'): Leg =>
    ({ id: 'x', image: 'app', dir: 'app', backend, platform, runner: 'ubuntu-latest', emulated: false }) as Leg;
  const quiet = (warnings: string[]): ToolSetupDeps => ({
    restoreCache: async () => undefined,
    saveCache: async () => undefined,
    runner: async () => {
      throw new Error('nothing may run');
    },
    detectEngine: async () => 'podman',
    log: () => undefined,
    warn: (line) => warnings.push(line),
    home: tmpdir(),
  });

  it('warns about a kaniko-image without a digest and keeps it', async () => {
    const warnings: string[] = [];
    const options = await setupTools(
      leg('kaniko'),
      { env, backendOptions: { kanikoImage: 'registry.example/kaniko:v1' } },
      quiet(warnings),
    );
    expect(options.kanikoImage).toBe('registry.example/kaniko:v1');
    expect(warnings).toEqual([expect.stringContaining('kaniko-image registry.example/kaniko:v1 is not pinned by digest')]);
  });

  it('takes a kaniko-image pinned by digest without a word', async () => {
    const warnings: string[] = [];
    const image = `registry.example/kaniko:v1@sha256:${'a'.repeat(64)}`;
    expect((await setupTools(leg('kaniko'), { env, backendOptions: { kanikoImage: image } }, quiet(warnings))).kanikoImage).toBe(image);
    expect(warnings).toEqual([]);
  });

  it('installs the pinned syft when the leg makes its SBOM with it, and only then', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hephy-toolsetup-syft-'));
    try {
      const bare = { PATH: '/nonexistent' };
      const deps = { ...quiet([]), home };
      // Nothing cached, no go: the attempt to build syft says so (a real build takes minutes).
      await expect(setupTools(leg('buildkit'), { env: bare, backendOptions: {}, syft: true }, deps)).rejects.toThrow(
        `syft ${RUNNER_TOOLS.syft.pin.version} is not installed and go is not on PATH to build it`,
      );
      await expect(setupTools(leg('buildkit'), { env: bare, backendOptions: {} }, deps)).resolves.toEqual({});
      // On PATH already (scripts/install-tools.sh here, a self-hosted runner's own): used as it is.
      await expect(setupTools(leg('buildkit'), { env, backendOptions: {}, syft: true }, deps)).resolves.toEqual({});
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('registers no QEMU for ko legs of a foreign platform (ko cross-compiles) and none for the host platform', async () => {
    const warnings: string[] = [];
    const host = process.arch === 'x64' ? 'linux/amd64' : 'linux/arm64';
    await setupTools(leg('ko', 'linux/arm/v7'), { env, backendOptions: {} }, quiet(warnings));
    await setupTools(leg('buildkit', host), { env, backendOptions: {} }, quiet(warnings));
    expect(warnings).toEqual([]);
  });
});
