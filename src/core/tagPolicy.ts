// Which tags an image gets in this run, decided at plan time from the run's context (event, ref,
// commit, pull request), the same in the action and the CLI. The default policy:
//
//   | run                                                   | tags                                            |
//   | push, schedule or manual run on the default branch    | {YYYYMMDD}, {sha7}, each additional_tags entry   |
//   | push of a git tag vX.Y.Z or X.Y.Z                     | X.Y.Z, X.Y, X (no bare 0), additional_tags      |
//   |                                                       | unless it is a prerelease (then X.Y.Z-pre only) |
//   | pull request from this repository                     | pr-{N}, pr-{N}-{head sha7}                      |
//   | push or manual run on another branch                  | {branch as a tag}, {branch}-{sha7}              |
//
// An upstream build also gets {upstream_ref} (made a valid tag) where it gets additional_tags.
// Single-repo mode puts `{image}-` before each tag. Rules in docker/metadata-action's syntax
// (core/tagRules.ts) replace the table: a `tags:` key of the config, else the `tags` input/flag;
// additional_tags (and the upstream ref) then count as `type=raw` rules enabled on the default branch.
// Every final reference is checked against the OCI grammar (core/reference.ts) here, so a tag
// that cannot exist fails the plan at its config line instead of the merge after others moved.
import * as semver from 'semver';
import type { ConfigPath } from './config/locator.js';
import type { BuildConfig } from './config/schema.js';
import type { ImageSpec } from './model.js';
import { isWasm } from './platform.js';
import { messageOf, UserError, type Problem } from './problem.js';
import { repositoryProblem, tagFromName, tagProblem } from './reference.js';
import type { RunContext } from './runContext.js';
import { evaluateTagRules, parseTagRule, sortRules, splitRuleLines, TagRuleError, type RuleContext, type TagRule } from './tagRules.js';
import { dateStamp, perArchTag, repositoryFor, type TagMode } from './tags.js';

/** What kind of run this is for the tag table. */
export type TagRun =
  | { kind: 'default-branch'; branch: string }
  | { kind: 'release'; gitTag: string }
  | { kind: 'pull-request'; number: number }
  | { kind: 'branch'; branch: string }
  | { kind: 'unknown'; why: string };

export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/** The pull request number of a run: the payload's, else the one in refs/pull/N/merge. */
function pullRequestNumber(run: Pick<RunContext, 'pullRequest' | 'ref'>): number | undefined {
  if (run.pullRequest?.number) return run.pullRequest.number;
  const m = run.ref?.match(/^refs\/pull\/(\d+)\//);
  return m ? Number(m[1]) : undefined;
}

/** The row of the tag table this run falls in. */
export function classifyRun(run: Pick<RunContext, 'eventName' | 'ref' | 'defaultBranch' | 'pullRequest'>): TagRun {
  if (PULL_REQUEST_EVENTS.includes(run.eventName ?? '')) {
    const number = pullRequestNumber(run);
    return number ? { kind: 'pull-request', number } : { kind: 'unknown', why: `a ${run.eventName} run without a pull request number` };
  }
  const ref = run.ref ?? '';
  if (ref.startsWith('refs/tags/')) return { kind: 'release', gitTag: ref.slice('refs/tags/'.length) };
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    // A scheduled run always runs on the default branch's last commit (GitHub's docs on `schedule`).
    if (branch === run.defaultBranch || run.eventName === 'schedule') return { kind: 'default-branch', branch };
    return { kind: 'branch', branch };
  }
  return { kind: 'unknown', why: ref ? `the ref ${ref} is no branch, tag or pull request` : 'the run has no ref (GITHUB_REF)' };
}

/** The commit a run's tags name: the pull request's head commit (from the payload, as it is), else GITHUB_SHA. */
export function taggedCommit(run: Pick<RunContext, 'eventName' | 'sha' | 'pullRequest'>): string | undefined {
  if (PULL_REQUEST_EVENTS.includes(run.eventName ?? '')) return run.pullRequest?.headSha;
  return run.sha;
}

