import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerRunArgs, detectEngine, runContainer } from '../../src/tools/containerRunner.js';
import type { RunOptions, RunResult, Runner } from '../../src/tools/exec.js';

interface Call {
  cmd: string;
  args: readonly string[];
  options?: RunOptions;
}

function fakeRunner(answer: (call: Call) => Partial<RunResult> | Error): { runner: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: Runner = async (cmd, args, options) => {
    const call = { cmd, args, options };
    calls.push(call);
    const result = answer(call);
    if (result instanceof Error) throw result;
    return { code: 0, stdout: '', stderr: '', durationMs: 1, ...result };
  };
  return { runner, calls };
}

/** A PATH holding stub executables with these names, so `which` finds exactly them. */
function pathWith(names: string[]): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hephy-engines-'));
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), 0o755);
  }
  return { path: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('containerRunArgs', () => {
  it('builds a removable run with host network, mounts, env by name, then image and args', () => {
    expect(
      containerRunArgs({
        image: 'localhost/hephy/kaniko-executor:v1',
        args: ['--context=dir:///workspace', '--no-push'],
        mounts: [
          { host: '/src/app', container: '/workspace', readonly: true },
          { host: '/tmp/leg', container: '/hephy/out' },
        ],
        env: { TOKEN: 's3cret' },
        network: 'host',
        workdir: '/workspace',
        platform: 'linux/arm64',
        pull: 'never',
      }),
    ).toEqual([
      'run',
      '--rm',
      '--network',
      'host',
      '--platform',
      'linux/arm64',
      '--pull=never',
      '--workdir',
      '/workspace',
      '-v',
      '/src/app:/workspace:ro',
      '-v',
      '/tmp/leg:/hephy/out',
      '-e',
      'TOKEN',
      'localhost/hephy/kaniko-executor:v1',
      '--context=dir:///workspace',
      '--no-push',
    ]);
  });

  it('refuses a mount path that -v would split at its colon', () => {
    expect(() => containerRunArgs({ image: 'i', args: [], mounts: [{ host: '/a:b', container: '/x' }] })).toThrow("a path with ':'");
  });

  it('refuses an environment name that is not a variable name', () => {
    expect(() => containerRunArgs({ image: 'i', args: [], env: { 'A=B': 'x' } })).toThrow('invalid environment variable name');
  });
});

describe('detectEngine', () => {
  it('picks docker when `docker info` reaches a daemon', async () => {
    const bin = pathWith(['docker', 'podman']);
    try {
      const { runner, calls } = fakeRunner(() => ({ stdout: '28.2.2\n' }));
      await expect(detectEngine({ PATH: bin.path }, runner)).resolves.toBe('docker');
      expect(calls.map((c) => [c.cmd, ...c.args].join(' '))).toEqual(['docker info --format {{.ServerVersion}}']);
    } finally {
      bin.cleanup();
    }
  });

  it('falls back to podman when the docker CLI has no daemon', async () => {
    const bin = pathWith(['docker', 'podman']);
    try {
      const { runner } = fakeRunner(() => ({ code: 1, stderr: 'Cannot connect to the Docker daemon' }));
      await expect(detectEngine({ PATH: bin.path }, runner)).resolves.toBe('podman');
    } finally {
      bin.cleanup();
    }
  });

  it('uses podman without asking docker when there is no docker CLI', async () => {
    const bin = pathWith(['podman']);
    try {
      const { runner, calls } = fakeRunner(() => new Error('must not run'));
      await expect(detectEngine({ PATH: bin.path }, runner)).resolves.toBe('podman');
      expect(calls).toEqual([]);
    } finally {
      bin.cleanup();
    }
  });

  it('says what is missing when neither engine can run a container', async () => {
    const bin = pathWith(['docker']);
    try {
      const { runner } = fakeRunner(() => ({ code: 1 }));
      await expect(detectEngine({ PATH: bin.path }, runner)).rejects.toThrow(
        'no Docker daemon answers `docker info` and podman is not installed',
      );
    } finally {
      bin.cleanup();
    }
  });
});

describe('runContainer', () => {
  it('runs podman with CONTAINERS_CONF and the env values in its environment, not its arguments', async () => {
    const { runner, calls } = fakeRunner(() => ({ stdout: 'ok' }));
    const lines: string[] = [];
    await runContainer(
      { image: 'img', args: ['a'], env: { TOKEN: 's3cret' } },
      { engine: 'podman', runner, env: { PATH: '/usr/bin', HEPHY_TOOLS_DIR: '/opt/hephy' }, onLine: (_s, l) => lines.push(l) },
    );
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call.cmd).toBe('podman');
    expect(call.args).toEqual(['run', '--rm', '-e', 'TOKEN', 'img', 'a']);
    expect(call.args.join(' ')).not.toContain('s3cret');
    expect(call.options?.env).toMatchObject({ TOKEN: 's3cret', CONTAINERS_CONF: '/opt/hephy/containers.conf' });
    expect(call.options?.onLine).toBeDefined();
  });

  it('keeps from podman a DOCKER_CONFIG without config.json, which podman cannot start with', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hephy-empty-docker-config-'));
    const withConfig = mkdtempSync(join(tmpdir(), 'hephy-docker-config-'));
    try {
      writeFileSync(join(withConfig, 'config.json'), '{}');
      const { runner, calls } = fakeRunner(() => ({}));
      await runContainer({ image: 'img', args: [] }, { engine: 'podman', runner, env: { PATH: '/usr/bin', DOCKER_CONFIG: empty } });
      await runContainer({ image: 'img', args: [] }, { engine: 'podman', runner, env: { PATH: '/usr/bin', DOCKER_CONFIG: withConfig } });
      expect(calls[0].options?.env).not.toHaveProperty('DOCKER_CONFIG');
      expect(calls[1].options?.env?.DOCKER_CONFIG).toBe(withConfig);
    } finally {
      rmSync(empty, { recursive: true, force: true });
      rmSync(withConfig, { recursive: true, force: true });
    }
  });

  it('leaves the docker environment as given', async () => {
    const { runner, calls } = fakeRunner(() => ({}));
    await runContainer({ image: 'img', args: [] }, { engine: 'docker', runner, env: { PATH: '/usr/bin' } });
    expect(calls[0].cmd).toBe('docker');
    expect(calls[0].options?.env).toEqual({ PATH: '/usr/bin' });
  });
});
