// Whether the action logs in to the registry: a merge with push off never does.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionInputs } from '../../src/action/inputs.js';
import { registrySession } from '../../src/action/registry.js';
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
  githubToken: '',
  push: true,
  thresholds: DEFAULT_THRESHOLDS,
  labels: {},
  annotations: {},
  ...extra,
});

describe('registrySession', () => {
  const context = { repository: 'Octo/Shop', repositoryOwner: 'Octo', actor: 'octocat', tempDir: tmpdir() };

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

  it('publishes under the lowercased owner/repository by default (two repos of one owner never share an image repository), and logs in as the actor with the token', () => {
    const session = registrySession(inputs({ imagePrefix: '', username: '', password: '', githubToken: 'ghs_t0ken' }), context);
    expect(session.publish).toMatchObject({ prefix: 'octo/shop' });
    expect(registrySession(inputs({ imagePrefix: '' }), { ...context, repository: 'Octo/Cart' }).publish.prefix).toBe('octo/cart');
    const config = JSON.parse(readFileSync(join(session.env.DOCKER_CONFIG!, 'config.json'), 'utf8'));
    expect(config.auths['127.0.0.1:5000'].auth).toBe(Buffer.from('octocat:ghs_t0ken').toString('base64'));
  });
});
