import { describe, expect, it } from '@jest/globals';
import { OCI_KEYS, parseMetadataEntries } from '../../src/core/annotations.js';
import {
  imageMetadata,
  imageVersion,
  metadataFacts,
  repositoryWebUrl,
  rfc3339,
  runMetadata,
  semverOf,
  sharedAnnotations,
} from '../../src/core/imageMetadata.js';
import { UserError } from '../../src/core/problem.js';

const SHA = 'a'.repeat(40);
const HEAD = 'b'.repeat(40);

describe('rfc3339', () => {
  it('is UTC to the second', () => {
    expect(rfc3339(1700000000)).toBe('2023-11-14T22:13:20Z');
  });
});

describe('imageVersion', () => {
  it('takes the version the tag policy decided (test/core/tagPolicy.test.ts), else the short sha', () => {
    expect(imageVersion({ planned: '1.2.3', revision: SHA })).toBe('1.2.3');
    expect(imageVersion({ revision: SHA })).toBe('aaaaaaa');
    expect(imageVersion({})).toBeUndefined();
  });

  it('an upstream build: the upstream ref when it is a semver, else the planned version', () => {
    expect(imageVersion({ planned: 'bbbbbbb', upstreamRef: 'v0.4.1', revision: SHA })).toBe('0.4.1');
    expect(imageVersion({ planned: 'bbbbbbb', upstreamRef: 'main', revision: SHA })).toBe('bbbbbbb');
  });

  it('takes semver as semver.org spells it', () => {
    expect(semverOf('v01.2.3')).toBeUndefined();
    expect(semverOf('1.2')).toBeUndefined();
    expect(semverOf('1.2.3+build.5')).toBe('1.2.3+build.5');
  });
});

describe('repositoryWebUrl', () => {
  it.each([
    ['https://github.com/org/app', 'https://github.com/org/app'],
    ['https://user:tok3n@git.example.com/org/app.git', 'https://git.example.com/org/app'],
    ['git@git.example.com:org/app.git', 'https://git.example.com/org/app'],
    ['ssh://git@git.example.com:2222/org/app.git', 'https://git.example.com/org/app'],
    ['http://127.0.0.1:3000/org/app.git', 'http://127.0.0.1:3000/org/app'],
    ['/srv/git/app.git', undefined],
    ['file:///srv/git/app.git', undefined],
    ['C:\\repos\\app', undefined],
    ['https://host/org/app?token=x#frag', 'https://host/org/app'],
    ['git@host:org/../app', undefined],
    ['', undefined],
  ])('%s -> %s', (remote, web) => {
    expect(repositoryWebUrl(remote)).toBe(web);
  });
});

describe('runMetadata', () => {
  const context = { serverUrl: 'https://github.com/', repository: 'org/app', ref: 'refs/pull/7/merge' };

  it('takes the head sha on a pull_request run, not on pull_request_target', () => {
    const pr = { number: 7, headSha: HEAD };
    expect(
      runMetadata({ ...context, eventName: 'pull_request', pullRequest: pr }, { labels: {}, annotations: {} }).pullRequestHeadSha,
    ).toBe(HEAD);
    expect(
      runMetadata({ ...context, eventName: 'pull_request_target', pullRequest: pr }, { labels: {}, annotations: {} }).pullRequestHeadSha,
    ).toBeUndefined();
    expect(
      runMetadata({ ...context, eventName: 'pull_request', pullRequest: { number: 7, headSha: '--evil' } }, { labels: {}, annotations: {} })
        .pullRequestHeadSha,
    ).toBeUndefined();
  });

  it('prefers the runner repository to the local remote', () => {
    expect(runMetadata(context, { labels: {}, annotations: {} }, 'git@elsewhere:x/y.git').repositoryUrl).toBe('https://github.com/org/app');
    expect(runMetadata({}, { labels: {}, annotations: {} }, 'git@elsewhere:x/y.git').repositoryUrl).toBe('https://elsewhere/x/y');
  });
});

