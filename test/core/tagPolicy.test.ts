// The default tag table (issue 7), row by row, the semver table, the single-repo prefix, upstream
// refs, full references, and who may push. Semver as docker/metadata-action reads a git tag
// (src/meta.ts procSemver: semver.valid + semver.parse(loose), no bare `0` major for 0.x).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlan, MATRIX_JOB_LIMIT } from '../../src/core/plan.js';
import {
  classifyRun,
  imageTags,
  runMayPush,
  selectsByDigest,
  writesInputRecords,
  type TaggedImage,
  type TaggingOptions,
} from '../../src/core/tagPolicy.js';
import { parseTagRule } from '../../src/core/tagRules.js';
import { tempDir } from '../helpers/gitRepo.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const HEAD = 'fedcba9876543210fedcba9876543210fedcba98';
const DATE = new Date('2026-11-25T10:00:00Z');

const image = (extra: Partial<TaggedImage> = {}): TaggedImage => ({
  image: 'api',
  dir: 'api',
  configFile: 'api/build-config.yaml',
  config: {},
  additionalTags: ['latest'],
  source: { kind: 'local', dir: 'api' },
  platforms: ['linux/amd64', 'linux/arm64'],
  ...extra,
});

const run = (r: TaggingOptions['run']): TaggingOptions => ({
  run: { defaultBranch: 'main', repository: 'octo/shop', ...r },
  date: DATE,
  mode: 'per-image',
});
const tagsOf = (options: TaggingOptions, img: TaggedImage = image()) => {
  const result = imageTags(img, options);
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return result.tags;
};

