// Reads build-config.yaml into a validated BuildConfig, or into Problems that point at the exact
// line and column, say what was expected and what was found, and suggest the key that was meant.
// It never throws: any input, however broken or hostile, ends as Problems.
import { dirname, resolve } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import type { Problem } from '../problem.js';
import type { BackendName } from '../backendTraits.js';
import { buildConfigSchema, IMAGE_ENTRY_KEYS, NESTED_KEYS, PLATFORM_SECTIONS, TOP_LEVEL_KEYS, type BuildConfig } from './schema.js';
import { suggest } from './didYouMean.js';
import { crossCheck } from './crossCheck.js';
import { entryLocator, mergeImageKeys } from './images.js';
import type { ConfigPath, Locator, Position } from './locator.js';
import { formatPath } from './locator.js';
import { describeExpected, describeValue, quote, short } from './describe.js';
import { outsideProblem, readRegularFile, resolveInRepository } from '../repoPath.js';

export interface ConfigParseResult {
  /** Present exactly when no problem is an error (warnings allowed). */
  config?: BuildConfig;
  /** Every problem found, sorted by line and column. */
  problems: Problem[];
  /** Position of the value at a key path (the key itself when the value is empty or absent). */
  locate(path: ConfigPath): Position;
}

// A real build-config.yaml is a few hundred bytes; megabytes mean a wrong file or an attack.
const MAX_TEXT_LENGTH = 4 * 1024 * 1024;
// Billion-laughs defence: the yaml library's default for toJS, applied to our own conversion.
const MAX_ALIAS_COUNT = 100;
const MAX_DEPTH = 64;
const MAX_NODES = 100_000;
// Past this the user fixes the first ones first; a 10 000-line junk file should not print 10 000 lines.
const MAX_PROBLEMS = 50;

/** Parses build-config.yaml text. `file` is what goes into each Problem's `file`. */
export function parseBuildConfig(text: string, file: string): ConfigParseResult {
  const problems: Problem[] = [];
  const whole: Position = { line: 1, column: 1 };
  const fail = (message: string, at: Position = whole, hint?: string): ConfigParseResult => {
    problems.push({ file, ...at, path: '', message, hint, severity: 'error' });
    return { problems, locate: () => whole };
  };

  try {
    if (typeof text !== 'string') return fail('expected the text of a YAML file');
    if (text.length > MAX_TEXT_LENGTH) {
      return fail(`the file is ${Math.round(text.length / 1024)} KiB; a build-config.yaml is a few lines of YAML`);
    }
    const control = firstControlCharacter(text);
    if (control) {
      return fail(
        `the file contains the control character U+${control.code.toString(16).toUpperCase().padStart(4, '0')}, which YAML does not allow; is it a text file?`,
        control.at,
      );
    }

    const lineCounter = new LineCounter();
    // uniqueKeys off: our conversion reports duplicates itself, naming the key and its first line.
    // merge: `<<: *anchor` merge keys, which Compose files use to share settings (the YAML
    // library Compose reads them with, go.yaml.in/yaml/v4, resolves them; see toPlain).
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
    const posAt = (offset: number): Position => {
      const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
      return { line: Math.max(1, line), column: Math.max(1, col) };
    };
    const locator = makeLocator(doc, file, posAt);
    const result = (config?: BuildConfig): ConfigParseResult => ({
      config: problems.some((p) => p.severity === 'error') ? undefined : config,
      problems: finish(problems),
      locate: (path) => locator.value(path),
    });

    for (const warning of doc.warnings) {
      problems.push({ file, ...posAt(warning.pos[0]), path: '', message: yamlMessage(warning.code, warning.message), severity: 'warning' });
    }
    if (doc.errors.length > 0) {
      // Deep nesting makes the parser repeat one error per level; once per line is enough.
      const seen = new Set<string>();
      for (const error of doc.errors) {
        const at = posAt(error.pos[0]);
        if (seen.has(`${error.code}:${at.line}`)) continue;
        seen.add(`${error.code}:${at.line}`);
        const hint = yamlHint(error.code, error.message);
        problems.push({ file, ...at, path: '', message: yamlMessage(error.code, error.message), hint, severity: 'error' });
      }
      return result();
    }

    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null && root.source === '')) return result({});
    if (!isMap(root)) {
      problems.push({
        file,
        ...locator.value([]),
        path: '',
        message: `expected a mapping of settings (lines like \`build_backend: ko\`), got ${describeNode(root)}`,
        severity: 'error',
      });
      return result();
    }

    const budget: Budget = { aliases: 0, nodes: 0, reported: new Set(), replaced: [] };
    const raw = toPlain(doc, root, [], 0, budget, problems, locator);
    if (!isRecord(raw)) return result();

    const parsed = buildConfigSchema.safeParse(raw);
    if (!parsed.success) {
      const alreadyReported = (issuePath: PropertyKey[]) =>
        budget.replaced.some((r) => r.length <= issuePath.length && r.every((seg, i) => seg === issuePath[i]));
      for (const issue of parsed.error.issues) {
        if (!alreadyReported(issue.path)) problems.push(...issueToProblems(issue, raw, locator));
      }
    }
    problems.push(...imagesChecks(raw, locator));
    return result(parsed.success ? parsed.data : undefined);
  } catch (err) {
    // Last line of defence (e.g. a stack overflow inside a library on pathological input): the
    // user still gets a Problem, not a stack trace.
    problems.push({
      file,
      ...whole,
      path: '',
      message: `could not read this file as YAML (${err instanceof Error ? err.message : String(err)})`,
      severity: 'error',
    });
    return { problems: finish(problems), locate: () => whole };
  }
}