describe('metadataFacts and imageMetadata', () => {
  const run = { repositoryUrl: 'https://github.com/org/app' };
  const local = { image: 'api', source: { kind: 'local' as const, dir: 'api' }, version: '1.2.3' };

  it('gives every standard key from a local build', () => {
    const facts = metadataFacts(local, run, { commit: SHA, commitTime: 1700000000 });
    const meta = imageMetadata(facts, { description: 'The API', licenses: 'MIT' }, { labels: {}, annotations: {} });
    const expected = {
      [OCI_KEYS.created]: '2023-11-14T22:13:20Z',
      [OCI_KEYS.description]: 'The API',
      [OCI_KEYS.licenses]: 'MIT',
      [OCI_KEYS.revision]: SHA,
      [OCI_KEYS.source]: 'https://github.com/org/app',
      [OCI_KEYS.title]: 'api',
      [OCI_KEYS.url]: 'https://github.com/org/app',
      [OCI_KEYS.version]: '1.2.3',
    };
    expect(meta.labels).toEqual(expected);
    expect(meta.annotations).toEqual(expected);
    expect(Object.keys(meta.labels)).toEqual(Object.keys(expected).sort());
  });

  it('names the upstream commit and repository for an upstream build', () => {
    const upstream = {
      image: 'curl',
      source: { kind: 'upstream' as const, repo: 'https://git.example.com/curl/curl.git', ref: 'v8.1.0' },
      version: 'ccccccc',
    };
    const facts = metadataFacts(upstream, { ...run, pullRequestHeadSha: HEAD }, { commit: SHA, commitTime: 1 });
    expect(facts).toMatchObject({ revision: SHA, version: '8.1.0', source: 'https://git.example.com/curl/curl', url: run.repositoryUrl });
  });

  it('names the pull request head on a pull request', () => {
    expect(metadataFacts(local, { ...run, pullRequestHeadSha: HEAD }, { commit: SHA }).revision).toBe(HEAD);
  });

  it('lets the run win over the config, and nobody over revision and created', () => {
    const facts = metadataFacts(local, run, { commit: SHA, commitTime: 0 });
    const meta = imageMetadata(
      facts,
      { labels: { 'com.example.team': 'a', [OCI_KEYS.title]: 'custom' }, annotations: { 'com.example.only': 'x' } },
      { labels: { 'com.example.team': 'b', [OCI_KEYS.revision]: 'forged' }, annotations: {} },
    );
    expect(meta.labels['com.example.team']).toBe('b');
    expect(meta.labels[OCI_KEYS.title]).toBe('custom');
    expect(meta.labels[OCI_KEYS.revision]).toBe(SHA);
    expect(meta.labels[OCI_KEYS.created]).toBe('1970-01-01T00:00:00Z');
    expect(meta.labels['com.example.only']).toBeUndefined();
    expect(meta.annotations['com.example.only']).toBe('x');
  });

  it('leaves out what is unknown', () => {
    const meta = imageMetadata(metadataFacts({ ...local, version: undefined }, {}, {}), {}, { labels: {}, annotations: {} });
    expect(meta.labels).toEqual({ [OCI_KEYS.title]: 'api' });
  });
});

describe('sharedAnnotations', () => {
  it('keeps what every platform says alike', () => {
    expect(
      sharedAnnotations([
        { a: '1', b: '2' },
        { a: '1', b: '3' },
      ]),
    ).toEqual({ a: '1' });
    expect(sharedAnnotations([{ a: '1' }, undefined])).toEqual({});
    expect(sharedAnnotations([])).toEqual({});
  });
});

describe('parseMetadataEntries (inputs and flags)', () => {
  it('reads KEY=VALUE lines, a value keeps its = and leading dashes', () => {
    expect(parseMetadataEntries(['a.b=x=y', '', 'c=--insecure', 'a.b=z\r'], 'input labels')).toEqual({ 'a.b': 'z', c: '--insecure' });
  });

  it.each([
    ['novalue', 'input labels: expected KEY=VALUE, got `novalue`'],
    ['-x=1', 'input labels: a key is letters and digits joined by single . _ or -'],
    ['index:a=1', 'input labels: a key is letters and digits'],
    [`${OCI_KEYS.created}=2020`, 'org.opencontainers.image.created is set by hephy-builder'],
    ['a=b\u0007', 'a value is one line of text'],
    [`a=${'x'.repeat(5000)}`, 'a value is at most 4096 characters'],
  ])('refuses %j', (entry, message) => {
    expect(() => parseMetadataEntries([entry], 'input labels')).toThrow(UserError);
    expect(() => parseMetadataEntries([entry], 'input labels')).toThrow(message);
  });
});