describe('the default tag table', () => {
  it.each([
    [{ eventName: 'push', ref: 'refs/tags/v1.2.3', sha: SHA }, '1.2.3'],
    [{ eventName: 'push', ref: 'refs/tags/v2.0.0-rc.1', sha: SHA }, '2.0.0-rc.1'],
    [{ eventName: 'push', ref: 'refs/tags/nightly', sha: SHA }, 'nightly'],
    [{ eventName: 'push', ref: 'refs/heads/main', sha: SHA }, '0123456'],
    [{ eventName: 'schedule', ref: 'refs/heads/main', sha: SHA }, '0123456'],
    [{ eventName: 'push', ref: 'refs/heads/feature/x', sha: SHA }, 'feature-x'],
    [
      {
        eventName: 'pull_request',
        ref: 'refs/pull/7/merge',
        sha: SHA,
        pullRequest: { number: 7, headSha: HEAD, headRepository: 'octo/shop' },
      },
      'pr-7',
    ],
  ])('the version label of %j is %s: the first tag, never latest or the date tag, without the single-repo prefix', (r, version) => {
    for (const mode of ['per-image', 'single-repo'] as const) {
      const result = imageTags(image(), { ...run(r), mode });
      expect(result.version).toBe(version);
    }
  });

  it('the version with metadata-action rules: the first tag the rules give', () => {
    const rules = [parseTagRule('type=semver,pattern={{major}}.{{minor}}'), parseTagRule('type=sha')];
    expect(imageTags(image(), { ...run({ eventName: 'push', ref: 'refs/tags/v3.4.5', sha: SHA }), rules }).version).toBe('3.4');
  });

  it.each([
    ['push', 'refs/heads/main'],
    ['schedule', 'refs/heads/main'],
    ['workflow_dispatch', 'refs/heads/main'],
  ])('%s on the default branch: date, short sha and additional_tags', (eventName, ref) => {
    expect(tagsOf(run({ eventName, ref, sha: SHA }))).toEqual(['20261125', '0123456', 'latest']);
  });

  it('a pull request from this repository: pr-N and pr-N-{head sha7} only, never the merge commit, latest or the date', () => {
    const tags = tagsOf(
      run({
        eventName: 'pull_request',
        ref: 'refs/pull/42/merge',
        sha: SHA, // GitHub's synthetic merge commit
        pullRequest: { number: 42, headSha: HEAD, headRepository: 'octo/shop' },
      }),
    );
    expect(tags).toEqual(['pr-42', 'pr-42-fedcba9']);
  });

  it.each(['push', 'workflow_dispatch'])('%s on another branch: the branch made a tag and {branch}-{sha7}', (eventName) => {
    expect(tagsOf(run({ eventName, ref: 'refs/heads/feature/x-y', sha: SHA }))).toEqual(['feature-x-y', 'feature-x-y-0123456']);
  });

  it('without the default branch in the payload, a branch is never the default one (nothing moves latest)', () => {
    expect(
      tagsOf({
        ...run({ eventName: 'push', ref: 'refs/heads/main', sha: SHA }),
        run: { eventName: 'push', ref: 'refs/heads/main', sha: SHA },
      }),
    ).toEqual(['main', 'main-0123456']);
  });

  it('a run the table does not know (no ref) gets no tag and a warning, never latest', () => {
    const result = imageTags(image(), run({ eventName: 'workflow_dispatch', sha: SHA }));
    expect(result.tags).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/^no tag for this run \(the run has no ref/) }),
    ]);
  });

  it('puts {image}- before every tag in single-repo mode', () => {
    expect(tagsOf({ ...run({ eventName: 'push', ref: 'refs/heads/main', sha: SHA }), mode: 'single-repo' })).toEqual([
      'api-20261125',
      'api-0123456',
      'api-latest',
    ]);
  });

  it('gives an upstream build its upstream_ref where it gets additional_tags, and not on a pull request', () => {
    const upstream = image({ source: { kind: 'upstream', repo: 'https://example.test/curl.git', ref: 'curl-8_11_0' } });
    expect(tagsOf(run({ eventName: 'push', ref: 'refs/heads/main', sha: SHA }), upstream)).toEqual([
      '20261125',
      '0123456',
      'latest',
      'curl-8_11_0',
    ]);
    const pr = run({
      eventName: 'pull_request',
      ref: 'refs/pull/1/merge',
      pullRequest: { number: 1, headSha: HEAD, headRepository: 'octo/shop' },
    });
    expect(tagsOf(pr, upstream)).toEqual(['pr-1', 'pr-1-fedcba9']);
  });

  it('gives full references when the plan knows the registry', () => {
    const options = {
      ...run({ eventName: 'push', ref: 'refs/heads/main', sha: SHA }),
      target: { registry: 'ghcr.example:5000', prefix: 'octo/shop' },
    };
    expect(tagsOf(options)).toEqual([
      'ghcr.example:5000/octo/shop/api:20261125',
      'ghcr.example:5000/octo/shop/api:0123456',
      'ghcr.example:5000/octo/shop/api:latest',
    ]);
  });
});

describe('git tags (the semver table)', () => {
  const release = (gitTag: string, extra: Partial<TaggedImage> = {}) =>
    tagsOf(run({ eventName: 'push', ref: `refs/tags/${gitTag}`, sha: SHA }), image(extra));
  it.each([
    ['v1.2.3', ['1.2.3', '1.2', '1', 'latest']],
    ['1.2.3', ['1.2.3', '1.2', '1', 'latest']],
    ['v0.4.1', ['0.4.1', '0.4', 'latest']],
    ['v2.0.0-rc.1', ['2.0.0-rc.1']],
    ['nightly/2026-11', ['nightly-2026-11']],
  ])('%s -> %j', (gitTag, expected) => {
    expect(release(gitTag)).toEqual(expected);
  });
});

