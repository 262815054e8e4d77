// Whether the action logs in to the registry: a merge with push off never does.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionInputs } from '../../src/action/inputs.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registryCredentials, registrySession } from '../../src/action/registry.js';
import { run } from '../../src/tools/exec.js';
import { toolEnv } from '../../src/tools/paths.js';
import { DEFAULT_THRESHOLDS } from '../../src/core/report/thresholds.js';

const inputs = (extra: Partial<ActionInputs> = {}): ActionInputs => ({
  root: '.',
  since: '',
  rebuildList: '',
  dirs: [],
  runners: '',
  leg: '',
  registry: '127.0.0.1:5000',
  imagePrefix: 'hephy',
  username: 'bot',
  password: 'hunter2',
  insecureRegistry: true,
  tagMode: 'per-image',
  perArchTags: false,
  tags: '',
  artifactScope: '',
  backendOptions: {},
  buildEnv: [],
  supplyChain: {},
  githubToken: '',
  tokenRegistries: [],
  push: true,
  forceRebuild: false,
  thresholds: DEFAULT_THRESHOLDS,
  labels: {},
  annotations: {},
  ...extra,
});

const context = { repository: 'Octo/Shop', repositoryOwner: 'Octo', actor: 'octocat', tempDir: tmpdir() };

describe('registrySession', () => {
  it('logs in with the given credentials: a docker config of its own, the password masked', () => {
    const session = registrySession(inputs(), context);
    expect(session.env.DOCKER_CONFIG).toMatch(/hephy-docker-config-/);
    expect(session.secrets).toContain('hunter2');
  });

  it('does not log in when asked not to, credentials or not, and still names the images', () => {
    const session = registrySession(inputs(), context, { login: false });
    expect(session.env.DOCKER_CONFIG).toBe(process.env.DOCKER_CONFIG);
    expect(session.secrets).toEqual([]);
    expect(session.publish).toMatchObject({ registry: '127.0.0.1:5000', prefix: 'hephy' });
  });

  it('publishes under the lowercased owner/repository by default (two repos of one owner never share an image repository), and logs in to ghcr.io as the actor with the token', () => {
    const session = registrySession(
      inputs({ registry: 'ghcr.io', imagePrefix: '', username: '', password: '', githubToken: 'ghs_t0ken' }),
      context,
    );
    expect(session.publish).toMatchObject({ prefix: 'octo/shop' });
    expect(registrySession(inputs({ imagePrefix: '' }), { ...context, repository: 'Octo/Cart' }).publish.prefix).toBe('octo/cart');
    const config = JSON.parse(readFileSync(join(session.env.DOCKER_CONFIG!, 'config.json'), 'utf8'));
    expect(config.auths['ghcr.io'].auth).toBe(Buffer.from('octocat:ghs_t0ken').toString('base64'));
  });

  it('sends the token to a host of token-registries (GitHub Enterprise), to no other', () => {
    const ghes = inputs({
      registry: 'containers.ghe.example',
      username: '',
      password: '',
      githubToken: 'ghs_t0ken',
      tokenRegistries: ['containers.ghe.example'],
    });
    expect(registryCredentials(ghes, 'containers.ghe.example', 'octocat', true)?.password).toBe('ghs_t0ken');
    expect(() => registryCredentials({ ...ghes, tokenRegistries: [] }, 'containers.ghe.example', 'octocat', true)).toThrow(
      'registry containers.ghe.example: no credentials given (input password is empty), and the workflow token is only sent to ghcr.io',
    );
  });

  it('never sends the token to another registry: an error when pushing, an anonymous pull without push', () => {
    const noPassword = inputs({ registry: 'registry.example.com', username: '', password: '', githubToken: 'ghs_t0ken' });
    expect(() => registrySession(noPassword, context)).toThrow(/registry registry.example.com: no credentials given/);
    const session = registrySession({ ...noPassword, push: false }, context);
    expect(session.secrets).toEqual([]);
    expect(session.env.DOCKER_CONFIG).toBe(process.env.DOCKER_CONFIG);
  });

  it('lets a loopback registry take anonymous pushes, without the token', () => {
    for (const registry of ['127.0.0.1:5000', 'localhost:5000', '[::1]:5000']) {
      expect(
        registryCredentials(inputs({ password: '', username: '', githubToken: 'ghs_t0ken' }), registry, 'octocat', true),
      ).toBeUndefined();
    }
  });

  it('sends a given password to the registry it is given for', () => {
    expect(registryCredentials(inputs({ username: '', githubToken: 'ghs_t0ken' }), 'registry.example.com', 'octocat', true)).toEqual({
      registry: 'registry.example.com',
      username: 'octocat',
      password: 'hunter2',
    });
  });
});

describe('the workflow token and a third-party registry (stand-in: a fake registry on 127.0.0.1 that asks every client for Basic auth)', () => {
  let server: Server;
  let port: number;
  const authorizations: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      authorizations.push(request.headers.authorization ?? '');
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"', 'Docker-Distribution-API-Version': 'registry/2.0' });
      response.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));
  beforeEach(() => (authorizations.length = 0));

  const crane = (env: NodeJS.ProcessEnv) =>
    run('crane', ['manifest', '--insecure', `127.0.0.1:${port}/team/app:latest`], {
      env: { ...env, PATH: toolEnv(env).PATH },
      allowFailure: true,
    });

  it('receives no token: crane, with the session the action builds, sends no Authorization carrying it', async () => {
    const session = registrySession(
      inputs({ registry: `127.0.0.1:${port}`, username: '', password: '', githubToken: 'ghs_w0rkflowT0ken' }),
      context,
    );
    const result = await crane(session.env);
    expect(result.code).not.toBe(0);
    expect(authorizations.length).toBeGreaterThan(0);
    const sent = authorizations.join('\n');
    expect(sent).not.toContain(Buffer.from('octocat:ghs_w0rkflowT0ken').toString('base64'));
    expect(sent).not.toContain('ghs_w0rkflowT0ken');
  });

  it('(control) receives a password given for it, so the check above can fail', async () => {
    const session = registrySession(inputs({ registry: `127.0.0.1:${port}`, username: 'bot', password: 'hunter2' }), context);
    await crane(session.env);
    expect(authorizations).toContain(`Basic ${Buffer.from('bot:hunter2').toString('base64')}`);
  });
});
