// Runs one container to completion with `docker run` when a Docker daemon answers, else with
// `podman run` (daemonless; needs CONTAINERS_CONF from toolEnv on this project's machines).
// Environment values never go on the command line: `-e NAME` makes the engine copy the value from
// its own environment, which we set, so a secret passed as env cannot leak through `ps` or logs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toolEnv } from './paths.js';
import { run, which, type RunOptions, type RunResult, type Runner } from './exec.js';

export type ContainerEngine = 'docker' | 'podman';

export interface Mount {
  host: string;
  container: string;
  readonly?: boolean;
}

export interface ContainerSpec {
  image: string;
  /** Arguments after the image (the entrypoint's arguments). */
  args: string[];
  mounts?: Mount[];
  /** Passed by name only (`-e NAME`); the values travel in the engine's environment. */
  env?: Record<string, string>;
  network?: 'host';
  workdir?: string;
  /** Platform of the image to run, e.g. linux/arm64 (needs QEMU for a foreign one). */
  platform?: string;
  /** never: the image must already be local, e.g. one built into podman by a script. */
  pull?: 'missing' | 'never' | 'always';
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `run` arguments for the engine, e.g. ['run', '--rm', '--network', 'host', ..., image, ...args]. */
export function containerRunArgs(spec: ContainerSpec): string[] {
  const args = ['run', '--rm'];
  if (spec.network) args.push('--network', spec.network);
  if (spec.platform) args.push('--platform', spec.platform);
  if (spec.pull) args.push(`--pull=${spec.pull}`);
  if (spec.workdir) args.push('--workdir', spec.workdir);
  for (const mount of spec.mounts ?? []) {
    if (mount.host.includes(':') || mount.container.includes(':')) {
      throw new Error(`cannot mount ${mount.host} at ${mount.container}: a path with ':' cannot be passed to -v`);
    }
    args.push('-v', `${mount.host}:${mount.container}${mount.readonly ? ':ro' : ''}`);
  }
  for (const name of Object.keys(spec.env ?? {})) {
    if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name for a container: ${name}`);
    args.push('-e', name);
  }
  args.push(spec.image, ...spec.args);
  return args;
}

/** docker when `docker info` reaches a daemon, else podman when installed; otherwise an error. */
export async function detectEngine(env: NodeJS.ProcessEnv = process.env, runner: Runner = run): Promise<ContainerEngine> {
  const path = env.PATH ?? '';
  if (which('docker', path)) {
    const info = await runner('docker', ['info', '--format', '{{.ServerVersion}}'], { env, allowFailure: true, timeoutMs: 20_000 }).catch(
      () => undefined,
    );
    if (info && info.code === 0 && info.stdout.trim() !== '') return 'docker';
  }
  if (which('podman', path)) return 'podman';
  throw new Error('cannot run a container: no Docker daemon answers `docker info` and podman is not installed');
}

/**
 * The environment the engine process gets: podman needs hephy's CONTAINERS_CONF, and refuses to
 * start ("stat $DOCKER_CONFIG/config.json: no such file") when DOCKER_CONFIG names a directory
 * without a config.json, so such a DOCKER_CONFIG is left out for podman.
 */
export function engineEnv(engine: ContainerEngine, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (engine === 'docker') return env;
  const podmanEnv = toolEnv(env);
  if (podmanEnv.DOCKER_CONFIG && !existsSync(join(podmanEnv.DOCKER_CONFIG, 'config.json'))) delete podmanEnv.DOCKER_CONFIG;
  return podmanEnv;
}

export interface ContainerRunOptions extends RunOptions {
  /** Skip detection, e.g. podman for an image that only exists in podman's storage. */
  engine?: ContainerEngine;
  runner?: Runner;
}

export interface ImageImport {
  engine: ContainerEngine;
  /** A tar of the image's root filesystem. */
  tarball: string;
  /** Dockerfile instructions for the image config (`--change`), e.g. `ENTRYPOINT ["/app"]`. */
  changes: string[];
  /** A local name for the image besides its ID. */
  tag: string;
}

/** `import` arguments: docker and podman both take --change for ENTRYPOINT, ENV, WORKDIR, ... */
export function importArgs(spec: Omit<ImageImport, 'engine'>): string[] {
  return ['import', ...spec.changes.flatMap((change) => ['--change', change]), spec.tarball, spec.tag];
}

/**
 * Imports a root filesystem tarball as a one-layer image; resolves to its image ID
 * (`sha256:<hex>`), which both engines run by (docker import prints it so; podman without the
 * prefix on some versions, with it on others).
 */
export async function importImage(spec: ImageImport, options: Omit<ContainerRunOptions, 'engine'> = {}): Promise<string> {
  const { runner = run, ...runOptions } = options;
  const env = engineEnv(spec.engine, runOptions.env ?? process.env);
  const result = await runner(spec.engine, importArgs(spec), { ...runOptions, env, timeoutMs: runOptions.timeoutMs ?? 10 * 60_000 });
  const id = result.stdout
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .reverse()
    .find((line) => /^(sha256:)?[a-f0-9]{64}$/.test(line));
  if (!id) throw new Error(`${spec.engine} import printed no image ID: ${result.stdout.trim().slice(-200) || '(nothing)'}`);
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}

export async function runContainer(spec: ContainerSpec, options: ContainerRunOptions = {}): Promise<RunResult> {
  const { engine: chosen, runner = run, ...runOptions } = options;
  const base = runOptions.env ?? process.env;
  const engine = chosen ?? (await detectEngine(base, runner));
  const env = { ...engineEnv(engine, base), ...spec.env };
  return runner(engine, containerRunArgs(spec), { ...runOptions, env });
}