describe('who may push', () => {
  it('never a pull request from a fork, nor any pull_request_target run; a same-repository pull request may', () => {
    const pr = (eventName: string, headRepository?: string) =>
      runMayPush({ eventName, repository: 'octo/shop', pullRequest: { number: 1, headRepository } });
    expect(pr('pull_request', 'octo/shop')).toEqual({ push: true });
    expect(pr('pull_request', 'mallory/shop')).toEqual({ push: false, why: 'the pull request comes from the fork mallory/shop' });
    expect(pr('pull_request', undefined).push).toBe(false);
    expect(pr('pull_request_target', 'octo/shop')).toEqual({
      push: false,
      why: 'pull_request_target runs are treated as pull requests from a fork',
    });
    expect(runMayPush({ eventName: 'push', repository: 'octo/shop' })).toEqual({ push: true });
  });

  it('classifies pull_request_target by its pull request', () => {
    expect(
      classifyRun({ eventName: 'pull_request_target', ref: 'refs/heads/main', defaultBranch: 'main', pullRequest: { number: 9 } }),
    ).toEqual({ kind: 'pull-request', number: 9 });
  });
});

describe('tag rules (docker/metadata-action syntax)', () => {
  it('replace the table; additional_tags count as type=raw rules enabled on the default branch', () => {
    const rules = ['type=ref,event=branch', 'type=ref,event=pr', 'type=semver,pattern={{version}}', 'type=sha'].map(parseTagRule);
    const on = (r: TaggingOptions['run']) => tagsOf({ ...run(r), rules });
    expect(on({ eventName: 'push', ref: 'refs/heads/main', sha: SHA })).toEqual(['main', 'latest', 'sha-0123456']);
    expect(on({ eventName: 'push', ref: 'refs/heads/dev', sha: SHA })).toEqual(['dev', 'sha-0123456']);
    expect(
      on({
        eventName: 'pull_request',
        ref: 'refs/pull/7/merge',
        sha: SHA,
        pullRequest: { number: 7, headSha: HEAD, headRepository: 'octo/shop' },
      }),
    ).toEqual(['pr-7', 'sha-fedcba9']);
    expect(on({ eventName: 'push', ref: 'refs/tags/v1.2.3', sha: SHA })).toEqual(['1.2.3', 'sha-0123456', 'latest']); // metadata-action's latest=auto: last
  });

  it('evaluate {{is_default_branch}} and {{date}} as metadata-action does', () => {
    const rules = ['type=raw,value=edge,enable={{is_default_branch}}', "type=raw,value=nightly-{{date 'YYYYMMDD'}}"].map(parseTagRule);
    expect(tagsOf({ ...run({ eventName: 'push', ref: 'refs/heads/main', sha: SHA }), rules }, image({ additionalTags: [] }))).toEqual([
      'edge',
      'nightly-20261125',
    ]);
    expect(tagsOf({ ...run({ eventName: 'push', ref: 'refs/heads/dev', sha: SHA }), rules }, image({ additionalTags: [] }))).toEqual([
      'nightly-20261125',
    ]);
  });

  it('reject an unknown rule type, a missing attribute and an unknown expression', () => {
    expect(() => parseTagRule('type=pep')).toThrow(/Unknown tag type attribute: pep/);
    expect(() => parseTagRule('type=ref')).toThrow(/Missing event attribute/);
    expect(() => parseTagRule('type=raw,value={{branchh}}')).toThrow(/`\{\{branchh\}\}` is not an expression here/);
  });
});

