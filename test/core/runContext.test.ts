import { branchOf, runContextFromEnvironment } from '../../src/core/runContext.js';

const fallbacks = { cwd: '/work/here', tempDir: '/tmp' };
const sha = (c: string) => c.repeat(40);

// The variables a GitHub-hosted runner sets for a pull_request run (names and formats from
// GitHub's "Variables reference"), with the payload parts hephy-builder reads.
const runnerEnv = {
  GITHUB_ACTIONS: 'true',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_REF: 'refs/pull/7/merge',
  GITHUB_SHA: sha('m'),
  GITHUB_REPOSITORY: 'octo/app',
  GITHUB_REPOSITORY_OWNER: 'octo',
  GITHUB_ACTOR: 'octocat',
  GITHUB_RUN_ID: '1658821493',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_WORKSPACE: '/home/runner/work/app/app',
  RUNNER_TEMP: '/home/runner/work/_temp',
  RUNNER_TOOL_CACHE: '/opt/hostedtoolcache',
  ACTIONS_RUNTIME_TOKEN: 'secret',
};
const prPayload = {
  number: 7,
  pull_request: { number: 7, head: { sha: sha('h'), repo: { full_name: 'fork/app' } }, base: { sha: sha('b') } },
  repository: { full_name: 'octo/app', default_branch: 'trunk' },
};

describe('runContextFromEnvironment', () => {
  it('reads every field of a pull request run from the variables and the payload', () => {
    expect(runContextFromEnvironment(runnerEnv, prPayload, fallbacks)).toEqual({
      eventName: 'pull_request',
      ref: 'refs/pull/7/merge',
      sha: sha('m'),
      repository: 'octo/app',
      repositoryOwner: 'octo',
      defaultBranch: 'trunk',
      repositoryVisibility: undefined,
      pullRequest: { number: 7, headSha: sha('h'), headRepository: 'fork/app', baseSha: sha('b') },
      before: undefined,
      dispatchInputs: undefined,
      actor: 'octocat',
      runId: '1658821493',
      runAttempt: 2,
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      workspace: '/home/runner/work/app/app',
      tempDir: '/home/runner/work/_temp',
      toolCacheDir: '/opt/hostedtoolcache',
      onRunner: true,
      artifactService: true,
    });
  });

  it("reads the repository's visibility from the payload, else from its private flag; an odd value is dropped", () => {
    const of = (repository: unknown) => runContextFromEnvironment({}, { repository }, fallbacks).repositoryVisibility;
    expect(of({ visibility: 'public', private: false })).toBe('public');
    expect(of({ visibility: 'internal', private: true })).toBe('internal');
    expect(of({ private: true })).toBe('private');
    expect(of({ private: false })).toBe('public');
    expect(of({ visibility: 'everyone', private: 'no' })).toBeUndefined();
    expect(of({})).toBeUndefined();
  });

  it('reads a push’s before and a manual run’s string inputs', () => {
    const push = runContextFromEnvironment({ GITHUB_EVENT_NAME: 'push' }, { before: sha('b'), ref: 'refs/heads/main' }, fallbacks);
    expect(push).toMatchObject({ eventName: 'push', before: sha('b'), pullRequest: undefined });
    const dispatch = runContextFromEnvironment({}, { inputs: { dirs: 'a,b', force: true } }, fallbacks);
    expect(dispatch.dispatchInputs).toEqual({ dirs: 'a,b' });
  });

  it('outside a runner: nothing known, the process’s own directories, no artifact service', () => {
    expect(runContextFromEnvironment({ GITHUB_SHA: '', RUNNER_TEMP: '' }, {}, fallbacks)).toMatchObject({
      eventName: undefined,
      sha: undefined,
      workspace: '/work/here',
      tempDir: '/tmp',
      onRunner: false,
      artifactService: false,
    });
  });

  it('drops what has the wrong shape instead of failing the run', () => {
    for (const payload of [null, 'text', [1], 42]) {
      expect(runContextFromEnvironment({}, payload, fallbacks)).toMatchObject({ pullRequest: undefined, defaultBranch: undefined });
    }
    const odd = {
      before: 5,
      pull_request: { number: 7, head: { sha: 1, repo: null }, base: 'x' },
      repository: { default_branch: ['main'] },
    };
    const context = runContextFromEnvironment({ GITHUB_RUN_ATTEMPT: 'x' }, odd, fallbacks);
    expect(context).toMatchObject({ before: undefined, defaultBranch: undefined, runAttempt: undefined });
    expect(context.pullRequest).toEqual({ number: 7, headSha: undefined, headRepository: undefined, baseSha: undefined });
    // A pull request without a number is no pull request to name or comment on.
    expect(runContextFromEnvironment({}, { pull_request: { number: 'seven' } }, fallbacks).pullRequest).toBeUndefined();
  });
});

describe('branchOf', () => {
  it('names the branch of a branch ref only', () => {
    expect(branchOf('refs/heads/main')).toBe('main');
    expect(branchOf('refs/heads/feature/x')).toBe('feature/x');
    expect(branchOf('refs/tags/v1.2.3')).toBeUndefined();
    expect(branchOf('refs/pull/7/merge')).toBeUndefined();
    expect(branchOf(undefined)).toBeUndefined();
  });
});
