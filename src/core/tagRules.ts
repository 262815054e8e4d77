// docker/metadata-action's `tags` rules, parsed and evaluated as that action does (v6, src/tag.ts
// Parse/Transform and src/meta.ts getVersion/getTags, its default flavor `latest=auto`), so a
// workflow moving from docker/metadata-action + build-push-action keeps its tags:
//
//   type=schedule[,pattern=nightly]        type=semver,pattern={{version}}[,value=..][,match=..]
//   type=match,pattern=RE[,group=0]        type=edge[,branch=DEFAULT]
//   type=ref,event=branch|tag|pr           type=raw,value=V  (or just V)
//   type=sha[,format=short|long][,prefix=sha-]
//   common: enable=true|false|{{is_default_branch}}, priority=N, prefix=.., suffix=..
//
// Differences, all stricter and all reported at the rule's line: an unknown attribute is a
// warning, an unknown `{{expression}}` an error (see tagTemplate.ts), and `type=pep440` an error
// (hephy-builder does not carry a PEP 440 parser). On a pull request `{{sha}}` and `type=sha` are
// the head commit of the pull request (metadata-action's DOCKER_METADATA_PR_HEAD_SHA=true), never
// GitHub's synthetic merge commit.
import { parse as parseCsv } from 'csv-parse/sync';
import * as semver from 'semver';
import { messageOf } from './problem.js';
import { sanitizeTag } from './reference.js';
import { dateHelper, isRawStatement, renderTemplate, templateNames, TemplateError, type TemplateScope } from './tagTemplate.js';

/** metadata-action's Type enum (src/tag.ts), in its order. */
export const RULE_TYPES = ['schedule', 'semver', 'pep440', 'match', 'edge', 'ref', 'raw', 'sha'] as const;
export type RuleType = (typeof RULE_TYPES)[number];
export const REF_EVENTS = ['branch', 'tag', 'pr'] as const;

/** metadata-action's DefaultPriorities (src/tag.ts). */
export const DEFAULT_PRIORITIES: Record<RuleType, string> = {
  schedule: '1000',
  semver: '900',
  pep440: '900',
  match: '800',
  edge: '700',
  ref: '600',
  raw: '200',
  sha: '100',
};

const COMMON_ATTRIBUTES = ['enable', 'priority', 'prefix', 'suffix'];
const TYPE_ATTRIBUTES: Record<RuleType, string[]> = {
  schedule: ['pattern'],
  semver: ['pattern', 'value', 'match'],
  pep440: ['pattern', 'value', 'match'],
  match: ['pattern', 'group', 'value'],
  edge: ['branch'],
  ref: ['event'],
  raw: ['value'],
  sha: ['format'],
};

export interface TagRule {
  type: RuleType;
  attrs: Record<string, string>;
  /** The rule as written. */
  text: string;
  /** Attributes the type does not read (metadata-action ignores them silently): warnings. */
  unknownAttributes: string[];
}

/** A rule that cannot be read or evaluated; the message is metadata-action's where it has one. */
export class TagRuleError extends Error {
  constructor(
    message: string,
    /** The rule at fault, when evaluation failed on one. */
    readonly rule?: TagRule,
  ) {
    super(message);
  }
}

const has = (attrs: Record<string, string>, key: string) => Object.prototype.hasOwnProperty.call(attrs, key);