describe('tags checked at plan time, at the config line', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('hephy-tags-');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const app = (dir: string, config: string) => {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(root, dir, 'build-config.yaml'), config);
  };

  it('an unknown rule type is an error at its line, and the image builds nothing', async () => {
    app('web', 'build_backend: kaniko\ntags: |\n  type=ref,event=branch\n  type=sbom,value=x\n');
    const plan = await buildPlan(root, { kind: 'all' }, { repoName: 'r' });
    expect(plan.images).toEqual([]);
    expect(plan.problems).toEqual([
      expect.objectContaining({
        file: 'web/build-config.yaml',
        line: 4,
        severity: 'error',
        message: expect.stringMatching(/type=sbom.*Unknown tag type attribute: sbom/),
      }),
    ]);
  });

  it('a tag over 128 characters once prefixed (single-repo) is an error naming the tag, its length and the limit, at the entry', async () => {
    const tag = 'x'.repeat(125);
    app('web', `build_backend: kaniko\nadditional_tags:\n  - latest\n  - ${tag}\n`);
    const plan = await buildPlan(
      root,
      { kind: 'all' },
      { repoName: 'r', tagging: { ...run({ eventName: 'push', ref: 'refs/heads/main', sha: SHA }), mode: 'single-repo' } },
    );
    expect(plan.images).toEqual([]);
    expect(plan.problems).toEqual([
      expect.objectContaining({
        file: 'web/build-config.yaml',
        line: 4,
        path: 'additional_tags[1]',
        message: expect.stringContaining(`the tag \`web-${tag}\` is 129 characters long, over the limit of 128`),
      }),
    ]);
  });

  it(`fails a plan over ${MATRIX_JOB_LIMIT} legs at plan time, naming the count, the limit and what to do`, async () => {
    for (let i = 0; i < 150; i++) app(`app${String(i).padStart(3, '0')}`, 'build_backend: kaniko\n');
    const plan = await buildPlan(root, { kind: 'all' }, { repoName: 'r' });
    expect(plan.matrix.include).toHaveLength(300);
    const errors = plan.problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe(
      "the plan has 300 legs (one job per image and platform), over GitHub's limit of 256 jobs per matrix: GitHub would refuse the whole matrix",
    );
    expect(errors[0].hint).toMatch(/split .*`root` input.*`dirs` input/);
  });
});

describe('input-digest records and selection by digest (issue 10)', () => {
  const sameRepoPr = { eventName: 'pull_request', ref: 'refs/pull/5/merge', pullRequest: { number: 5, headRepository: 'octo/shop' } };
  const runs = {
    push: { eventName: 'push', ref: 'refs/heads/main' },
    schedule: { eventName: 'schedule', ref: 'refs/heads/main' },
    manual: { eventName: 'workflow_dispatch', ref: 'refs/heads/main' },
    manualBranch: { eventName: 'workflow_dispatch', ref: 'refs/heads/feature' },
    branch: { eventName: 'push', ref: 'refs/heads/feature' },
    release: { eventName: 'push', ref: 'refs/tags/v1.2.3' },
    pr: sameRepoPr,
    target: { ...sameRepoPr, eventName: 'pull_request_target' },
  };
  const ctx = (r: object) => ({ defaultBranch: 'main', repository: 'octo/shop', ...r });

  it('records are written by default-branch runs only: never by a pull request (even from this repository), a branch or a release', () => {
    const writes = Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, writesInputRecords(classifyRun(ctx(r)))]));
    expect(writes).toEqual({
      push: true,
      schedule: true,
      manual: true,
      manualBranch: false,
      branch: false,
      release: false,
      pr: false,
      target: false,
    });
  });

  it('pushes to the default branch, schedules and manual runs select by digest; pull requests and other pushes by their diff', () => {
    const selects = Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, selectsByDigest(ctx(r))]));
    expect(selects).toEqual({
      push: true,
      schedule: true,
      manual: true,
      manualBranch: true,
      branch: false,
      release: false,
      pr: false,
      target: false,
    });
  });

  it('the plan says whether its merge writes records: a default-branch run that pushes', async () => {
    const root = tempDir('tagpolicy-records-');
    try {
      writeFileSync(join(root, 'Dockerfile'), 'FROM scratch\n');
      const planned = async (r: object) =>
        (await buildPlan(root, { kind: 'all' }, { tagging: { ...run(ctx(r) as TaggingOptions['run']) } })).publish.recordInputs;
      expect(await planned(runs.push)).toBe(true);
      expect(await planned(runs.pr)).toBe(false);
      expect(await planned(runs.branch)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
