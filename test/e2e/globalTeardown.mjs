// Stops the services globalSetup started.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { e2eBuilderName } from './globalSetup.mjs';

const root = new URL('../..', import.meta.url).pathname;

export default async function globalTeardown() {
  const registry = process.env.HEPHY_E2E_REGISTRY;
  const run = (...args) => execFileSync('bash', [join(root, 'scripts', ...args.slice(0, 1)), ...args.slice(1)], { stdio: 'inherit' });
  try {
    run('buildkitd.sh', 'stop', '--name', e2eBuilderName());
  } finally {
    if (registry) run('registry.sh', 'stop', registry);
  }
}