/** One rule line, as metadata-action's Parse (src/tag.ts). @throws TagRuleError */
export function parseTagRule(text: string): TagRule {
  let fields: string[];
  try {
    const records = parseCsv(text, { relaxColumnCount: true, skipEmptyLines: true }) as string[][];
    fields = records[0] ?? [];
  } catch (error) {
    throw new TagRuleError(`cannot read \`${text}\` as comma-separated attributes: ${messageOf(error)}`);
  }
  if (fields.length === 0) throw new TagRuleError('an empty rule');
  const attrs: Record<string, string> = {};
  let type: RuleType | undefined;
  for (const field of fields) {
    const parts = field
      .toString()
      .split(/(?<=^[^=]+?)=/)
      .map((item) => item.trim());
    if (parts.length === 1) {
      attrs.value = parts[0];
      continue;
    }
    const key = parts[0].toLowerCase();
    const value = parts[1];
    if (key === 'type') {
      const known = RULE_TYPES.find((t) => t === value);
      if (!known)
        throw new TagRuleError(`Unknown tag type attribute: ${value} (types: ${RULE_TYPES.filter((t) => t !== 'pep440').join(', ')})`);
      type = known;
    } else {
      attrs[key] = value;
    }
  }
  type ??= 'raw';

  switch (type) {
    case 'schedule':
      if (!has(attrs, 'pattern')) attrs.pattern = 'nightly';
      break;
    case 'pep440':
      throw new TagRuleError('type=pep440 is not supported by hephy-builder: use type=semver or type=match');
    case 'semver':
      if (!has(attrs, 'pattern')) throw new TagRuleError(`Missing pattern attribute for ${text}`);
      if (!has(attrs, 'value')) attrs.value = '';
      if (!has(attrs, 'match')) attrs.match = '';
      break;
    case 'match':
      if (!has(attrs, 'pattern')) throw new TagRuleError(`Missing pattern attribute for ${text}`);
      if (!has(attrs, 'group')) attrs.group = '0';
      if (isNaN(+attrs.group)) throw new TagRuleError(`Invalid match group for ${text}`);
      if (!has(attrs, 'value')) attrs.value = '';
      break;
    case 'edge':
      if (!has(attrs, 'branch')) attrs.branch = '';
      break;
    case 'ref':
      if (!has(attrs, 'event')) throw new TagRuleError(`Missing event attribute for ${text} (event=branch, tag or pr)`);
      if (!REF_EVENTS.some((e) => e === attrs.event)) throw new TagRuleError(`Invalid event for ${text} (event=branch, tag or pr)`);
      if (attrs.event === 'pr' && !has(attrs, 'prefix')) attrs.prefix = 'pr-';
      break;
    case 'raw':
      if (!has(attrs, 'value')) throw new TagRuleError(`Missing value attribute for ${text}`);
      break;
    case 'sha':
      if (!has(attrs, 'prefix')) attrs.prefix = 'sha-';
      if (!has(attrs, 'format')) attrs.format = 'short';
      if (!['short', 'long'].includes(attrs.format)) throw new TagRuleError(`Invalid format for ${text} (format=short or long)`);
      break;
  }
  if (!has(attrs, 'enable')) attrs.enable = 'true';
  if (!has(attrs, 'priority')) attrs.priority = DEFAULT_PRIORITIES[type];
  const known = new Set([...COMMON_ATTRIBUTES, ...TYPE_ATTRIBUTES[type]]);
  const unknownAttributes = Object.keys(attrs).filter((key) => !known.has(key));
  checkExpressions(type, attrs);
  return { type, attrs, text, unknownAttributes };
}

const GLOBAL_EXPRESSIONS = ['branch', 'tag', 'sha', 'base_ref', 'commit_date', 'is_default_branch', 'is_not_default_branch', 'date'];
const SEMVER_EXPRESSIONS = ['raw', 'version', 'major', 'minor', 'patch'];
const DATE_EXPRESSIONS = ['date', 'commit_date'];

/** Expressions are checked when the rule is read, so a typo is an error at its line before any run. */
function checkExpressions(type: RuleType, attrs: Record<string, string>): void {
  const check = (attribute: string, allowed: string[]) => {
    if (!has(attrs, attribute)) return;
    let names: string[];
    try {
      names = templateNames(attrs[attribute]);
    } catch (error) {
      throw new TagRuleError(`${attribute}: ${messageOf(error)}`);
    }
    const unknown = names.find((name) => !allowed.includes(name));
    if (unknown) throw new TagRuleError(`${attribute}: \`{{${unknown}}}\` is not an expression here (known: ${allowed.join(', ')})`);
  };
  for (const attribute of ['prefix', 'suffix', 'enable']) check(attribute, GLOBAL_EXPRESSIONS);
  if (type === 'semver' || type === 'match' || type === 'raw') check('value', GLOBAL_EXPRESSIONS);
  if (type === 'semver') check('pattern', SEMVER_EXPRESSIONS);
  if (type === 'schedule') check('pattern', DATE_EXPRESSIONS);
}

/** metadata-action's Transform: the rules by priority, highest first (a stable sort keeps ties in order). */
export function sortRules(rules: TagRule[]): TagRule[] {
  return [...rules].sort((a, b) => Number(b.attrs.priority) - Number(a.attrs.priority));
}

