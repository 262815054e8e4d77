// The plan job's selection by input digest (issue 10): which runs ask the registry, with which
// login, and the outputs that let the merge run when no leg builds. The registry is a stand-in:
// a small HTTP server on 127.0.0.1 that records each manifest request's Authorization header and
// answers 404 (no record), as a registry does for a tag it does not have (OCI distribution spec
// v1.1, "Pulling manifests").
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { digestSelection, planOutputs, waveOutputs } from '../../src/action/plan.js';
import { parseImageReference } from '../../src/tools/registryRead.js';

const base = {
  registry: '',
  imagePrefix: '',
  tagMode: 'per-image' as const,
  forceRebuild: false,
  insecureRegistry: false,
  username: '',
  password: '',
  githubToken: 'ghs_workflowtoken',
  tokenRegistries: [],
};
const context = (eventName: string, ref: string, extra: object = {}) => ({
  eventName,
  ref,
  defaultBranch: 'main',
  repository: 'Octo/Shop',
  repositoryOwner: 'Octo',
  actor: 'octocat',
  tempDir: tmpdir(),
  ...extra,
});

describe('digestSelection (the plan job)', () => {
  it('asks the registry on default-branch pushes, schedules and manual runs, never on pull requests or other branches', () => {
    const inputs = { ...base, registry: 'registry.example.com' };
    expect(digestSelection(inputs, context('push', 'refs/heads/main')).byDigest).toBeDefined();
    expect(digestSelection(inputs, context('schedule', 'refs/heads/main')).byDigest).toBeDefined();
    expect(digestSelection(inputs, context('workflow_dispatch', 'refs/heads/main')).byDigest).toBeDefined();
    const pr = digestSelection(inputs, context('pull_request', 'refs/pull/5/merge', { pullRequest: { number: 5 } }));
    expect(pr.byDigest).toBeUndefined();
    expect(pr.why).toContain('a pull_request run selects by what changed');
    expect(digestSelection(inputs, context('push', 'refs/heads/feature')).byDigest).toBeUndefined();
    const none = digestSelection(base, context('push', 'refs/heads/main'));
    expect(none.byDigest).toBeUndefined();
    expect(none.why).toContain('no registry');
  });

  it('reads records under the repositories the merge writes them to, and passes force-rebuild on', () => {
    const selection = digestSelection(
      { ...base, registry: 'Registry.Example.com', forceRebuild: true },
      context('push', 'refs/heads/main'),
    );
    expect(selection.byDigest).toMatchObject({
      publish: { registry: 'registry.example.com', prefix: 'octo/shop', mode: 'per-image' },
      forceRebuild: true,
    });
    expect(selection.why).toContain('force-rebuild');
  });

  describe('against a registry', () => {
    let server: Server;
    let host: string;
    const seen: Array<string | undefined> = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req.headers.authorization);
        // Basic auth asked for, as a registry with a password does; a login answers 404 (no record).
        if (!req.headers.authorization) {
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
          return;
        }
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => (seen.length = 0));

    const ask = (inputs: typeof base) => {
      const selection = digestSelection({ ...inputs, registry: host }, context('push', 'refs/heads/main'));
      return { selection, digest: selection.reader!.manifestDigest(parseImageReference(`${host}/octo/shop/app:in-${'a'.repeat(64)}`)) };
    };

    it('with the password input, logs in as the build and merge jobs do, and masks it', async () => {
      const { selection, digest } = ask({ ...base, username: 'bot', password: 'hunter2' });
      await expect(digest).resolves.toBeUndefined();
      expect(seen).toEqual([undefined, `Basic ${Buffer.from('bot:hunter2').toString('base64')}`]);
      expect(selection.secrets).toContain('hunter2');
      expect(selection.why).toContain('as bot');
    });

    it('without credentials for that registry, reads anonymously: the workflow token is never sent to it', async () => {
      const { selection, digest } = ask(base);
      // The registry wants a login nobody gave: the plan cannot read it (it then warns and falls back to the diff).
      await expect(digest).rejects.toThrow(/not allowed to read \(HTTP 401\)/);
      expect(seen.every((auth) => auth === undefined)).toBe(true);
      expect(selection.why).toContain('anonymously');
    });
  });
});

describe('planOutputs', () => {
  const leg = { id: 'app--linux-amd64' } as never;
  it('has-work only when a leg builds; merge-has-work also when an unchanged image is re-tagged', () => {
    const unchanged = [{ image: 'app', dir: 'app', tags: ['20261125'], index: `sha256:${'1'.repeat(64)}`, platforms: [] }];
    expect(planOutputs({ matrix: { include: [] }, unchanged })).toEqual({
      'has-work': 'false',
      'merge-has-work': 'true',
      unchanged: JSON.stringify([{ image: 'app', dir: 'app', tags: ['20261125'] }]),
    });
    expect(planOutputs({ matrix: { include: [leg] } })).toMatchObject({ 'has-work': 'true', 'merge-has-work': 'true' });
    expect(planOutputs({ matrix: { include: [] } })).toMatchObject({ 'has-work': 'false', 'merge-has-work': 'false' });
  });
});

describe('waveOutputs (issue 14)', () => {
  it('gives one matrix per wave, and has-work-N only for a wave with legs', () => {
    const leg = (id: string, wave?: number) => ({
      id,
      image: id,
      dir: id,
      backend: 'kaniko' as const,
      platform: 'linux/amd64',
      runner: 'ubuntu-latest',
      emulated: false,
      ...(wave ? { wave } : {}),
    });
    const outputs = waveOutputs([leg('base', 1), leg('app', 2), leg('old')]);
    expect(JSON.parse(outputs['matrix-1']).include.map((l: { id: string }) => l.id)).toEqual(['base', 'old']);
    expect(JSON.parse(outputs['matrix-2']).include.map((l: { id: string }) => l.id)).toEqual(['app']);
    expect(outputs['matrix-3']).toBe('{"include":[]}');
    expect([outputs['has-work-1'], outputs['has-work-2'], outputs['has-work-3']]).toEqual(['true', 'true', 'false']);
  });
});
