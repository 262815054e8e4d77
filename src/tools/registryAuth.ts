// Registry login without `docker login`: the credentials go straight into a docker config.json
// that every tool reads (buildx, ko, crane, kaniko via its mounted config, skopeo with
// --authfile), so the password is never on a command line, in a process list or in a log.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../core/problem.js';
import { dockerConfigDir } from './dockerConfig.js';

export interface RegistryCredentials {
  /** host[:port], with or without scheme or path, e.g. https://registry.example.com/team. */
  registry: string;
  username: string;
  password: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; [key: string]: unknown }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [key: string]: unknown;
}

const HOST_PORT = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The registry key docker config uses: the host with its port, lower case, without scheme or
 * path. Works for any registry host (cloud registries included): they are all plain hosts.
 */
export function normalizeRegistry(host: string): string {
  const trimmed = host.trim();
  const withoutScheme = trimmed.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const hostPort = withoutScheme.split('/')[0].toLowerCase();
  if (!hostPort) throw new UserError(`registry is empty: expected host[:port], e.g. registry.example.com or 127.0.0.1:5000`);
  const port = /:(\d+)$/.exec(hostPort)?.[1];
  if (!HOST_PORT.test(hostPort) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    throw new UserError(`registry \`${trimmed}\` is not a host[:port], e.g. registry.example.com or 127.0.0.1:5000`);
  }
  return hostPort;
}

/**
 * A registry on this machine: localhost, 127.0.0.0/8 or [::1], with or without a port (a local
 * test registry, which may take anonymous pushes).
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = normalizeRegistry(registry).replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function basicAuth(creds: RegistryCredentials): string {
  return Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64');
}

/** Every form of the credentials that could leak into output: mask all of them. */
export function registrySecrets(creds: RegistryCredentials | RegistryCredentials[]): string[] {
  const list = Array.isArray(creds) ? creds : [creds];
  return list.flatMap((c) => (c.password ? [c.password, basicAuth(c)] : []));
}

function readConfig(file: string): DockerConfigFile | undefined {
  if (!existsSync(file)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // The file holds credentials: say where the problem is, never what it contains.
    throw new Error(`${file} is not valid JSON: fix or remove it before logging in again`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${file} is not a JSON object: fix or remove it`);
  return data as DockerConfigFile;
}

/** Writes a file readable by its owner only, all at once, so no reader sees half a config. */
function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

export interface WriteDockerConfigOptions {
  /** A config.json to start from when `dir` has none yet (the user's, for their other logins). */
  base?: string;
}

/**
 * Adds (or replaces) the login for one registry in DIR/config.json, keeping whatever else the
 * file holds. Resolves to the environment that points tools at it.
 */
export function writeDockerConfig(
  dir: string,
  creds: RegistryCredentials,
  options: WriteDockerConfigOptions = {},
): { DOCKER_CONFIG: string } {
  const key = normalizeRegistry(creds.registry);
  if (!creds.username) throw new UserError(`registry ${key}: the username is empty`);
  if (!creds.password) throw new UserError(`registry ${key}: the password is empty`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'config.json');
  const config: DockerConfigFile = readConfig(file) ?? (options.base ? readBase(options.base) : undefined) ?? {};
  config.auths = { ...(config.auths ?? {}), [key]: { auth: basicAuth(creds) } };
  // A credential helper for this registry, or a global credential store, would be asked
  // instead of `auths` (the docker CLI consults the store first and takes its answer, even an
  // empty one), so our login would be ignored. Drop them: this config is hephy's own.
  if (config.credHelpers) delete config.credHelpers[key];
  delete config.credsStore;
  writeAtomically(file, `${JSON.stringify(config, null, 2)}\n`);
  return { DOCKER_CONFIG: dir };
}

function readBase(file: string): DockerConfigFile | undefined {
  try {
    return readConfig(file);
  } catch {
    // A broken user config must not stop the login; docker would ignore it too for our key.
    return undefined;
  }
}

/**
 * The environment for tools, logged in to each registry through DIR/config.json. Keeps what the
 * previous docker config gave: its other logins (copied in), its CLI plugins (`docker buildx`
 * is found under DOCKER_CONFIG/cli-plugins) and its buildx builders (BUILDX_CONFIG).
 */
export function withRegistryAuth(
  env: NodeJS.ProcessEnv,
  creds: RegistryCredentials | RegistryCredentials[],
  dir: string,
): NodeJS.ProcessEnv {
  const logins = Array.isArray(creds) ? creds : [creds];
  if (logins.length === 0) return env;
  const previous = dockerConfigDir(env);
  const same = resolve(previous) === resolve(dir);
  for (const login of logins) {
    writeDockerConfig(dir, login, same ? {} : { base: join(previous, 'config.json') });
  }
  if (!same) {
    const plugins = join(previous, 'cli-plugins');
    const linked = join(dir, 'cli-plugins');
    if (existsSync(plugins) && !existsSync(linked)) symlinkSync(resolve(plugins), linked);
  }
  return { ...env, DOCKER_CONFIG: dir, BUILDX_CONFIG: env.BUILDX_CONFIG || join(previous, 'buildx') };
}

/**
 * Logs in through a fresh docker config dir under `parentDir`: the environment for tools, every
 * form of the password to mask, and the dir, which the caller removes when done.
 */
export function registryLogin(
  env: NodeJS.ProcessEnv,
  creds: RegistryCredentials,
  parentDir: string,
): { env: NodeJS.ProcessEnv; secrets: string[]; dir: string } {
  const dir = mkdtempSync(join(parentDir, 'hephy-docker-config-'));
  try {
    return { env: withRegistryAuth(env, creds, dir), secrets: registrySecrets(creds), dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
