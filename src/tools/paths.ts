// Where the package's own files are, from either the sources (tests) or the ncc bundles (dist/).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest parent holding package.json and scripts/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('cannot find the hephy-builder package root (package.json + scripts/)');
    dir = parent;
  }
}

export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HEPHY_TOOLS_DIR || join(env.HOME || '/root', '.local', 'hephy-builder');
}

/** PATH and CONTAINERS_CONF as scripts/env.sh sets them, for tools we spawn. */
export function toolEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tools = toolsDir(env);
  const path = [join(tools, 'bin'), '/usr/local/go/bin', env.PATH ?? ''].filter(Boolean).join(':');
  return {
    ...env,
    HEPHY_TOOLS_DIR: tools,
    PATH: path,
    CONTAINERS_CONF: env.CONTAINERS_CONF || join(tools, 'containers.conf'),
    KOCACHE: env.KOCACHE || join(tools, 'cache', 'ko'),
  };
}