/**
 * The cross-key checks of each image: of the file, or of each `images:` entry over the file's
 * keys (core/config/images.ts), pointing into the entry or the top level where a key sits; and the
 * entries' names unique in the file, needing no image of their own.
 */
function imagesChecks(raw: Record<string, unknown>, at: Locator): Problem[] {
  const entries = raw.images;
  if (!Array.isArray(entries)) return crossCheck(raw, at);
  const problems: Problem[] = [];
  const named = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (!isRecord(entry)) return; // the schema reports it
    for (const problem of crossCheck(mergeImageKeys(raw, entry), entryLocator(at, entry, index))) {
      const key = /^[^.[]+/.exec(problem.path)?.[0];
      const inEntry = key !== undefined && Object.prototype.hasOwnProperty.call(entry, key);
      problems.push(inEntry ? { ...problem, path: `${formatPath(['images', index])}.${problem.path}` } : problem);
    }
    const name = entry.name;
    if (typeof name !== 'string') return;
    const first = named.get(name);
    if (first !== undefined) {
      problems.push({
        file: at.file,
        ...at.value(['images', index, 'name']),
        path: formatPath(['images', index, 'name']),
        message: `image \`${short(name)}\` is listed twice in images (first on line ${at.value(['images', first, 'name']).line})`,
        hint: 'give each image its own name',
        severity: 'error',
      });
    } else {
      named.set(name, index);
    }
  });
  return problems;
}

/**
 * Reads and parses a config file; a missing, unreadable or refused file is a Problem, not a throw.
 * `root` is the repository the file must be inside (default: the file's own directory, never no
 * check): a config that is a symbolic link leading out of it is refused, and so is anything but a
 * regular file of at most 4 MiB (/dev/zero, a FIFO), checked before a byte is read.
 */