/** A one-line description of the run for summaries, e.g. "pull request #5 (head 1a2b3c4)". */
export function describeTagRun(run: TagRun, commit?: string): string {
  const at = commit ? ` at ${commit.slice(0, 7)}` : '';
  switch (run.kind) {
    case 'default-branch':
      return `the default branch ${run.branch}${at}`;
    case 'release':
      return `the git tag ${run.gitTag}${at}`;
    case 'pull-request':
      return `pull request #${run.number}${commit ? ` (head ${commit.slice(0, 7)})` : ''}`;
    case 'branch':
      return `the branch ${run.branch}${at}`;
    case 'unknown':
      return run.why;
  }
}

/** Whether this run may push at all: never for a pull request from a fork, nor for pull_request_target (it runs with the base's secrets on the fork's code). */
export function runMayPush(run: Pick<RunContext, 'eventName' | 'repository' | 'pullRequest'>): { push: boolean; why?: string } {
  if (run.eventName === 'pull_request_target')
    return { push: false, why: 'pull_request_target runs are treated as pull requests from a fork' };
  if (run.eventName === 'pull_request') {
    const head = run.pullRequest?.headRepository;
    if (!head || !run.repository || head.toLowerCase() !== run.repository.toLowerCase())
      return { push: false, why: `the pull request comes from ${head ? `the fork ${head}` : 'a deleted or unknown repository'}` };
  }
  return { push: true };
}

/**
 * Whether this run writes input-digest records (`in-<digest>`, core/digestSelection.ts), the one
 * bookkeeping tag besides the run's own tags: only a default-branch run (push, schedule, manual
 * run). A later default-branch run re-tags what a record points at (as `latest`, a date tag...)
 * without building it, so a pull request, even from this repository with push credentials, or a
 * branch or release run must never write one (README, "What selection by digest trusts").
 */
export function writesInputRecords(run: TagRun): boolean {
  return run.kind === 'default-branch';
}

/**
 * Whether this run selects by input digest against the registry (issue 10): pushes to the default
 * branch, schedules and manual runs (workflow_dispatch, on any branch). Pull requests, and pushes
 * to other branches and tags, select by their diff (`--since`) as before.
 */
export function selectsByDigest(run: Pick<RunContext, 'eventName' | 'ref' | 'defaultBranch' | 'pullRequest'>): boolean {
  const kind = classifyRun(run).kind;
  return kind === 'default-branch' || (run.eventName === 'workflow_dispatch' && (kind === 'branch' || kind === 'release'));
}

export interface TaggingOptions {
  /** The run's context (event, ref, commit, pull request, default branch). */
  run: Pick<RunContext, 'eventName' | 'ref' | 'sha' | 'defaultBranch' | 'pullRequest' | 'repository' | 'repositoryVisibility'>;
  /** The run's date: the date tag and {{date}}. */
  date: Date;
  /** The commit's date for {{commit_date}}; the run's date when absent (as metadata-action). */
  commitDate?: Date;
  mode: TagMode;
  /** Registry and prefix: the tags are full references; absent: bare tags. */
  target?: { registry: string; prefix: string };
  /** Rules of the `tags` input or `--tags` (a config's own `tags:` key wins over them). */
  rules?: TagRule[];
  /** Per-platform variants of each tag are published too: check them as well. */
  perArchTags?: boolean;
}

export type TaggedImage = Pick<ImageSpec, 'image' | 'dir' | 'configFile' | 'config' | 'additionalTags' | 'source' | 'platforms'>;

type Locate = (path: ConfigPath) => { line: number; column: number };

/** Where a tag comes from: for messages, and the config line to point at. */
interface TagOrigin {
  what: string;
  path?: ConfigPath;
  /** Lines below `path` (a rule in a block string). */
  lineOffset?: number;
}

interface Candidate {
  tag: string;
  origin: TagOrigin;
  /** Never the image's version: the date tag changes each day for the same inputs. */
  notVersion?: boolean;
}

