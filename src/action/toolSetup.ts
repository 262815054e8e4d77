// Pinned tools on GitHub runners. ko and crane are installed with `go install MODULE@VERSION`
// (Go is on every hosted runner): the Go checksum database verifies every module it downloads,
// so the install is checksum-verified without a hand-kept table. The binaries are cached with
// @actions/cache, keyed by tool, version, OS and architecture.
import { existsSync, mkdirSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { traitsOf, type BackendName } from '../core/backendTraits.js';
import { messageOf } from '../core/problem.js';
import { run, which } from '../tools/exec.js';
import { goInstallTarget } from '../core/toolPins.js';

export interface GoTool {
  name: string;
  module: string;
  version: string;
}

/**
 * The versions of tool-pins.json, which scripts/install-tools.sh installs for local runs and
 * tests. Which backend needs which: runnerTools in core/backendTraits.ts.
 */
export const RUNNER_TOOLS: Record<string, GoTool> = { ko: goInstallTarget('ko'), crane: goInstallTarget('crane') };

async function installGoTool(tool: GoTool, toolsRoot: string): Promise<string> {
  const dir = join(toolsRoot, tool.name, tool.version);
  const binary = join(dir, tool.name);
  const key = `hephy-tool-${tool.name}-${tool.version}-${platform()}-${arch()}`;
  if (!existsSync(binary)) {
    const hit = await cache.restoreCache([dir], key).catch(() => undefined);
    if (!hit || !existsSync(binary)) {
      if (!which('go'))
        throw new Error(`${tool.name} ${tool.version} is not installed and go is not on PATH to install it (add actions/setup-go)`);
      core.info(`installing ${tool.name} ${tool.version} with go install (verified by the Go checksum database)`);
      mkdirSync(dir, { recursive: true });
      await run('go', ['install', `${tool.module}@${tool.version}`], { env: { ...process.env, GOBIN: dir, GOFLAGS: '-buildvcs=false' } });
      await cache.saveCache([dir], key).catch((error) => core.warning(`could not cache ${tool.name}: ${messageOf(error)}`));
    }
  }
  return dir;
}

/**
 * Puts the pinned tools a backend needs on PATH; tools already on PATH are used as they are.
 * `cacheDir`: where they are installed (the runner's tool cache, else its temp dir).
 */
export async function setupTools(backend: BackendName, cacheDir: string): Promise<void> {
  const toolsRoot = join(cacheDir, 'hephy-builder');
  for (const name of traitsOf(backend).runnerTools) {
    if (which(name)) continue;
    const tool = RUNNER_TOOLS[name];
    if (!tool) throw new Error(`the ${backend} backend needs ${name}, which has no pinned version to install`);
    const dir = await installGoTool(tool, toolsRoot);
    core.addPath(dir);
  }
}