/** What the rules see of the run. */
export interface RuleContext {
  /** GITHUB_EVENT_NAME. */
  eventName: string;
  /** GITHUB_REF; for pull_request_target the pull request's refs/pull/N/merge, as metadata-action sets it. */
  ref: string;
  /** The commit the tags name: the pull request's head commit on a pull request, else GITHUB_SHA. */
  sha?: string;
  defaultBranch?: string;
  /** The pull request's base branch (for {{base_ref}}). */
  baseRef?: string;
  /** The run's date ({{date}}). */
  date: Date;
  /** The commit's date ({{commit_date}}); the run's date when unknown, as in metadata-action. */
  commitDate?: Date;
}

export interface RuleResult {
  /** Final tags, in metadata-action's order: the main version, the partial ones, then latest. */
  tags: string[];
  /** The rule that gave each tag (`latest`: the rule that gave the main version). */
  origins: Map<string, TagRule>;
  /** What metadata-action logs as a warning (a git tag that is not semver, a match that fails). */
  warnings: string[];
}

interface Version {
  main?: string;
  partial: string[];
  latest?: boolean;
}

const shortSha = (sha: string | undefined) => (sha ?? '').slice(0, 7);

function globalScope(ctx: RuleContext): TemplateScope {
  const isDefaultBranch = (): string => {
    const branch = ctx.ref.replace(/^refs\/heads\//g, '');
    if (!branch) return 'false';
    if (ctx.defaultBranch === branch) return 'true';
    // "following events always trigger for last commit on default branch" (metadata-action)
    if (/create|discussion|issues|schedule/.test(ctx.eventName)) return 'true';
    return 'false';
  };
  return {
    branch: () => (/^refs\/heads\//.test(ctx.ref) ? ctx.ref.replace(/^refs\/heads\//g, '') : ''),
    tag: () => (/^refs\/tags\//.test(ctx.ref) ? ctx.ref.replace(/^refs\/tags\//g, '') : ''),
    sha: () => shortSha(ctx.sha),
    base_ref: () => (/^refs\/pull\//.test(ctx.ref) && ctx.baseRef ? ctx.baseRef : ''),
    commit_date: dateHelper(ctx.commitDate ?? ctx.date, 'commit_date'),
    is_default_branch: isDefaultBranch,
    is_not_default_branch: () => (isDefaultBranch() === 'false' ? 'true' : 'false'),
    date: dateHelper(ctx.date, 'date'),
  };
}

/** Evaluates the rules (already sorted) for the run. @throws TagRuleError naming the rule. */
export function evaluateTagRules(rules: TagRule[], ctx: RuleContext): RuleResult {
  const scope = globalScope(ctx);
  const warnings: string[] = [];
  const version: Version = { partial: [] };
  const origins = new Map<string, TagRule>();
  const global = (text: string) => renderTemplate(text, scope);

  const setValue = (value: string, rule: TagRule): string => {
    let out = value;
    if (has(rule.attrs, 'prefix')) out = `${global(rule.attrs.prefix)}${out}`;
    if (has(rule.attrs, 'suffix')) out = `${out}${global(rule.attrs.suffix)}`;
    return out;
  };
  let current: TagRule | undefined;
  const setVersion = (value: string, latest: boolean) => {
    if (value.length === 0) return;
    const tag = sanitizeTag(value);
    if (current && !origins.has(tag)) origins.set(tag, current);
    if (current && version.main === undefined) origins.set('latest', current);
    if (version.main === undefined) version.main = tag;
    else if (tag !== version.main) version.partial.push(tag);
    if (version.latest === undefined) version.latest = latest;
  };
  const tagValue = (rule: TagRule): string | undefined => {
    if (!/^refs\/tags\//.test(ctx.ref) && rule.attrs.value.length === 0) return undefined;
    return rule.attrs.value.length > 0 ? global(rule.attrs.value) : ctx.ref.replace(/^refs\/tags\//g, '');
  };

  for (const rule of rules) {
    current = rule;
    try {
      const enabled = global(rule.attrs.enable);
      if (!['true', 'false'].includes(enabled)) throw new TagRuleError(`Invalid value for enable attribute: ${enabled}`);
      if (enabled !== 'true') continue;
      switch (rule.type) {
        case 'schedule':
          if (/schedule/.test(ctx.eventName)) {
            const dates: TemplateScope = { date: scope.date, commit_date: scope.commit_date };
            setVersion(setValue(renderTemplate(rule.attrs.pattern, dates), rule), false);
          }
          break;
        case 'semver': {
          let raw = tagValue(rule);
          if (raw === undefined) break;
          if (rule.attrs.match.length > 0) {
            const m = raw.match(rule.attrs.match);
            if (!m) warnings.push(`${rule.attrs.match} does not match ${raw}.`);
            else raw = m[1];
          }
          raw = raw.replace(/\//g, '-');
          if (!semver.valid(raw)) {
            warnings.push(`${raw} is not a valid semver. More info: https://semver.org/`);
            break;
          }
          const parsed = semver.parse(raw, { loose: true })!;
          const fields: TemplateScope = {
            raw: parsed.raw,
            version: parsed.version,
            major: parsed.major,
            minor: parsed.minor,
            patch: parsed.patch,
          };
          // A prerelease only gets {{version}} (or {{raw}} when that is the pattern).
          if (semver.prerelease(raw)) {
            const pattern = isRawStatement(rule.attrs.pattern) ? rule.attrs.pattern : '{{version}}';
            setVersion(setValue(renderTemplate(pattern, fields), rule), false);
          } else {
            setVersion(setValue(renderTemplate(rule.attrs.pattern, fields), rule), true);
          }
          break;
        }
        case 'match': {
          const raw = tagValue(rule);
          if (raw === undefined) break;
          const regex = rule.attrs.pattern.match(/^\/(.+)\/(.*)$/);
          const m = regex ? raw.match(new RegExp(regex[1], regex[2])) : raw.match(rule.attrs.pattern);
          if (!m) {
            warnings.push(`${rule.attrs.pattern} does not match ${raw}.`);
            break;
          }
          const group = m[Number(rule.attrs.group)];
          if (group === undefined) {
            warnings.push(`Group ${rule.attrs.group} does not exist for ${rule.attrs.pattern} pattern.`);
            break;
          }
          setVersion(setValue(group, rule), true);
          break;
        }
        case 'ref':
          if (rule.attrs.event === 'branch' && /^refs\/heads\//.test(ctx.ref)) {
            setVersion(setValue(ctx.ref.replace(/^refs\/heads\//g, ''), rule), false);
          } else if (rule.attrs.event === 'tag' && /^refs\/tags\//.test(ctx.ref)) {
            setVersion(setValue(ctx.ref.replace(/^refs\/tags\//g, ''), rule), true);
          } else if (rule.attrs.event === 'pr' && /^refs\/pull\//.test(ctx.ref)) {
            setVersion(setValue(ctx.ref.replace(/^refs\/pull\//g, '').replace(/\/merge$/g, ''), rule), false);
          }
          break;
        case 'edge': {
          if (!/^refs\/heads\//.test(ctx.ref)) break;
          const branch = rule.attrs.branch.length > 0 ? rule.attrs.branch : ctx.defaultBranch;
          if (branch === ctx.ref.replace(/^refs\/heads\//g, '')) setVersion(setValue('edge', rule), false);
          break;
        }
        case 'raw':
          setVersion(setValue(global(rule.attrs.value), rule), false);
          break;
        case 'sha':
          if (ctx.sha) setVersion(setValue(rule.attrs.format === 'short' ? shortSha(ctx.sha) : ctx.sha, rule), false);
          break;
        case 'pep440':
          throw new TagRuleError('type=pep440 is not supported by hephy-builder');
      }
    } catch (error) {
      if (error instanceof TagRuleError || error instanceof TemplateError || error instanceof SyntaxError)
        throw new TagRuleError(`rule \`${rule.text}\`: ${messageOf(error)}`, rule);
      throw error;
    }
  }

  if (version.main === undefined) return { tags: [], origins, warnings };
  const partial = version.partial.filter((item, index) => version.partial.indexOf(item) === index);
  return { tags: [version.main, ...partial, ...(version.latest ? ['latest'] : [])], origins, warnings };
}

/**
 * The rules of a `tags` input or flag: one per line, `#` comments and blank lines skipped (as
 * @docker/actions-toolkit's Util.getInputList with ignoreComma, which metadata-action reads it with).
 * Each entry keeps its 1-based line for messages.
 */
export function splitRuleLines(text: string): Array<{ text: string; line: number }> {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ text: line.trim(), line: index + 1 }))
    .filter((entry) => entry.text !== '' && !entry.text.startsWith('#'));
}
