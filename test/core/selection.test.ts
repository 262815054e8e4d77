import { selectionFromEvent } from '../../src/core/selection.js';

const sha = (c: string) => c.repeat(40);

describe('selectionFromEvent', () => {
  it('builds what changed since the PR base', () => {
    const r = selectionFromEvent({ eventName: 'pull_request', pullRequest: { number: 1, baseSha: sha('a') } }, {});
    expect(r.mode).toEqual({ kind: 'since', rev: sha('a') });
  });
  it('builds what changed since `before` on push, and everything on a new branch', () => {
    expect(selectionFromEvent({ eventName: 'push', before: sha('b') }, {}).mode).toEqual({ kind: 'since', rev: sha('b') });
    expect(selectionFromEvent({ eventName: 'push', before: sha('0') }, {}).mode).toEqual({ kind: 'all' });
  });
  it('uses the rebuild list on a schedule', () => {
    expect(selectionFromEvent({ eventName: 'schedule' }, {}).mode).toEqual({
      kind: 'rebuild-list',
      file: 'rebuild-weekly.txt',
    });
    expect(selectionFromEvent({ eventName: 'schedule' }, { rebuildList: 'weekly.txt' }).mode).toEqual({
      kind: 'rebuild-list',
      file: 'weekly.txt',
    });
  });
  it('builds the dispatched dirs, or everything', () => {
    expect(selectionFromEvent({ eventName: 'workflow_dispatch', dispatchInputs: { dirs: 'a, b/c' } }, {}).mode).toEqual({
      kind: 'dirs',
      dirs: ['a', 'b/c'],
    });
    expect(selectionFromEvent({ eventName: 'workflow_dispatch', dispatchInputs: { dirs: '' } }, {}).mode).toEqual({ kind: 'all' });
  });
  it('lets explicit inputs win over the event', () => {
    const pr = { eventName: 'pull_request', pullRequest: { number: 1, baseSha: sha('a') } };
    expect(selectionFromEvent(pr, { dirs: ['x'] }).mode).toEqual({ kind: 'dirs', dirs: ['x'] });
    expect(selectionFromEvent(pr, { since: 'HEAD~1' }).mode).toEqual({ kind: 'since', rev: 'HEAD~1' });
  });
});
