// Starts what every end-to-end test needs, once per run: the pinned tools, one local registry,
// buildkitd with the `hephy` buildx builder trusting it, hephy's own two-platform base images,
// and the Kaniko executor image in podman. Plain JS because jest loads it before any transform.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
/**
 * The buildx builder (and its buildkitd) of this checkout's e2e run: one per checkout, so e2e runs
 * of two checkouts on one machine do not restart each other's buildkitd.
 */
export function e2eBuilderName() {
  return `hephy-e2e-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`;
}

const tools = process.env.HEPHY_TOOLS_DIR || join(process.env.HOME || '/root', '.local', 'hephy-builder');

function script(name, ...args) {
  process.stderr.write(`e2e setup: ${name} ${args.join(' ')}\n`);
  return execFileSync('bash', [join(root, 'scripts', name), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  }).trim();
}

export default async function globalSetup() {
  process.env.HEPHY_TOOLS_DIR = tools;
  process.env.PATH = `${join(tools, 'bin')}:/usr/local/go/bin:${process.env.PATH}`;
  process.env.CONTAINERS_CONF = join(tools, 'containers.conf');
  process.env.KOCACHE = process.env.KOCACHE || join(tools, 'cache', 'ko');
  script('install-tools.sh');
  const registry = script('registry.sh', 'start').split('\n').pop();
  // A buildkitd left over from an interrupted run trusts another registry: start afresh.
  const builder = e2eBuilderName();
  script('buildkitd.sh', 'stop', '--name', builder);
  script('buildkitd.sh', 'start', registry, '--name', builder);
  process.env.HEPHY_BUILDX_BUILDER = builder;
  script('base-images.sh', registry);
  const kaniko = script('kaniko-image.sh').split('\n').pop();
  process.env.HEPHY_E2E_REGISTRY = registry;
  process.env.HEPHY_E2E_KANIKO_IMAGE = kaniko;
  process.env.HEPHY_E2E_BUSYBOX = `${registry}/hephy/busybox:1`;
  process.env.HEPHY_E2E_STATIC = `${registry}/hephy/static:nonroot`;
  const stateDir = join(root, '.hephy');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, 'e2e-state.json'), JSON.stringify({ registry, kaniko }, null, 2));
}
