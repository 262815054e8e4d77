// The action reads the runner's environment in one place: the variables it is given and the event
// payload at GITHUB_EVENT_PATH.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunContext } from '../../src/action/context.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hephy-context-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readRunContext', () => {
  it('reads the payload file GITHUB_EVENT_PATH names', () => {
    const event = join(dir, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ pull_request: { number: 3, base: { sha: 'b'.repeat(40) } }, repository: { default_branch: 'main' } }),
    );
    const context = readRunContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, RUNNER_TEMP: dir });
    expect(context).toMatchObject({ eventName: 'pull_request', defaultBranch: 'main', tempDir: dir });
    expect(context.pullRequest).toMatchObject({ number: 3, baseSha: 'b'.repeat(40) });
  });

  it('takes a missing or broken payload file as no event details', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"pull_request": ');
    for (const path of [broken, join(dir, 'absent.json'), undefined]) {
      const context = readRunContext({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: path });
      expect(context).toMatchObject({
        eventName: 'push',
        pullRequest: undefined,
        before: undefined,
        workspace: process.cwd(),
        tempDir: tmpdir(),
      });
    }
  });
});
