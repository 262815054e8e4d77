// Whether the action logs in to the registry: a merge with push off never does.
import { tmpdir } from 'node:os';
import type { ActionInputs } from '../../src/action/inputs.js';
import { registrySession } from '../../src/action/registry.js';

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
  backendOptions: {},
  githubToken: '',
  push: true,
  ...extra,
});

describe('registrySession', () => {
  const runnerTemp = process.env.RUNNER_TEMP;
  beforeAll(() => {
    process.env.RUNNER_TEMP = tmpdir();
  });
  afterAll(() => {
    if (runnerTemp === undefined) delete process.env.RUNNER_TEMP;
    else process.env.RUNNER_TEMP = runnerTemp;
  });

  it('logs in with the given credentials: a docker config of its own, the password masked', () => {
    const session = registrySession(inputs());
    expect(session.env.DOCKER_CONFIG).toMatch(/hephy-docker-config-/);
    expect(session.secrets).toContain('hunter2');
  });

  it('does not log in when asked not to, credentials or not, and still names the images', () => {
    const session = registrySession(inputs(), new Date('2026-11-25'), { login: false });
    expect(session.env.DOCKER_CONFIG).toBe(process.env.DOCKER_CONFIG);
    expect(session.secrets).toEqual([]);
    expect(session.publish).toMatchObject({ registry: '127.0.0.1:5000', prefix: 'hephy' });
  });
});
