// Local stand-ins for what a CI runner has: a registry, buildkitd behind a buildx builder, the
// Kaniko executor image in podman, and base images. Each is started by the scripts in scripts/,
// which install what they need on first use.
import { join } from 'node:path';
import { run, type RunOptions } from './exec.js';
import { packageRoot, toolEnv } from './paths.js';

export interface LocalRegistry {
  /** host:port on 127.0.0.1. */
  address: string;
  stop(): Promise<void>;
}

function script(name: string): string {
  return join(packageRoot(), 'scripts', name);
}

async function runScript(name: string, args: string[], options: RunOptions = {}): Promise<string> {
  const result = await run('bash', [script(name), ...args], { env: toolEnv(), ...options });
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

/** Starts (or reuses) buildkitd and the `hephy` buildx builder that trusts these registries over http. */
export async function startBuildkit(registries: string[], builder = 'hephy'): Promise<string> {
  // The script refuses a second start; a running one (e.g. the e2e setup's) serves loopback registries over http anyway.
  const running = await runScript('buildkitd.sh', ['status', '--name', builder], { allowFailure: true });
  if (running) return running.split('\n').pop() ?? '';
  const out = await runScript('buildkitd.sh', ['start', registries.join(','), '--name', builder], { timeoutMs: 10 * 60 * 1000 });
  return out.split('\n').pop() ?? '';
}

export async function stopBuildkit(builder = 'hephy'): Promise<void> {
  await runScript('buildkitd.sh', ['stop', '--name', builder], { allowFailure: true });
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
