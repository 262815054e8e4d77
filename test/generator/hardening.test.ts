// Security rules every generated workflow must follow, checked on the rendered text.
import { allRenderedWorkflows, expressionsInRun, jobsOf, parseWorkflow, stepsOf, usesLines } from './renderedWorkflows.js';

const OWN = /^uses: (\.\/|hephy\/builder[/@])/;
const PINNED = /^uses: [\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$/;

describe.each(allRenderedWorkflows())('$name', ({ name, text }) => {
  const doc = parseWorkflow(text);
  const jobs = jobsOf(doc);

  it('pins every third-party action to a full commit SHA with its version as a comment', () => {
    const thirdParty = usesLines(text).filter((l) => !OWN.test(l));
    for (const line of thirdParty) expect(line).toMatch(PINNED);
  });

  it('puts no ${{ }} expression inside a run script (values reach scripts through env)', () => {
    expect(expressionsInRun(doc)).toEqual([]);
  });

  // The reusable workflow's merge job takes the caller's grant (id-token: write only from a caller
  // that signs: GitHub refuses a called job asking for more than the caller grants), so that
  // workflow has no top-level permissions; every other job of it states its own.
  const reusable = name.startsWith('reusable');

  it('grants no token permission at the top level', () => {
    const top = doc.permissions as Record<string, unknown>;
    if (reusable) {
      expect(top).toBeUndefined();
      return;
    }
    expect(top).toBeDefined();
    const allowed = Object.keys(top).length === 0 || (Object.keys(top).length === 1 && top.contents === 'read');
    expect(allowed).toBe(true);
  });

  it('states the permissions of every job', () => {
    expect(Object.keys(jobs).length).toBeGreaterThan(0);
    for (const [id, job] of Object.entries(jobs)) {
      expect([id, typeof job.permissions]).toEqual([id, reusable && id === 'merge' ? 'undefined' : 'object']);
    }
  });

  it("asks for id-token: write only where keyless signing happens: never in the reusable workflow's own permissions", () => {
    for (const [id, job] of Object.entries(jobs)) {
      const perms = (job.permissions ?? {}) as Record<string, string>;
      if (perms['id-token'] !== undefined) expect([id, perms['id-token']]).toEqual(['images', 'write']);
    }
  });

  it('asks for pull-requests: write only in a job that comments (merge, or the job calling it)', () => {
    for (const [id, job] of Object.entries(jobs)) {
      const perms = (job.permissions ?? {}) as Record<string, string>;
      if (perms['pull-requests'] === 'write') expect(['merge', 'images']).toContain(id);
    }
  });

  it('sets a timeout on every job that runs steps', () => {
    for (const [id, job] of Object.entries(jobs)) {
      if (job.uses) continue; // a job calling a reusable workflow cannot have one; its jobs do
      expect([id, typeof job['timeout-minutes']]).toEqual([id, 'number']);
    }
  });

  it('has a concurrency group that cancels superseded runs only for pull requests', () => {
    const c = doc.concurrency as Record<string, string>;
    expect(c.group).toContain('${{ github.ref }}');
    expect(c['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
  });

  it('never leaves the token in .git/config after a checkout', () => {
    for (const job of Object.values(jobs)) {
      for (const step of stepsOf(job)) {
        if (String(step.uses ?? '').startsWith('actions/checkout@')) {
          expect((step.with as Record<string, unknown>)['persist-credentials']).toBe(false);
        }
      }
    }
  });
});

describe('the checks themselves', () => {
  // Guards against checks that pass on anything: each one must reject a bad workflow.
  const bad = `
permissions: write-all
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020
      - run: echo "\${{ github.event.pull_request.title }}"
`;

  it('finds an expression in a run script', () => {
    expect(expressionsInRun(parseWorkflow(bad))).toEqual(['${{ github.event.pull_request.title }}']);
  });

  it('rejects a tag-pinned action and a SHA without a version comment', () => {
    const lines = usesLines(bad);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toMatch(PINNED);
  });
});