/** A config's `tags:` rules, each with where it sits (list item, or line of a block string). */
export function configRuleLines(tags: BuildConfig['tags']): Array<{ text: string; origin: TagOrigin }> {
  if (tags === undefined) return [];
  if (Array.isArray(tags))
    return tags
      .map((text, i) => ({ text: text.trim(), origin: { what: `tags rule \`${text.trim()}\``, path: ['tags', i] as ConfigPath } }))
      .filter((rule) => rule.text !== '' && !rule.text.startsWith('#'));
  const multiline = tags.includes('\n');
  return splitRuleLines(tags).map(({ text, line }) => ({
    text,
    origin: { what: `tags rule \`${text}\``, path: ['tags'], lineOffset: multiline ? line : 0 },
  }));
}

/** Parses a config's `tags:` rules; problems point at each rule's line. */
export function parseConfigRules(
  tags: BuildConfig['tags'],
  file: string,
  locate: Locate | undefined,
): { rules: Array<TagRule & { origin: TagOrigin }>; problems: Problem[] } {
  const rules: Array<TagRule & { origin: TagOrigin }> = [];
  const problems: Problem[] = [];
  for (const { text, origin } of configRuleLines(tags)) {
    try {
      const rule = parseTagRule(text);
      rules.push({ ...rule, origin });
      for (const attribute of rule.unknownAttributes)
        problems.push(problemAt(file, locate, origin, `${origin.what}: type=${rule.type} has no attribute \`${attribute}\``, 'warning'));
    } catch (error) {
      problems.push(problemAt(file, locate, origin, `${origin.what}: ${messageOf(error)}`, 'error'));
    }
  }
  if (tags !== undefined && rules.length === 0 && problems.length === 0)
    problems.push(problemAt(file, locate, { what: 'tags', path: ['tags'] }, 'tags lists no rule: no image could be tagged', 'error'));
  return { rules, problems };
}

function problemAt(
  file: string,
  locate: Locate | undefined,
  origin: TagOrigin,
  message: string,
  severity: Problem['severity'],
  hint?: string,
): Problem {
  const at = origin.path && locate ? locate(origin.path) : { line: 1, column: 1 };
  const offset = origin.lineOffset ?? 0;
  return {
    file,
    line: at.line + offset,
    column: offset ? 1 : at.column,
    path: origin.path ? pathText(origin.path) : '',
    message,
    ...(hint ? { hint } : {}),
    severity,
  };
}

function pathText(path: ConfigPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('');
}

/** The default table's tags for the run (before the single-repo prefix). */
function defaultCandidates(image: TaggedImage, run: TagRun, commit: string | undefined, date: Date): Candidate[] | string {
  const sha7 = commit ? [{ tag: commit.slice(0, 7), origin: { what: `the commit ${commit}` } }] : [];
  const extras = (): Candidate[] => [
    ...image.additionalTags.map((tag, i) => ({ tag, origin: { what: `additional_tags entry \`${tag}\``, path: ['additional_tags', i] } })),
    ...upstreamCandidates(image),
  ];
  switch (run.kind) {
    case 'default-branch':
      return [{ tag: dateStamp(date), origin: { what: 'the date tag' }, notVersion: true }, ...sha7, ...extras()];
    case 'release': {
      // semver.valid, as metadata-action's type=semver (src/meta.ts procSemver): v1.2.3 and 1.2.3.
      const origin = { what: `the git tag ${run.gitTag}` };
      const version = semver.valid(run.gitTag) ? semver.parse(run.gitTag, { loose: true }) : null;
      if (!version) {
        const tag = tagFromName(run.gitTag);
        return tag ? [{ tag, origin }] : `the git tag ${run.gitTag} gives no valid tag`;
      }
      if (version.prerelease.length) return [{ tag: version.version, origin }];
      const { major, minor, patch } = version;
      return [
        { tag: `${major}.${minor}.${patch}`, origin },
        { tag: `${major}.${minor}`, origin },
        ...(major !== 0 ? [{ tag: String(major), origin }] : []),
        ...extras(),
      ];
    }
    case 'pull-request': {
      const origin = { what: `pull request #${run.number}` };
      return [{ tag: `pr-${run.number}`, origin }, ...(commit ? [{ tag: `pr-${run.number}-${commit.slice(0, 7)}`, origin }] : [])];
    }
    case 'branch': {
      const origin = { what: `the branch ${run.branch}` };
      const branch = tagFromName(run.branch);
      if (!branch) return `the branch ${run.branch} gives no valid tag`;
      return [{ tag: branch, origin }, ...(commit ? [{ tag: `${branch}-${commit.slice(0, 7)}`, origin }] : [])];
    }
    case 'unknown':
      return `no tag for this run: ${run.why}`;
  }
}

