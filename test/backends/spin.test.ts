// The Spin CLI is not installed on this machine (and cannot be downloaded here): these tests pin
// the exact commands, working directory and environment a leg runs, with an injected runner.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LegContext } from '../../src/backends/backend.js';
import { createSpinBackend, SPIN_NOT_INSTALLED } from '../../src/backends/spin.js';
import type { BuildConfig } from '../../src/core/config/schema.js';
import { UserError } from '../../src/core/problem.js';
import type { RunOptions, RunResult, Runner } from '../../src/tools/exec.js';
import type { Download } from '../../src/tools/spin.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const REPO = '127.0.0.1:5000/team/spin-hello';

interface Call {
  cmd: string;
  args: readonly string[];
  options: RunOptions;
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hephy-spin-unit-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function context(config: BuildConfig, opts: { spinOnPath?: boolean; onRunner?: boolean; platform?: string } = {}): LegContext {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  if (opts.spinOnPath) {
    writeFileSync(join(bin, 'spin'), '#!/bin/sh\n');
    chmodSync(join(bin, 'spin'), 0o755);
  }
  const sourceDir = join(root, 'src');
  mkdirSync(join(sourceDir, 'app'), { recursive: true });
  writeFileSync(join(sourceDir, 'spin.toml'), 'spin_manifest_version = 2\n');
  writeFileSync(join(sourceDir, 'app', 'spin.toml'), 'spin_manifest_version = 2\n');
  const platform = opts.platform ?? 'wasi/wasm32';
  return {
    spec: {
      image: 'spin-hello',
      dir: 'spin-hello',
      config,
      backend: 'spin',
      backendReason: 'spin.toml found',
      platforms: [platform],
      source: { kind: 'local', dir: 'spin-hello' },
      additionalTags: [],
      tags: [],
    },
    leg: {
      id: `spin-hello--${platform.replace('/', '-')}`,
      image: 'spin-hello',
      dir: 'spin-hello',
      backend: 'spin',
      platform,
      runner: 'ubuntu-latest',
      emulated: false,
    },
    sourceDir,
    target: { repository: REPO, insecure: true, push: true },
    workDir: join(root, 'work'),
    metadata: { labels: {}, annotations: {} },
    cacheDir: join(root, 'cache'),
    buildEnv: {},
    env: { PATH: bin, HEPHY_TOOLS_DIR: join(root, 'tools'), DOCKER_CONFIG: join(root, 'docker-config'), HOME: join(root, 'home') },
    options: {},
    secrets: ['hunter2'],
    onRunner: opts.onRunner ?? false,
    log: () => undefined,
  };
}

function fakeSpin(pushStdout = `Pushing app to the Registry...\nPushed with digest ${DIGEST}\n`): { runner: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: Runner = async (cmd, args, options = {}) => {
    calls.push({ cmd, args, options });
    const result: RunResult = { code: 0, stdout: '', stderr: '', durationMs: 1 };
    if (cmd === 'tar') return { ...result, stdout: execFileSync(cmd, [...args], { encoding: 'utf8' }) };
    if (args[0] === '--version') return { ...result, stdout: 'spin 3.4.0 (1a2b3c4 2025-09-01)\n' };
    if (args[0] === 'registry') return { ...result, stdout: pushStdout };
    return result;
  };
  return { runner, calls };
}

describe('spin backend', () => {
  it('builds in the manifest directory, then pushes to the leg scratch tag with --insecure', async () => {
    const ctx = context({ spin_config: { manifest_path: 'app/spin.toml' } }, { spinOnPath: true });
    ctx.sourceDateEpoch = 1_700_000_000;
    ctx.metadata = {
      labels: { 'com.example.label-only': 'x' },
      annotations: { 'com.example.note': '--not-an-option, a value', 'org.opencontainers.image.created': '2023-11-14T22:13:20Z' },
    };
    const { runner, calls } = fakeSpin();
    const ticks = [1000, 1450];
    const backend = createSpinBackend({ runner, now: () => ticks.shift()! });

    await expect(backend.setup(ctx)).resolves.toBe('3.4.0');
    // The manifest's directory is what the leg's SBOM describes (syft cannot read the artifact).
    await expect(backend.build(ctx)).resolves.toEqual({
      digest: DIGEST,
      pushMs: 450,
      verifyMs: expect.any(Number),
      sourceTree: join(ctx.sourceDir, 'app'),
    });

    const spin = join(root, 'bin', 'spin');
    expect(calls.map((c) => [c.cmd, ...c.args])).toEqual([
      [spin, '--version'],
      [spin, 'build', '--from', 'spin.toml'],
      [
        spin,
        'registry',
        'push',
        '--from',
        'spin.toml',
        '--insecure',
        // Every annotation as one argument (a value starting with - stays a value); labels: none.
        '--annotation=com.example.note=--not-an-option, a value',
        // The commit time, not the time of the push (what Spin stamps without it).
        '--annotation=org.opencontainers.image.created=2023-11-14T22:13:20Z',
        `${REPO}:hephy-leg-spin-hello--wasi-wasm32`,
      ],
    ]);
    for (const call of calls.slice(1)) {
      expect(call.options.cwd).toBe(join(ctx.sourceDir, 'app'));
      // Registry auth reaches Spin through the docker config, never through arguments.
      expect(call.options.env?.DOCKER_CONFIG).toBe(join(root, 'docker-config'));
      expect(call.options.secrets).toEqual(['hunter2']);
    }
  });

  it('reads the digest back from the registry when the push did not print it', async () => {
    const ctx = context({}, { spinOnPath: true });
    ctx.target = { repository: 'registry.example.com/team/spin-hello', insecure: false, push: true };
    const { runner, calls } = fakeSpin('Pushed; the registry did not return the digest\n');
    const asked: string[] = [];
    const backend = createSpinBackend({
      runner,
      resolveDigest: async (reference) => {
        asked.push(reference);
        return DIGEST;
      },
    });
    await expect(backend.build(ctx)).resolves.toMatchObject({ digest: DIGEST });
    expect(asked).toEqual(['registry.example.com/team/spin-hello:hephy-leg-spin-hello--wasi-wasm32']);
    const push = calls.find((c) => c.args[0] === 'registry')!;
    expect(push.args).not.toContain('--insecure');
    // Outside git there is no commit time: no created annotation (Spin stamps the push time).
    expect(push.args.filter((a) => a.startsWith('--annotation'))).toEqual([]);
    expect(push.options.cwd).toBe(ctx.sourceDir);
  });

  it('with push off runs spin build only: no registry push, no digest lookup, no digest', async () => {
    const ctx = context({ spin_config: { manifest_path: 'app/spin.toml' } }, { spinOnPath: true });
    ctx.target = { ...ctx.target, push: false };
    const { runner, calls } = fakeSpin();
    const asked: string[] = [];
    const backend = createSpinBackend({ runner, resolveDigest: async (reference) => (asked.push(reference), DIGEST) });
    await expect(backend.build(ctx)).resolves.toEqual({ pushMs: 0, verifyMs: expect.any(Number) });
    expect(calls.map((c) => c.args.slice(0, 2))).toEqual([['build', '--from']]);
    expect(asked).toEqual([]);
  });

  it('says how to get the CLI when it is missing off runners', async () => {
    const ctx = context({});
    const { runner, calls } = fakeSpin();
    const setup = createSpinBackend({ runner }).setup(ctx);
    await expect(setup).rejects.toBeInstanceOf(UserError);
    await expect(setup).rejects.toThrow(SPIN_NOT_INSTALLED);
    expect(SPIN_NOT_INSTALLED).toMatch(
      /^the Spin CLI is not installed; hephy-builder installs it on GitHub runners; locally install it from /,
    );
    expect(calls).toEqual([]);
  });

  it('installs the pinned release on runners from its checksum-verified tarball', async () => {
    const ctx = context({}, { onRunner: true });
    const { runner, calls } = fakeSpin();
    const downloads: { url: string; sha: string; dest: string }[] = [];
    const download: Download = async (url, sha, dest) => {
      downloads.push({ url, sha, dest });
      // A tarball laid out like the release: the binary `spin` at the top.
      const staging = mkdtempSync(join(root, 'release-'));
      writeFileSync(join(staging, 'spin'), '#!/bin/sh\necho spin 3.4.0\n');
      writeFileSync(join(staging, 'README.md'), 'readme\n');
      mkdirSync(join(dest, '..'), { recursive: true });
      execFileSync('tar', ['-czf', dest, '-C', staging, 'spin', 'README.md']);
      return dest;
    };
    const backend = createSpinBackend({ runner, download, arch: 'aarch64' });
    await expect(backend.setup(ctx)).resolves.toBe('3.4.0');

    expect(downloads).toEqual([
      {
        url: 'https://github.com/spinframework/spin/releases/download/v3.4.0/spin-v3.4.0-linux-aarch64.tar.gz',
        sha: '07e4b15a24bbacf70df8de419505f8317d4c890050504c546e35157beceb25a4',
        dest: join(ctx.cacheDir, 'spin-v3.4.0-linux-aarch64.tar.gz'),
      },
    ]);
    const installed = join(ctx.cacheDir, 'spin-v3.4.0-linux-aarch64', 'spin');
    expect(existsSync(installed)).toBe(true);
    expect(existsSync(join(ctx.cacheDir, 'spin-v3.4.0-linux-aarch64', 'README.md'))).toBe(false);
    expect(calls.at(-1)?.cmd).toBe(installed);
  });

  it('refuses a platform other than wasi/wasm32', async () => {
    const ctx = context({}, { spinOnPath: true, platform: 'linux/amd64' });
    await expect(createSpinBackend({ runner: fakeSpin().runner }).build(ctx)).rejects.toThrow(
      'the spin backend builds only wasi/wasm32, not linux/amd64',
    );
  });

  it('names a missing manifest', async () => {
    const ctx = context({ spin_config: { manifest_path: 'nope/spin.toml' } }, { spinOnPath: true });
    await expect(createSpinBackend({ runner: fakeSpin().runner }).build(ctx)).rejects.toThrow(
      'spin_config.manifest_path nope/spin.toml: no such file in',
    );
  });

  it('checks that the components spin build made are WebAssembly before pushing, naming those that are not', async () => {
    const ctx = context({ spin_config: { manifest_path: 'app/spin.toml' } }, { spinOnPath: true });
    const app = join(ctx.sourceDir, 'app');
    writeFileSync(
      join(app, 'spin.toml'),
      'spin_manifest_version = 2\n[component.good]\nsource = "good.wasm"\n[component.bad]\nsource = "target/bad.wasm" # built by cargo\n[component.remote]\nsource = { url = "https://example.com/x.wasm", digest = "sha256:0" }\n[component.outside]\nsource = "../../../etc/hostname"\n',
    );
    writeFileSync(join(app, 'good.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
    mkdirSync(join(app, 'target'), { recursive: true });
    // An x86-64 ELF header (System V gABI): a native build where a wasm one was expected.
    writeFileSync(join(app, 'target', 'bad.wasm'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 62, 0]));
    const { runner, calls } = fakeSpin();
    const backend = createSpinBackend({ runner, now: () => 0 });
    await expect(backend.build(ctx)).rejects.toThrow(
      'the wasi/wasm32 image holds artifacts that are not WebAssembly: target/bad.wasm (not WebAssembly: ELF x86-64); nothing of it is published',
    );
    expect(calls.some((c) => c.args.includes('push'))).toBe(false);

    const off = context({ spin_config: { manifest_path: 'app/spin.toml' }, verify_arch: false }, { spinOnPath: true });
    writeFileSync(join(off.sourceDir, 'app', 'spin.toml'), 'spin_manifest_version = 2\n[component.bad]\nsource = "bad.wasm"\n');
    writeFileSync(join(off.sourceDir, 'app', 'bad.wasm'), 'not wasm');
    await expect(createSpinBackend({ runner: fakeSpin().runner, now: () => 0 }).build(off)).resolves.toMatchObject({ digest: DIGEST });
  });
});
