// Local stand-ins for what a CI runner has: a registry, buildkitd behind a buildx builder, the
// Kaniko executor image in podman, and base images. Each is started by the scripts in scripts/,
// which install what they need on first use. The scripts are the package's own (package.json
// `files`), found at a fixed path next to this code, and run with the package as their working
// directory: nothing of the user's project is run or read by them.
import { run, type RunOptions } from './exec.js';
import { packageFile, packageRoot, toolEnv } from './paths.js';

/** The scripts `hephy-builder run` runs; package.json `files` ships them (a test checks). */
export const RUN_TIME_SCRIPTS = ['install-tools.sh', 'registry.sh', 'buildkitd.sh', 'base-images.sh', 'kaniko-image.sh'] as const;
export type RunTimeScript = (typeof RUN_TIME_SCRIPTS)[number];

export interface LocalRegistry {
  /** host:port on 127.0.0.1. */
  address: string;
  stop(): Promise<void>;
}

/** The shell command that runs one of our scripts, for hints printed to the user. */
export function scriptCommand(name: RunTimeScript, args: string[]): string {
  return ['bash', packageFile('scripts', name), ...args].join(' ');
}

async function runScript(name: RunTimeScript, args: string[], options: RunOptions = {}): Promise<string> {
  // HEPHY_NODE: the node running us reads the tool pins for the scripts (scripts/lib/pins.sh), on PATH or not.
  const env = { ...toolEnv(), HEPHY_NODE: process.execPath };
  const result = await run('bash', [packageFile('scripts', name), ...args], { env, cwd: packageRoot(), ...options });
  return result.stdout.trim();
}

export async function installTools(only?: string[], onLine?: RunOptions['onLine']): Promise<void> {
  await runScript('install-tools.sh', only ? ['--only', only.join(',')] : [], { onLine, timeoutMs: 60 * 60 * 1000 });
}

export async function startRegistry(options: { htpasswd?: { user: string; password: string } } = {}): Promise<LocalRegistry> {
  const args = ['start'];
  const secrets: string[] = [];
  if (options.htpasswd) {
    args.push('--htpasswd', `${options.htpasswd.user}:${options.htpasswd.password}`);
    secrets.push(options.htpasswd.password);
  }
  const out = await runScript('registry.sh', args, { secrets });
  const address = out.split('\n').pop() ?? '';
  if (!/^127\.0\.0\.1:\d+$/.test(address)) throw new Error(`scripts/registry.sh start printed no address: ${out}`);
  return {
    address,
    stop: async () => {
      await runScript('registry.sh', ['stop', address], { allowFailure: true });
    },
  };
}

/**
 * Does BuildKit speak plain http to this registry without a buildkitd.toml entry? Yes for a
 * loopback host (localhost, 127.0.0.0/8, ::1), with or without a port: moby/buildkit v0.32.2
 * util/resolver/resolver.go (NewRegistryConfig: docker.WithPlainHTTP(docker.MatchLocalhost)) and
 * containerd v2.3.3 core/remotes/docker/registry.go (MatchLocalhost: "localhost" counts as
 * 127.0.0.1, then net.IP.IsLoopback).
 */
export function isLoopbackRegistry(hostPort: string): boolean {
  if (hostPort === '::1' || hostPort === '[::1]') return true;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d*))?$/.exec(hostPort);
  if (!match || match[2] === '') return false;
  const host = match[1].replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  const octets = host.split('.');
  // net.ParseIP: four decimal octets, no leading zeros (Go 1.17+).
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255);
}

/**
 * buildkitd and its buildx builder `builder`, started unless they already run; a running one is
 * reused as it is, never restarted (builds of other runs may be using it). Concurrent callers get
 * one buildkitd (the script takes a lock). When it starts, it lists `registries` as plain http
 * (loopback ones need no entry: isLoopbackRegistry). Resolves to its address, tcp://127.0.0.1:PORT.
 */
export async function ensureBuildkit(builder: string, registries: string[] = []): Promise<string> {
  const args = ['ensure', ...(registries.length ? [registries.join(',')] : []), '--name', builder];
  const out = await runScript('buildkitd.sh', args, { timeoutMs: 10 * 60 * 1000 });
  return out.split('\n').pop() ?? '';
}

export interface BaseImages {
  busybox: string;
  static: string;
}

/** Pushes hephy's own two-platform base images (busybox, static:nonroot) to the registry. */
export async function pushBaseImages(registry: string): Promise<BaseImages> {
  await runScript('base-images.sh', [registry], { timeoutMs: 10 * 60 * 1000 });
  return { busybox: `${registry}/hephy/busybox:1`, static: `${registry}/hephy/static:nonroot` };
}

/** Builds the Kaniko executor image into podman's storage; resolves to its reference. */
export async function kanikoImage(): Promise<string> {
  const out = await runScript('kaniko-image.sh', [], { timeoutMs: 30 * 60 * 1000 });
  return out.split('\n').pop() ?? '';
}