export function loadBuildConfig(file: string, displayPath: string = file, root: string = dirname(resolve(file))): ConfigParseResult {
  const whole: Position = { line: 1, column: 1 };
  const unreadable = (message: string, hint?: string): ConfigParseResult => ({
    problems: [{ file: displayPath, ...whole, path: '', message, ...(hint ? { hint } : {}), severity: 'error' }],
    locate: () => whole,
  });
  const where = resolveInRepository(root, dirname(resolve(file)), resolve(file));
  switch (where.kind) {
    case 'missing':
      return unreadable('file not found');
    case 'outside':
      return unreadable(`the config ${outsideProblem(where.via)}`, 'a build-config.yaml must be a file of the repository');
    case 'unreadable':
      return unreadable(`cannot read the file (${where.reason})`);
    case 'inside':
      if (where.stats.isDirectory()) return unreadable('is a directory, expected a YAML file');
  }
  const read = readRegularFile(where.path, MAX_TEXT_LENGTH);
  if ('problem' in read) {
    if (read.code === 'too-large') return unreadable(`the file ${read.problem}; a build-config.yaml is a few lines of YAML`);
    if (read.code === 'missing') return unreadable('file not found');
    if (read.problem.includes('permission denied')) return unreadable('permission denied reading the file');
    return unreadable(`the config ${read.problem}`, read.code === 'not-a-file' ? 'a build-config.yaml must be a regular file' : undefined);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch {
    return unreadable('the file is not UTF-8 text');
  }
  return parseBuildConfig(text, displayPath);
}

/**
 * The platforms a config asks for: the top-level key, else the backend's own section. With no
 * backend given, the config's build_backend decides; with none there either, the first section
 * that lists platforms (ko_config, then spin_config). Undefined means "the backend's default".
 */
export function effectivePlatforms(config: BuildConfig, backend: BackendName | undefined = config.build_backend): string[] | undefined {
  if (config.platforms) return config.platforms;
  const sections = PLATFORM_SECTIONS.filter((s) => backend === undefined || s.backend === backend);
  for (const { section } of sections) {
    const platforms = (config as Record<string, { platforms?: string[] } | undefined>)[section]?.platforms;
    if (platforms) return platforms;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

function finish(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const id = `${p.line}:${p.column}:${p.severity}:${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  unique.sort((a, b) => a.line - b.line || a.column - b.column);
  if (unique.length <= MAX_PROBLEMS) return unique;
  const shown = unique.slice(0, MAX_PROBLEMS);
  const rest = unique.length - MAX_PROBLEMS;
  const next = unique[MAX_PROBLEMS];
  shown.push({
    ...next,
    path: '',
    hint: undefined,
    message: `${rest} more problem${rest === 1 ? '' : 's'} not shown; fix the ones above first`,
  });
  return shown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function firstControlCharacter(text: string): { code: number; at: Position } | undefined {
  // YAML allows tab, LF, CR, and (outside C0/C1) printable characters; NUL & co. mean binary data.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  const match = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(text);
  if (!match) return undefined;
  const before = text.slice(0, match.index);
  const line = before.split('\n').length;
  const column = match.index - before.lastIndexOf('\n');
  return { code: match[0].charCodeAt(0), at: { line, column } };
}

const YAML_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: 'a build-config.yaml holds one YAML document; remove this `---` and what follows, or merge it into the first',
  TAB_AS_INDENT: 'YAML syntax error: tabs are not allowed as indentation',
  RESOURCE_EXHAUSTION: 'the YAML is nested too deeply to read',
  TAG_RESOLVE_FAILED: 'unknown YAML tag; the value is read as plain text',
};

function yamlMessage(code: string, message: string): string {
  const known = YAML_MESSAGES[code];
  if (known) return known;
  const text = message.split('\n')[0].replace(/\.$/, '');
  return `YAML syntax error: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

function yamlHint(code: string, message: string): string | undefined {
  if (code === 'TAB_AS_INDENT') return 'indent with spaces';
  if (/flow sequence/i.test(message)) return 'a [ ... ] list must be closed with ] before the next key';
  if (/flow mapping/i.test(message)) return 'a { ... } mapping must be closed with } before the next key';
  if (code === 'MISSING_CHAR' && /quote/i.test(message)) return 'close the quoted string on the same line';
  if (code === 'BLOCK_AS_IMPLICIT_KEY') return 'a value with `: ` in it must be quoted';
  return undefined;
}

function describeNode(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return describeValue(node.value);
  if (isAlias(node)) return 'an alias';
  return 'something else';
}

// --- positions --------------------------------------------------------------------------------

function makeLocator(doc: Document, file: string, posAt: (offset: number) => Position): Locator {
  const start = (node: unknown): Position | undefined => {
    const range = (node as Node | null | undefined)?.range;
    return range ? posAt(range[0]) : undefined;
  };
  // An empty value (`platforms:` then a newline) has a zero-width range on the next line; the key
  // is the useful place to point at.
  const isEmpty = (node: unknown): boolean =>
    node === null || node === undefined || (isScalar(node) && !!node.range && node.range[0] === node.range[1]);

  // First pair of each key, per mapping: a file with thousands of keys must not cost a linear
  // search per problem.
  const indexes = new WeakMap<object, Map<string, Pair>>();
  const pairOf = (map: { items: unknown[] }, name: string): Pair | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items as Pair[]) {
        const k = keyText(doc, p.key);
        if (k !== undefined && !index.has(k)) index.set(k, p);
      }
      indexes.set(map, index);
    }
    return index.get(name);
  };
  // A key that came in through `<<: *anchor` sits in the anchored mapping: point there.
  const findPair = (map: { items: unknown[] }, name: string, depth = 0): Pair | undefined => {
    const own = pairOf(map, name);
    if (own || depth > MAX_DEPTH) return own;
    for (const pair of map.items as Pair[]) {
      if (!isMergeKey(pair.key)) continue;
      for (const source of mergeSources(doc, pair.value)) {
        const found = findPair(source, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  const walk = (path: ConfigPath): { node: unknown; key: unknown } => {
    let node: unknown = doc.contents;
    let key: unknown = undefined;
    for (const seg of path) {
      const here = isAlias(node) ? node.resolve(doc) : node;
      if (isMap(here) && typeof seg === 'string') {
        const pair = findPair(here, seg);
        if (!pair) break;
        key = pair.key;
        node = pair.value;
      } else if (isSeq(here) && typeof seg === 'number' && seg < here.items.length) {
        key = here.items[seg];
        node = here.items[seg];
      } else {
        break;
      }
    }
    return { node, key };
  };
  const whole: Position = { line: 1, column: 1 };
  return {
    file,
    value(path) {
      const { node, key } = walk(path);
      return (!isEmpty(node) && start(node)) || start(key) || start(doc.contents) || whole;
    },
    key(path) {
      const { node, key } = walk(path);
      return start(key) || start(node) || start(doc.contents) || whole;
    },
    of: start,
    source(path) {
      const { node } = walk(path);
      return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
    },
  };
}

/**
 * A `<<` merge key: a plain `<<` key, which the YAML library (with `merge: true`) resolves to the
 * merge tag's symbol. A quoted "<<" is an ordinary key, as in YAML 1.1's merge type.
 */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

/**
 * The mappings a merge key's value names, in order (yaml.org/type/merge.html: a mapping, an
 * alias of one, or a list of them); anything else is left out (toPlain reports it).
 */
function mergeSources(doc: Document, value: unknown): YAMLMap[] {
  const resolved = isAlias(value) ? value.resolve(doc) : value;
  if (isMap(resolved)) return [resolved];
  if (!isSeq(resolved)) return [];
  return resolved.items.flatMap((item) => {
    const one = isAlias(item) ? item.resolve(doc) : item;
    return isMap(one) ? [one] : [];
  });
}

/**
 * Extension keys, as in Compose files: any key starting with `x-` is free-form and ignored, at
 * every level (compose-spec/compose-go v2.13.0 loader/loader.go processExtensions moves every
 * `x-` key out of the model; schema/compose-spec.json allows `"patternProperties": {"^x-": {}}`
 * in its objects). They hold anchors for `<<` merges and notes for other tools.
 */
export const EXTENSION_KEY_PREFIX = 'x-';

function keyText(doc: Document, key: unknown): string | undefined {
  const k = isAlias(key) ? key.resolve(doc) : key;
  if (isScalar(k)) return k.value === null ? '' : String(k.value);
  return undefined;
}

// --- YAML nodes to plain data -----------------------------------------------------------------

interface Budget {
  aliases: number;
  nodes: number;
  reported: Set<string>;
  /** Paths already reported and replaced by null, so the schema does not complain about them again. */
  replaced: ConfigPath[];
}

/**
 * Our own toJS: it reports (instead of throwing on) alias bombs, unresolved aliases and deep
 * nesting, names duplicate keys with the line of their first use, and builds objects without a
 * prototype trap for keys like `__proto__`.
 */
function toPlain(doc: Document, node: unknown, path: ConfigPath, depth: number, budget: Budget, problems: Problem[], at: Locator): unknown {
  const once = (id: string, problem: Omit<Problem, 'file'>) => {
    budget.replaced.push(path);
    if (budget.reported.has(id)) return;
    budget.reported.add(id);
    problems.push({ file: at.file, ...problem });
  };
  if (node === null || node === undefined) return null;
  if (++budget.nodes > MAX_NODES) {
    once('nodes', {
      ...at.value(path),
      path: formatPath(path),
      message: `more than ${MAX_NODES} values; a build-config.yaml is a few lines`,
      severity: 'error',
    });
    return null;
  }
  if (depth > MAX_DEPTH) {
    once('depth', { ...at.value(path), path: formatPath(path), message: `nested more than ${MAX_DEPTH} levels deep`, severity: 'error' });
    return null;
  }
  if (isAlias(node)) {
    if (++budget.aliases > MAX_ALIAS_COUNT) {
      once('aliases', {
        ...at.value(path),
        path: formatPath(path),
        message: `more than ${MAX_ALIAS_COUNT} alias expansions (*name); this looks like a YAML alias bomb`,
        severity: 'error',
      });
      return null;
    }
    const target = node.resolve(doc);
    if (!target) {
      once(`alias:${node.source}`, {
        ...at.value(path),
        path: formatPath(path),
        message: `alias *${short(node.source)} refers to no anchor &${short(node.source)} above it`,
        severity: 'error',
      });
      return null;
    }
    return toPlain(doc, target, path, depth + 1, budget, problems, at);
  }
  if (isScalar(node)) return node.value;
  if (isSeq(node)) {
    return node.items.map((item, i) => toPlain(doc, item, [...path, i], depth + 1, budget, problems, at));
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const firstLine = new Map<string, number>();
    const merges: Pair[] = [];
    for (const pair of node.items as Pair[]) {
      if (isMergeKey(pair.key)) {
        merges.push(pair);
        continue;
      }
      const name = keyText(doc, pair.key);
      if (name === undefined) {
        problems.push({
          file: at.file,
          ...(at.of(pair.key) ?? at.value(path)),
          path: formatPath(path),
          message: `a key must be a plain word, got ${describeNode(pair.key)}`,
          severity: 'error',
        });
        continue;
      }
      const childPath = [...path, name];
      const keyAt = at.of(pair.key) ?? at.value(path);
      const earlier = firstLine.get(name);
      if (earlier !== undefined) {
        problems.push({
          file: at.file,
          ...keyAt,
          path: formatPath(childPath),
          message: `duplicate key \`${short(name)}\` (first set on line ${earlier})`,
          hint: 'remove one of them',
          severity: 'error',
        });
        continue;
      }
      firstLine.set(name, keyAt.line);
      if (name.startsWith(EXTENSION_KEY_PREFIX)) continue;
      define(out, name, toPlain(doc, pair.value, childPath, depth + 1, budget, problems, at));
    }
    // Merged keys fill in what the mapping does not set itself; of several merged mappings the
    // earlier wins (yaml.org/type/merge.html; go.yaml.in/yaml/v4 internal/libyaml/constructor.go
    // merge does the same).
    for (const pair of merges) {
      const value = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
      const items = isSeq(value) ? value.items : [pair.value];
      for (const item of items) {
        const source = toPlain(doc, item, path, depth + 1, budget, problems, at);
        if (!isRecord(source)) {
          if (source !== null || !budget.replaced.includes(path)) {
            problems.push({
              file: at.file,
              ...(at.of(item) ?? at.of(pair.key) ?? at.value(path)),
              path: formatPath(path),
              message: `a merge key \`<<\` takes a mapping, an alias of one (*name), or a list of them; got ${describeNode(isAlias(item) ? item.resolve(doc) : item)}`,
              severity: 'error',
            });
          }
          continue;
        }
        for (const [name, merged] of Object.entries(source)) {
          if (!Object.prototype.hasOwnProperty.call(out, name)) define(out, name, merged);
        }
      }
    }
    return out;
  }
  return null;
}

/** Sets a key without a prototype trap (`__proto__` is a key like any other here). */
function define(out: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
}

// --- zod issues to Problems -------------------------------------------------------------------

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.prototype.hasOwnProperty.call(v, seg) ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  }
  return v;
}

function issueToProblems(issue: z.core.$ZodIssue, raw: Record<string, unknown>, at: Locator): Problem[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const value = valueAt(raw, path);
  const base = { file: at.file, path: formatPath(path), severity: 'error' as const };

  switch (issue.code) {
    case 'unrecognized_keys':
      // Hints cost an edit-distance search each; past MAX_PROBLEMS nobody reads them.
      return issue.keys.map((key, i) => {
        const keyPath = [...path, key];
        return {
          ...base,
          ...at.key(keyPath),
          path: formatPath(keyPath),
          message: path.length === 0 ? `unknown key \`${short(key)}\`` : `unknown key \`${short(key)}\` in ${formatPath(path)}`,
          hint: i < MAX_PROBLEMS ? unknownKeyHint(key, path) : undefined,
        };
      });
    case 'invalid_type':
      return [
        {
          ...base,
          ...at.value(path),
          message: `expected ${describeExpected(buildConfigSchema, path)}, got ${describeValue(value, at.source(path))}`,
          hint: typeHint(issue.expected, value, path, at.source(path)),
        },
      ];
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const expected = allowed.length === 1 ? `\`${allowed[0]}\`` : `one of ${allowed.join(', ')}`;
      const got = typeof value === 'string' ? quote(value) : describeValue(value);
      const meant = typeof value === 'string' ? suggest(value, allowed) : undefined;
      return [
        { ...base, ...at.value(path), message: `expected ${expected}, got ${got}`, hint: meant ? `did you mean \`${meant}\`?` : undefined },
      ];
    }
    case 'invalid_key': {
      // A key of a free-form mapping (labels, annotations): point at the key, say what it broke.
      const key = String(path[path.length - 1] ?? '');
      const why = issue.issues.map((inner) => inner.message).join('; ') || issue.message;
      return [{ ...base, ...at.key(path), message: why.includes(key) ? why : `${why}, got \`${short(key)}\`` }];
    }
    default: {
      // Our schema's own messages (too_small, invalid_format, custom) already say what is expected.
      const got = typeof value === 'string' ? `, got ${quote(value)}` : '';
      return [{ ...base, ...at.value(path), message: `${issue.message}${got}` }];
    }
  }
}

function unknownKeyHint(key: string, parent: ConfigPath): string | undefined {
  const inEntry = parent[0] === 'images' && typeof parent[1] === 'number';
  const section = inEntry ? parent.slice(2) : parent;
  const here = section.length === 0 ? (inEntry ? IMAGE_ENTRY_KEYS : TOP_LEVEL_KEYS) : (NESTED_KEYS[String(section[0])] ?? []);
  const meant = suggest(key, here);
  if (meant) return `did you mean \`${meant}\`?`;
  // Keys at the wrong depth, as in the seed's examples, whose indentation was lost.
  if (section.length === 0) {
    const owners = Object.entries(NESTED_KEYS)
      .filter(([, keys]) => keys.includes(key))
      .map(([section]) => section);
    if (owners.length > 0) return `\`${key}\` belongs under ${owners.map((o) => `\`${o}:\``).join(' or ')}; indent it`;
  } else if (TOP_LEVEL_KEYS.includes(key)) {
    return `\`${key}\` is a top-level key; remove its indentation`;
  }
  return undefined;
}

function typeHint(expected: string, value: unknown, path: ConfigPath, written = String(value)): string | undefined {
  const key = String(path[path.length - 1] ?? '');
  if (value === null || value === undefined) {
    return expected === 'object' ? `indent the keys of ${key} below it by two spaces` : 'give a value, or remove the key';
  }
  if (expected === 'boolean' && typeof value === 'string') {
    // YAML 1.2 reads yes/no/on/off as strings, unlike YAML 1.1 tools.
    const lower = value.toLowerCase();
    if (['yes', 'on', 'y', 'true'].includes(lower)) return `write \`${key}: true\``;
    if (['no', 'off', 'n', 'false'].includes(lower)) return `write \`${key}: false\``;
    return 'write true or false';
  }
  if (expected === 'array' && (typeof value === 'string' || typeof value === 'number')) {
    return `write a list: \`${key}: [${short(written)}]\``;
  }
  if (expected === 'array' && typeof value === 'object' && !Array.isArray(value)) {
    const example = key === 'build_args' || key === 'env' ? '`- KEY=VALUE`' : '`- item`';
    return `write a list: one ${example} line per item`;
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `quote it: \`"${short(written)}"\`; unquoted, YAML reads it as a ${typeof value}`;
  }
  return undefined;
}
