// Throws hundreds of seeded, mutated configs at the loader. Each must come back either as a config
// with no error or as at least one error with a real position, and none may throw. The seed is
// fixed so a failure reproduces; FUZZ_SEED=n tries another sequence.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseBuildConfig } from '../../../src/core/config/load.js';
import { buildConfigSchema, NESTED_KEYS, TOP_LEVEL_KEYS } from '../../../src/core/config/schema.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CASES_PER_KIND = 90;

// mulberry32: tiny, fast, good enough to spread inputs; deterministic per seed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const fixtureDir = join(process.cwd(), 'test/fixtures/configs');
const fixtures = ['valid', 'invalid'].flatMap((kind) =>
  readdirSync(join(fixtureDir, kind)).map((f) => readFileSync(join(fixtureDir, kind, f), 'utf8')),
);
const allKeys = [...TOP_LEVEL_KEYS, ...Object.values(NESTED_KEYS).flat()];
const platforms = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm64/v8',
  'wasi/wasm32',
  'linux/amd65',
  'windows/amd64',
  'linux',
  'x/y/z/w',
  'linux/arm/v9',
];
const unicode = ['é', 'ß', '日本', '🚀', '\u200b', '\u202e', '\uFEFF', '\uD800', 'Ω'];
const yamlJunk = [
  ':',
  '-',
  ' ',
  '  ',
  '\n',
  '\t',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a',
  '*a',
  '!',
  '!!str',
  '|',
  '>',
  "'",
  '"',
  '#',
  '%',
  '@',
  '`',
  '?',
  '---',
  '...',
  'key',
  'ko',
  '\0',
  '\r',
];

function nearMiss(key: string): string {
  const chars = [...key];
  const i = int(chars.length);
  switch (int(5)) {
    case 0:
      chars.splice(i, 1);
      break;
    case 1:
      chars.splice(i, 0, pick([...'abcdefghijklmnopqrstuvwxyz_-']));
      break;
    case 2:
      if (i > 0) [chars[i - 1], chars[i]] = [chars[i], chars[i - 1]];
      break;
    case 3:
      return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    default:
      return key.toUpperCase();
  }
  return chars.join('');
}

function randomString(): string {
  switch (int(6)) {
    case 0:
      return pick(platforms);
    case 1:
      return Array.from({ length: int(20) }, () => pick(unicode)).join('');
    case 2:
      return `KEY${int(9)}=value ${pick(unicode)}`;
    case 3:
      return 'a\u0000b';
    default:
      return Array.from({ length: int(12) }, () => pick([...'abc./-_: #'])).join('');
  }
}

function randomValue(depth: number): unknown {
  switch (int(depth > 3 ? 5 : 8)) {
    case 0:
      return randomString();
    case 1:
      return random() * 1e6 - 5e5;
    case 2:
      return random() < 0.5;
    case 3:
      return null;
    case 4:
      return pick(platforms);
    case 5:
      return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    case 6:
      return Array.from({ length: int(4) }, () => pick(platforms));
    default:
      return randomMapping(depth + 1);
  }
}

function randomKey(): string {
  const r = int(10);
  if (r < 5) return pick(allKeys);
  if (r < 8) return nearMiss(pick(allKeys));
  if (r < 9) return randomString() || 'k';
  return '__proto__';
}

function randomMapping(depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = int(6); i > 0; i--)
    Object.defineProperty(out, randomKey(), { value: randomValue(depth), enumerable: true, writable: true, configurable: true });
  return out;
}

