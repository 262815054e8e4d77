// Registry login through a docker config.json against a registry that wants a password: the
// merge's imagetools calls work with it, fail clearly without it, and the password shows up in
// no output and in no file but the config we wrote (and, once that is removed, nowhere).
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type LocalRegistry } from '../../src/tools/localServices.js';
import { packageRoot, toolEnv } from '../../src/tools/paths.js';
import { run, ToolError } from '../../src/tools/exec.js';
import { indexPlatforms } from '../../src/core/oci.js';
import { createIndex, inspectRaw, resolveImagetoolsCommand } from '../../src/tools/imagetools.js';
import { registrySecrets, withRegistryAuth } from '../../src/tools/registryAuth.js';
import { rawManifest, services, tempDir } from './harness.js';

const env = toolEnv();
const user = 'hephy';
const secret = `SECRET-${randomBytes(8).toString('hex')}`;
const encoded = Buffer.from(`${user}:${secret}`).toString('base64');

/** Files changed since the marker under the places a tool could write to that hold a needle. */
async function filesContaining(needles: string[], marker: string): Promise<string[]> {
  const roots = [tmpdir(), join(homedir(), '.docker'), join(packageRoot(), '.hephy')];
  const script =
    'find "$@" -xdev -type f -newer "$MARKER" -size -20M -print0 2>/dev/null | xargs -0 -r grep -lF -e "$N1" -e "$N2" 2>/dev/null || true';
  const { stdout } = await run('bash', ['-c', script, '_', ...roots], { env: { ...env, MARKER: marker, N1: needles[0], N2: needles[1] } });
  return stdout.split('\n').filter(Boolean).sort();
}

describe('registry login', () => {
  let registry: LocalRegistry;
  let marker: string;
  beforeAll(async () => {
    marker = join(tempDir('auth-marker'), 'marker');
    writeFileSync(marker, '');
    registry = await startRegistry({ htpasswd: { user, password: secret } });
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(join(marker, '..'), { recursive: true, force: true });
  });

  it('lets imagetools create and inspect with DOCKER_CONFIG, fails clearly without, and leaks the password nowhere', async () => {
    const captured: string[] = [];
    const creds = { registry: `http://${registry.address}`, username: user, password: secret };
    const secrets = registrySecrets(creds);
    const authDir = tempDir('auth-docker');
    const authEnv = withRegistryAuth(env, creds, authDir);
    expect(authEnv.DOCKER_CONFIG).toBe(authDir);

    // docker finds its buildx plugin through the linked cli-plugins when it did before.
    const usual = await resolveImagetoolsCommand(env);
    const withAuth = await resolveImagetoolsCommand(authEnv);
    expect(withAuth.slice(1)).toEqual(usual.slice(1));

    // A leg's push by digest, with the same config (crane reads DOCKER_CONFIG too).
    const base = services().busybox.replace(/:[^/:]+$/, '');
    const amd64 = (await rawManifest(services().busybox)).manifests.find((m: any) => m.platform.architecture === 'amd64').digest;
    const repository = `${registry.address}/auth/app`;
    const copy = await run('crane', ['copy', '--insecure', `${base}@${amd64}`, `${repository}@${amd64}`], { env: authEnv, secrets });
    captured.push(copy.stdout, copy.stderr);

    await createIndex({
      tags: [`${repository}:v1`],
      sources: [`${repository}@${amd64}`],
      env: authEnv,
      secrets,
      log: (line) => captured.push(line),
    });
    const raw = await inspectRaw(`${repository}:v1`, authEnv, { secrets });
    expect(indexPlatforms(raw)).toEqual(['linux/amd64']);

    // Without the login: the registry refuses, and the error says so.
    const denied = (await inspectRaw(`${repository}:v1`, env).catch((e: unknown) => e)) as ToolError;
    expect(denied).toBeInstanceOf(ToolError);
    expect(denied.message).toMatch(/401 Unauthorized\nhint: .*check the registry login/);
    const deniedCreate = (await createIndex({ tags: [`${repository}:v2`], sources: [`${repository}@${amd64}`], env }).catch(
      (e: unknown) => e,
    )) as ToolError;
    expect(deniedCreate).toBeInstanceOf(ToolError);
    expect(deniedCreate.message).toMatch(/401|unauthorized|authentication required/i);
    captured.push(denied.message, denied.stderr, denied.stdout, deniedCreate.message, deniedCreate.stderr);

    const output = captured.join('\n');
    expect(output).toContain(repository);
    expect(output).not.toContain(secret);
    expect(output).not.toContain(encoded);

    // The only file holding the credentials is the config we wrote, and it holds them encoded.
    expect(await filesContaining([secret, encoded], marker)).toEqual([join(authDir, 'config.json')]);
    rmSync(authDir, { recursive: true, force: true });
    expect(await filesContaining([secret, encoded], marker)).toEqual([]);
  });
});
