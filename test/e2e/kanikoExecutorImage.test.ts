// The Kaniko executor image the action assembles on a runner without a `kaniko-image`: the
// executor binary of scripts/install-tools.sh (what the action builds from the same pinned module)
// imported into podman, run by the image ID the import returned.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GO_TOOL_PINS } from '../../src/core/toolPins.js';
import { run } from '../../src/tools/exec.js';
import { importExecutorImage } from '../../src/tools/kanikoExecutorImage.js';
import { toolEnv } from '../../src/tools/paths.js';

const HEPHY_BIN = process.env.HEPHY_BIN ?? join(homedir(), '.local/hephy-builder/bin');

describe('the Kaniko executor image from the pinned module (e2e)', () => {
  it('imports into podman and runs as the executor of the pinned version, with its config', async () => {
    const env = toolEnv();
    const tag = `localhost/hephy-e2e-kaniko-import:${Date.now().toString(36)}`;
    const id = await importExecutorImage({ binary: join(HEPHY_BIN, 'executor'), engine: 'podman', tag, env });
    try {
      expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
      const version = await run('podman', ['run', '--rm', id, 'version'], { env });
      expect(version.stdout).toContain(GO_TOOL_PINS.kaniko.version);
      const config = JSON.parse((await run('podman', ['image', 'inspect', id], { env })).stdout)[0].Config;
      expect(config.Entrypoint).toEqual(['/kaniko/executor']);
      expect(config.Env).toContain('DOCKER_CONFIG=/kaniko/.docker/');
      expect(config.WorkingDir).toBe('/workspace');
    } finally {
      await run('podman', ['rmi', '-f', id], { env, allowFailure: true });
    }
  }, 180_000);
});