/** An upstream build's upstream_ref as a tag, as the origin project tagged it. */
function upstreamCandidates(image: TaggedImage): Candidate[] {
  if (image.source.kind !== 'upstream') return [];
  const tag = tagFromName(image.source.ref);
  return tag ? [{ tag, origin: { what: `upstream_ref ${image.source.ref}`, path: ['upstream_ref'] } }] : [];
}

/** additional_tags and the upstream ref as metadata-action rules enabled on the default branch. */
function defaultBranchRaws(image: TaggedImage): Array<TagRule & { origin: TagOrigin }> {
  const raw = (value: string, origin: TagOrigin): TagRule & { origin: TagOrigin } => ({
    type: 'raw',
    attrs: { value, enable: '{{is_default_branch}}', priority: '200' },
    text: `type=raw,value=${value},enable={{is_default_branch}}`,
    unknownAttributes: [],
    origin,
  });
  return [
    ...image.additionalTags.map((tag, i) => raw(tag, { what: `additional_tags entry \`${tag}\``, path: ['additional_tags', i] })),
    ...upstreamCandidates(image).map((c) => raw(c.tag, c.origin)),
  ];
}

function ruleContext(options: TaggingOptions): RuleContext {
  const run = options.run;
  const pr = PULL_REQUEST_EVENTS.includes(run.eventName ?? '');
  const number = pullRequestNumber(run);
  return {
    eventName: run.eventName ?? '',
    // metadata-action (src/context.ts) reads a pull_request_target run as its pull request's ref.
    ref: run.eventName === 'pull_request_target' && number ? `refs/pull/${number}/merge` : (run.ref ?? ''),
    sha: taggedCommit(run),
    defaultBranch: run.defaultBranch,
    baseRef: pr ? run.pullRequest?.baseRef : undefined,
    date: options.date,
    commitDate: options.commitDate,
  };
}

export interface ImageTags {
  /** Final tags: full references with a target, bare tags (with the single-repo prefix) without. */
  tags: string[];
  /**
   * The image's `org.opencontainers.image.version`: as docker/metadata-action's `version` output
   * (src/meta.ts, the first tag of the highest-priority rule), the first tag, without the
   * single-repo prefix, that is not `latest` and not the default table's date tag (which would
   * change the image each day for the same inputs): `1.2.3` for the git tag v1.2.3, the short sha
   * on the default branch, `pr-5` on a pull request, the branch name on another branch.
   */
  version?: string;
  problems: Problem[];
}