const generators: Record<string, () => string> = {
  'random keys and types': () => stringify(randomMapping(0)),
  'truncated fixture': () => {
    const f = pick(fixtures);
    return f.slice(0, int(f.length + 1));
  },
  'fixture with a character replaced': () => {
    const f = pick(fixtures);
    const i = int(f.length);
    return f.slice(0, i) + pick([...yamlJunk, ...unicode]) + f.slice(i + 1);
  },
  'yaml junk': () => Array.from({ length: int(60) }, () => pick(yamlJunk)).join(''),
  'spliced fixtures': () => pick(fixtures).slice(0, int(200)) + pick(fixtures).slice(int(200)),
  'duplicated and re-indented lines': () =>
    pick(fixtures)
      .split('\n')
      .flatMap((line) => (random() < 0.2 ? [line, ' '.repeat(int(5)) + line] : [line]))
      .join('\n'),
};

// Expensive shapes, generated a few times each rather than per case.
const specials: [string, string][] = [
  ['1 MB string value', `target: "${'x'.repeat(1024 * 1024)}"\n`],
  ['1 MB key', `${'k'.repeat(1024 * 1024)}: 1\n`],
  ['1 MB plain list item', `platforms:\n  - ${'linux/amd64'.repeat(95_000)}\n`],
  ['deep flow nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['deep block nesting', Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')],
  ['deep list nesting', `platforms: ${'- '.repeat(2000)}x`],
  ['unclosed deep nesting', '{'.repeat(3000)],
  [
    'alias bomb',
    [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n'),
  ],
  ['self alias', 'a: &a [*a]\n'],
  ['only NULs', '\0'.repeat(100)],
  ['binary', String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))],
  ['lone surrogates', 'target: "\uD800\uDC00\uDFFF"\nbuild_backend: \uD800\n'],
  ['CRLF', 'build_backend: ko\r\nplatforms: [linux/amd64]\r\n'],
  ['10k lines of keys', Array.from({ length: 10_000 }, (_, i) => `k${i}: v`).join('\n')],
];

function cases(): [string, string][] {
  const out: [string, string][] = [...specials];
  for (const [kind, generate] of Object.entries(generators)) {
    for (let i = 0; i < CASES_PER_KIND; i++) out.push([`${kind} #${i}`, generate()]);
  }
  return out;
}

test(`${Object.keys(generators).length * CASES_PER_KIND + specials.length} mutated configs (seed ${SEED}): a config or positioned errors, never a throw`, () => {
  const all = cases();
  expect(all.length).toBeGreaterThanOrEqual(500);
  const outcomes = { valid: 0, invalid: 0 };
  for (const [name, text] of all) {
    let result;
    try {
      result = parseBuildConfig(text, 'fuzz/build-config.yaml');
    } catch (err) {
      throw new Error(`${name}: parseBuildConfig threw ${String(err)} on ${JSON.stringify(text.slice(0, 200))}`);
    }
    const errors = result.problems.filter((p) => p.severity === 'error');
    const lines = text.split(/\r\n|\r|\n/).length;
    const context = `${name}: ${JSON.stringify(text.slice(0, 200))} -> ${JSON.stringify(result.problems.slice(0, 3)).slice(0, 1000)}`;
    if (result.config) {
      if (errors.length > 0) throw new Error(`${context}: a config came back with errors`);
      if (!buildConfigSchema.safeParse(result.config).success) throw new Error(`${context}: the config does not match the schema`);
      outcomes.valid++;
    } else {
      if (errors.length === 0) throw new Error(`${context}: no config and no error`);
      outcomes.invalid++;
    }
    for (const p of result.problems) {
      const ok =
        Number.isInteger(p.line) &&
        Number.isInteger(p.column) &&
        p.line >= 1 &&
        p.column >= 1 &&
        p.line <= lines + 1 &&
        p.file === 'fuzz/build-config.yaml' &&
        typeof p.message === 'string' &&
        p.message.length > 0 &&
        p.message.length < 2000;
      if (!ok) throw new Error(`${context}: bad problem ${JSON.stringify(p).slice(0, 500)}`);
    }
  }
  // Both outcomes occur, or the generators are not exercising the loader.
  expect(outcomes.valid).toBeGreaterThan(10);
  expect(outcomes.invalid).toBeGreaterThan(100);
});
