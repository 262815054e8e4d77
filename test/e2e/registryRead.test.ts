// The plan's read-only registry requests against a real registry (distribution 2.8): digests of
// base images agree with crane's, a missing tag is "not there" (not an error), a registry with a
// password is read with the docker config's login, and an unreachable one says so.
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startRegistry, type LocalRegistry } from '../../src/tools/localServices.js';
import { run } from '../../src/tools/exec.js';
import { toolEnv } from '../../src/tools/paths.js';
import { parseImageReference, registryReader, RegistryUnreachable } from '../../src/tools/registryRead.js';
import { services, tempDir } from './harness.js';

const env = toolEnv();

/** A port nothing listens on: one the kernel just gave out and that was closed again. */
function closedPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

describe('registryReader', () => {
  it('resolves a tag to the digest crane reports, once per reader', async () => {
    const { busybox } = services();
    const { stdout } = await run('crane', ['digest', '--insecure', busybox], { env });
    let requests = 0;
    const reader = registryReader({
      env,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    expect(await reader.resolve(busybox)).toBe(stdout.trim());
    expect(requests).toBe(1);
    expect(await reader.resolve(`${busybox.split(':').slice(0, -1).join(':')}@${stdout.trim()}`)).toBe(stdout.trim());
    expect(requests).toBe(1);
  });

  it('answers undefined for a tag that is not there, and fails for an image that is not', async () => {
    const reader = registryReader({ env });
    const ref = parseImageReference(`${services().registry}/hephy/busybox:in-${'0'.repeat(64)}`);
    expect(await reader.manifestDigest(ref)).toBeUndefined();
    await expect(reader.resolve(`${services().registry}/hephy/nothing-here:1`)).rejects.toThrow('no such image');
  });

  it('says an unreachable registry is unreachable', async () => {
    const port = await closedPort();
    const reader = registryReader({ env, timeoutMs: 3000 });
    await expect(reader.resolve(`127.0.0.1:${port}/x/y:1`)).rejects.toThrow(RegistryUnreachable);
    await expect(reader.resolve(`127.0.0.1:${port}/x/y:1`)).rejects.toThrow(`127.0.0.1:${port}: ECONNREFUSED`);
  });

  describe('with a password', () => {
    let registry: LocalRegistry;
    beforeAll(async () => {
      registry = await startRegistry({ htpasswd: { user: 'u', password: 'p4ss' } });
    });
    afterAll(async () => registry?.stop());

    it('reads with the docker config login and refuses without it', async () => {
      const ref = parseImageReference(`${registry.address}/a/b:1`);
      await expect(registryReader({ env: { ...env, DOCKER_CONFIG: tempDir('noauth') } }).manifestDigest(ref)).rejects.toThrow(
        'not allowed to read (HTTP 401)',
      );
      const dir = tempDir('auth');
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({ auths: { [registry.address]: { auth: Buffer.from('u:p4ss').toString('base64') } } }),
      );
      expect(await registryReader({ env: { ...env, DOCKER_CONFIG: dir } }).manifestDigest(ref)).toBeUndefined();
    });
  });
});

describe('parseImageReference', () => {
  it('reads references as docker does (distribution/reference normalize.go)', () => {
    expect(parseImageReference('busybox')).toEqual({ host: 'registry-1.docker.io', repository: 'library/busybox', reference: 'latest' });
    expect(parseImageReference('org/app:1.2')).toEqual({ host: 'registry-1.docker.io', repository: 'org/app', reference: '1.2' });
    expect(parseImageReference('localhost:5000/a/b')).toEqual({ host: 'localhost:5000', repository: 'a/b', reference: 'latest' });
    expect(parseImageReference(`reg.example/a@sha256:${'a'.repeat(64)}`).reference).toBe(`sha256:${'a'.repeat(64)}`);
    expect(() => parseImageReference('Bad/Name')).toThrow('is not an image reference');
  });
});