/** The image's tags in this run, each checked against the OCI grammar; problems point at the config line that made a bad one. */
export function imageTags(image: TaggedImage, options: TaggingOptions, locate?: Locate): ImageTags {
  const file = image.configFile ?? image.dir;
  const problems: Problem[] = [];
  const fail = (message: string, origin: TagOrigin = { what: '' }, hint?: string): ImageTags => ({
    tags: [],
    problems: [...problems, problemAt(file, locate, origin, message, 'error', hint)],
  });

  let candidates: Candidate[];
  const configRules = image.config.tags !== undefined ? parseConfigRules(image.config.tags, file, locate) : undefined;
  const rules = configRules?.rules ?? options.rules?.map((rule) => ({ ...rule, origin: { what: `tags input rule \`${rule.text}\`` } }));
  if (configRules) problems.push(...configRules.problems);
  if (problems.some((p) => p.severity === 'error')) return { tags: [], problems };
  if (rules) {
    const all = [...rules, ...defaultBranchRaws(image)];
    try {
      const result = evaluateTagRules(sortRules(all), ruleContext(options));
      const originOf = (tag: string): TagOrigin =>
        (result.origins.get(tag) as (TagRule & { origin: TagOrigin }) | undefined)?.origin ?? { what: 'the tags rules' };
      for (const warning of result.warnings)
        problems.push(problemAt(file, locate, { what: 'tags', path: image.config.tags ? ['tags'] : undefined }, warning, 'warning'));
      candidates = result.tags.map((tag) => ({ tag, origin: originOf(tag) }));
    } catch (error) {
      const rule = error instanceof TagRuleError ? (error.rule as (TagRule & { origin: TagOrigin }) | undefined) : undefined;
      return fail(messageOf(error), rule?.origin);
    }
  } else {
    const run = classifyRun(options.run);
    if (run.kind === 'unknown') {
      // Not a run the table knows (no ref at all, say): the safe answer is no tag, never latest.
      const why = `no tag for this run (${run.why}): the image is built and pushed by digest, no tag moves`;
      return { tags: [], problems: [...problems, problemAt(file, locate, { what: '' }, why, 'warning')] };
    }
    const found = defaultCandidates(image, run, taggedCommit(options.run), options.date);
    if (typeof found === 'string') return fail(found);
    candidates = found;
  }

  const prefixed = candidates.map((c) => ({ ...c, tag: options.mode === 'single-repo' ? `${image.image}-${c.tag}` : c.tag }));
  const unique = prefixed.filter((c, i) => prefixed.findIndex((o) => o.tag === c.tag) === i);
  if (unique.length === 0) {
    problems.push(
      problemAt(
        file,
        locate,
        { what: 'tags', path: image.config.tags !== undefined ? ['tags'] : undefined },
        'no tag for this image in this run: it is built, and nothing is published',
        'warning',
      ),
    );
    return { tags: [], problems };
  }

  const repository = options.target ? repositoryFor(image.image, { ...options.target, mode: options.mode }) : undefined;
  if (repository) {
    const bad = repositoryProblem(repository);
    if (bad)
      return fail(
        bad,
        { what: 'image_name', path: image.config.image_name ? ['image_name'] : undefined },
        'set a shorter image_name or image prefix',
      );
  }
  const archs = options.perArchTags ? image.platforms.filter((p) => !isWasm(p)) : [];
  for (const candidate of unique) {
    for (const tag of [candidate.tag, ...archs.map((platform) => perArchTag(candidate.tag, platform))]) {
      const bad = tagProblem(tag);
      if (bad)
        problems.push(
          problemAt(
            file,
            locate,
            candidate.origin,
            `${bad} (${candidate.origin.what}${options.mode === 'single-repo' ? ', with the single-repo prefix' : ''})`,
            'error',
          ),
        );
    }
  }
  const tags = unique.map((c) => (repository ? `${repository}:${c.tag}` : c.tag));
  if (problems.some((p) => p.severity === 'error')) return { tags: [], problems };
  const version = candidates.find((c) => !c.notVersion && c.tag !== 'latest')?.tag;
  return { tags, ...(version ? { version } : {}), problems };
}

/**
 * The rules of a `tags` action input or `--tags` option (one per line, `#` comments), each read
 * now so a bad one stops the run before anything builds. `source` names the input in the error.
 * @throws UserError naming the source, the rule's line and the rule's problem.
 */
export function parseInputRules(text: string | undefined, source: string): TagRule[] | undefined {
  if (!text?.trim()) return undefined;
  const rules: TagRule[] = [];
  const errors: string[] = [];
  for (const { text: line, line: number } of splitRuleLines(text)) {
    try {
      rules.push(parseTagRule(line));
    } catch (error) {
      errors.push(`${source} line ${number}: \`${line}\`: ${messageOf(error)}`);
    }
  }
  if (errors.length) throw new UserError(errors.join('\n'));
  return rules;
}
