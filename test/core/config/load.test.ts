import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectivePlatforms, loadBuildConfig, parseBuildConfig } from '../../../src/core/config/load.js';
import type { Problem } from '../../../src/core/problem.js';

const fixtures = join(process.cwd(), 'test/fixtures/configs');
const errors = (ps: Problem[]) => ps.filter((p) => p.severity === 'error');

describe('valid fixtures', () => {
  const files = readdirSync(join(fixtures, 'valid')).filter((f) => f.endsWith('.yaml'));

  test.each(files)('%s parses with no problems', (name) => {
    const result = loadBuildConfig(join(fixtures, 'valid', name), `valid/${name}`);
    expect(result.problems).toEqual([]);
    expect(result.config).toBeDefined();
  });

  test('the seed ko example keeps platforms inside ko_config', () => {
    const { config } = loadBuildConfig(join(fixtures, 'valid/seed-ko.yaml'));
    expect(config).toEqual({
      build_backend: 'ko',
      ko_config: {
        import_path: './cmd/server',
        base_image: 'registry.example.com/static:latest',
        platforms: ['linux/amd64', 'linux/arm64'],
        env: ['CGO_ENABLED=0'],
        ldflags: ['-s', '-w', '-X main.version=v1.0.0'],
      },
      additional_tags: ['latest', 'optimized'],
    });
    expect(effectivePlatforms(config!)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  test('the seed ko example with platforms at the top level', () => {
    const { config } = loadBuildConfig(join(fixtures, 'valid/seed-ko-top-platforms.yaml'));
    expect(config?.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(config?.ko_config?.platforms).toBeUndefined();
    expect(effectivePlatforms(config!)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  test('the origin repo style keeps empty lists and an empty target', () => {
    const { config } = loadBuildConfig(join(fixtures, 'valid/origin-curl.yaml'));
    expect(config).toMatchObject({ use_local_context: true, target: '', build_args: [], additional_tags: [], context_path: '.' });
  });

  test('spin takes its platforms from spin_config', () => {
    const { config } = loadBuildConfig(join(fixtures, 'valid/seed-spin.yaml'));
    expect(effectivePlatforms(config!)).toEqual(['wasi/wasm32']);
  });

  test('an empty file and a comments-only file are an empty config', () => {
    expect(parseBuildConfig('', 'f').config).toEqual({});
    expect(parseBuildConfig('# nothing\n\n   # here\n', 'f').config).toEqual({});
    expect(parseBuildConfig('---\n', 'f').config).toEqual({});
  });

  test('ko_config.import_path that ko would read as an option is refused at its value', () => {
    const { config, problems } = parseBuildConfig('ko_config:\n  import_path: "--image-refs=/tmp/x"\n', 'f');
    expect(config).toBeUndefined();
    expect(errors(problems)).toEqual([expect.objectContaining({ line: 2, column: 16, path: 'ko_config.import_path' })]);
  });

  test('a quoted upstream_ref stays a string', () => {
    const { config } = loadBuildConfig(join(fixtures, 'valid/upstream.yaml'));
    expect(config?.upstream_ref).toBe('v2.1.6');
  });

  // git-check-ref-format(1) and git-fetch(1): a ref is never an option, at the value's position.
  test('an upstream_ref that git would read as an option, or that is no ref, is refused at its value', () => {
    for (const ref of ['"--upload-pack=touch /tmp/x; git-upload-pack"', '-x', 'a b', 'main..dev', 'v1^{}', '""']) {
      const { problems } = parseBuildConfig(`upstream_repo: https://example.org/r.git\nupstream_ref: ${ref}\n`, 'f.yaml');
      expect(problems.map((p) => [p.line, p.column, p.path])).toContainEqual([2, 15, 'upstream_ref']);
    }
    for (const ref of ['main', 'v2.1.6', 'release/1.x', 'a'.repeat(40)]) {
      expect(parseBuildConfig(`upstream_repo: https://example.org/r.git\nupstream_ref: ${ref}\n`, 'f.yaml').problems).toEqual([]);
    }
  });
});

// [line, column, path, message fragment, hint]
type Expected = [number, number, string, string, string | undefined];

const invalid: Record<string, Expected[]> = {
  'misspelt-key.yaml': [[2, 1, 'build_backnd', 'unknown key `build_backnd`', 'did you mean `build_backend`?']],
  'both-source-modes.yaml': [
    [
      2,
      1,
      'upstream_repo',
      'use either use_local_context or upstream_repo/upstream_ref, not both',
      'remove `use_local_context: true` to build the upstream repo, or remove upstream_repo/upstream_ref to build this directory',
    ],
  ],
  'bad-platform.yaml': [
    [
      4,
      5,
      'platforms[1]',
      'expected os/arch[/variant], e.g. linux/amd64; `linux/amd65`: unknown architecture amd65',
      'did you mean `linux/amd64`?',
    ],
    [5, 5, 'platforms[2]', '`linux/aarch64`: unknown architecture aarch64', 'did you mean `linux/arm64`?'],
  ],
  'yaml-syntax-error.yaml': [[3, 1, '', 'YAML syntax error: flow sequence', 'a [ ... ] list must be closed with ] before the next key']],
  'unknown-backend.yaml': [[1, 16, 'build_backend', 'expected one of kaniko, ko, buildkit, spin, got `kanico`', 'did you mean `kaniko`?']],
  'wrong-types.yaml': [
    [1, 20, 'use_local_context', 'expected true or false, got a string (`yes`)', 'write `use_local_context: true`'],
    [2, 12, 'platforms', 'expected a list of strings, got a string (`linux/amd64`)', 'write a list: `platforms: [linux/amd64]`'],
    [4, 3, 'build_args', 'expected a list of strings, got a mapping', 'write a list: one `- KEY=VALUE` line per item'],
    [5, 1, 'upstream_ref', 'upstream_ref needs upstream_repo', 'add `upstream_repo: <git URL>`, or remove upstream_ref'],
    [5, 15, 'upstream_ref', 'expected a string, got a number (1.10)', 'quote it: `"1.10"`; unquoted, YAML reads it as a number'],
    [6, 12, 'ko_config', 'expected a mapping (indented `key: value` lines), got a list', undefined],
  ],
  'bad-metadata.yaml': [
    [2, 11, 'licenses', 'expected an SPDX license expression, e.g. Apache-2.0 or MIT OR Apache-2.0, got `MIT, Apache-2.0`', undefined],
    [4, 3, 'labels.-x', 'a key is letters and digits joined by single . _ or -, e.g. com.example.team, got `-x`', undefined],
    [
      5,
      24,
      'labels.com.example.version',
      'expected a string, got a number (1.0)',
      'quote it: `"1.0"`; unquoted, YAML reads it as a number',
    ],
    [
      6,
      3,
      'labels.org.opencontainers.image.revision',
      'org.opencontainers.image.revision is set by hephy-builder from the commit built; it cannot be given',
      undefined,
    ],
    [
      7,
      3,
      'labels.com.example:level',
      'a key is letters and digits joined by single . _ or -, e.g. com.example.team, got `com.example:level`',
      undefined,
    ],
    [8, 14, 'annotations', 'expected a mapping of names to strings (indented `key: value` lines), got a list', undefined],
    [9, 14, 'description', 'a value is one line of text, without control characters, got `two\\u000alines`', undefined],
  ],
  'duplicate-key.yaml': [[3, 1, 'build_backend', 'duplicate key `build_backend` (first set on line 1)', 'remove one of them']],
  'upstream-repo-without-ref.yaml': [[1, 1, 'upstream_repo', 'upstream_repo needs upstream_ref', 'add e.g. `upstream_ref: v1.2.3`']],
  'wasi-with-ko.yaml': [
    [
      4,
      28,
      'ko_config.platforms[1]',
      'wasi/wasm32 is built only by the spin backend, not ko',
      'set `build_backend: spin`, or remove wasi/wasm32',
    ],
  ],
  'spin-with-linux.yaml': [
    [
      3,
      5,
      'platforms[0]',
      'the spin backend builds only wasi/wasm32, not `linux/amd64`',
      'use `platforms: [wasi/wasm32]`, or leave platforms out',
    ],
  ],
  'platforms-conflict.yaml': [
    [5, 3, 'ko_config.platforms', 'platforms differ between the top level (line 2) and ko_config.platforms', 'keep one of the two lists'],
  ],
  'nothing-to-build.yaml': [
    [1, 20, 'use_local_context', 'nothing to build', 'set `use_local_context: true`, or give upstream_repo and upstream_ref'],
  ],
  'tabs.yaml': [[3, 1, '', 'tabs are not allowed as indentation', 'indent with spaces']],
  'not-a-mapping.yaml': [[1, 1, '', 'expected a mapping of settings (lines like `build_backend: ko`), got a list', undefined]],
  'seed-unindented-ko.yaml': [
    [
      3,
      1,
      'ko_config',
      'expected a mapping (indented `key: value` lines), got nothing',
      'indent the keys of ko_config below it by two spaces',
    ],
    [4, 1, 'import_path', 'unknown key `import_path`', '`import_path` belongs under `ko_config:`; indent it'],
    [5, 1, 'base_image', 'unknown key `base_image`', '`base_image` belongs under `ko_config:`; indent it'],
    [7, 1, 'env', 'unknown key `env`', '`env` belongs under `ko_config:`; indent it'],
    [8, 1, 'ldflags', 'unknown key `ldflags`', '`ldflags` belongs under `ko_config:`; indent it'],
  ],
  'nested-unknown-key.yaml': [
    [3, 3, 'ko_config.importPath', 'unknown key `importPath` in ko_config', 'did you mean `import_path`?'],
    [
      4,
      3,
      'ko_config.additional_tags',
      'unknown key `additional_tags` in ko_config',
      '`additional_tags` is a top-level key; remove its indentation',
    ],
  ],
  'multiple-documents.yaml': [[2, 1, '', 'a build-config.yaml holds one YAML document', undefined]],
  'bad-values.yaml': [
    [1, 13, 'image_name', 'an image name is lowercase letters, digits and . _ - separators, got `My_Image`', undefined],
    [2, 15, 'context_path', "context_path must be relative to the config's directory, got `/abs/path`", undefined],
    [3, 14, 'build_args[0]', 'expected KEY=VALUE, got `VERSION`', undefined],
    [4, 27, 'additional_tags[1]', 'got `-bad`', undefined],
    [5, 12, 'platforms', 'platforms must list at least one platform', undefined],
    [7, 12, 'spin_config.runtime', 'expected `wasi`, got `wasm`', 'did you mean `wasi`?'],
  ],
};

describe('invalid fixtures', () => {
  test('every invalid fixture has expectations', () => {
    expect(readdirSync(join(fixtures, 'invalid')).sort()).toEqual(Object.keys(invalid).sort());
  });

  test.each(Object.entries(invalid))('%s', (name, expected) => {
    const result = loadBuildConfig(join(fixtures, 'invalid', name), `configs/${name}`);
    expect(result.config).toBeUndefined();
    const got = errors(result.problems);
    expect(got.map((p) => [p.line, p.column, p.path, p.hint])).toEqual(expected.map(([l, c, path, , hint]) => [l, c, path, hint]));
    got.forEach((p, i) => expect(p.message).toContain(expected[i][3]));
    for (const p of result.problems) expect(p.file).toBe(`configs/${name}`);
  });
});

describe('parseBuildConfig', () => {
  test('reports every problem at once, sorted by line', () => {
    const text = ['platforms: [linux/amd65]', 'build_backnd: ko', 'use_local_context: 1', 'additional_tags: latest'].join('\n');
    const { problems } = parseBuildConfig(text, 'f');
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3, 4]);
  });

  test('a NUL byte is one problem at its position, not a parse of binary junk', () => {
    const { problems, config } = parseBuildConfig('build_backend: ko\nplat\u0000forms: x\n', 'f');
    expect(config).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2, column: 5, message: expect.stringContaining('U+0000') });
  });

  test('an alias bomb is stopped with a problem', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    const { problems } = parseBuildConfig(bomb, 'f');
    expect(problems.some((p) => p.message.includes('alias bomb'))).toBe(true);
  });

  test('aliases within limits are followed', () => {
    const text = 'platforms: &p [linux/amd64]\nko_config:\n  platforms: *p\n';
    expect(parseBuildConfig(text, 'f').config?.ko_config?.platforms).toEqual(['linux/amd64']);
  });

  test('an alias without an anchor is a problem at the alias', () => {
    const { problems } = parseBuildConfig('platforms: *nope\n', 'f');
    expect(problems).toEqual([expect.objectContaining({ line: 1, column: 12, message: 'alias *nope refers to no anchor &nope above it' })]);
  });

  // YAML merge keys, as Compose files use them: the YAML library Compose reads files with resolves
  // `<<` (go.yaml.in/yaml/v4 internal/libyaml/constructor.go merge; yaml.org/type/merge.html):
  // the mapping's own keys win, then earlier merged mappings over later ones.
  test('merge keys fill in what the mapping does not set itself', () => {
    const text = [
      'x-common: &common',
      '  build_backend: ko',
      '  ko_config: &ko',
      '    import_path: ./cmd/a',
      '    env: [CGO_ENABLED=0]',
      'x-other: &other',
      '  target: other',
      '  build_backend: kaniko',
      '<<: [*common, *other]',
      'ko_config:',
      '  <<: *ko',
      '  import_path: ./cmd/b',
    ].join('\n');
    const { config, problems } = parseBuildConfig(text, 'f');
    expect(problems).toEqual([]);
    expect(config).toEqual({ build_backend: 'ko', target: 'other', ko_config: { import_path: './cmd/b', env: ['CGO_ENABLED=0'] } });
  });

  test('a merged key is checked and located where it was written', () => {
    const text = ['x-base: &base', '  build_backnd: ko', '  platforms: [linux/amd65]', 'target: app', '<<: *base', ''].join('\n');
    const { problems } = parseBuildConfig(text, 'f');
    expect(problems).toEqual([
      expect.objectContaining({ line: 2, message: 'unknown key `build_backnd`' }),
      expect.objectContaining({ line: 3, path: 'platforms[0]' }),
    ]);
  });

  test('a merge key takes mappings only', () => {
    const { problems } = parseBuildConfig('<<: [linux/amd64]\n', 'f');
    expect(problems).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringMatching(/^a merge key `<<` takes a mapping, an alias of one/) }),
    ]);
    // A quoted "<<" is an ordinary key (YAML 1.1 merge applies to the plain `<<` only).
    expect(parseBuildConfig('"<<": {target: x}\n', 'f').problems.map((p) => p.message)).toEqual(['unknown key `<<`']);
  });

  // Compose-style extension keys: compose-spec/compose-go v2.13.0 loader/loader.go processExtensions
  // takes every `x-` key out of the model, and schema/compose-spec.json allows "^x-" in its objects.
  test('x- extension keys are ignored at every level', () => {
    const text = 'x-notes: {owner: team}\nbuild_backend: ko\nko_config:\n  x-why: pinned\n  import_path: ./cmd/a\n';
    const { config, problems } = parseBuildConfig(text, 'f');
    expect(problems).toEqual([]);
    expect(config).toEqual({ build_backend: 'ko', ko_config: { import_path: './cmd/a' } });
  });

  test('a key that is not a plain word is a problem', () => {
    const { problems } = parseBuildConfig('? [a, b]\n: 1\n', 'f');
    expect(problems).toEqual([expect.objectContaining({ line: 1, column: 3, message: 'a key must be a plain word, got a list' })]);
  });

  test('__proto__ is an unknown key, not a prototype change', () => {
    const { problems } = parseBuildConfig('__proto__: {build_backend: ko}\n', 'f');
    expect(problems.map((p) => p.message)).toEqual(['unknown key `__proto__`']);
  });

  test('a 5 MB file is refused without parsing', () => {
    const { problems } = parseBuildConfig(`target: "${'x'.repeat(5 * 1024 * 1024)}"`, 'f');
    expect(problems).toEqual([expect.objectContaining({ line: 1, column: 1, message: expect.stringContaining('KiB') })]);
  });

  test('the same platform spelt twice is a problem', () => {
    const { problems } = parseBuildConfig('platforms: [linux/arm64, linux/arm64/v8]\n', 'f');
    expect(problems).toEqual([
      expect.objectContaining({ line: 1, column: 26, message: '`linux/arm64/v8` is the same platform as `linux/arm64`' }),
    ]);
  });

  test('ko with a non-linux platform is an error', () => {
    const { problems } = parseBuildConfig('build_backend: ko\nplatforms: [windows/amd64]\n', 'f');
    expect(errors(problems)).toEqual([
      expect.objectContaining({ line: 2, column: 13, message: 'the ko backend builds linux images only, not `windows/amd64`' }),
    ]);
  });

  test('a non-linux platform without a backend is an error at the value (detection picks linux-only backends)', () => {
    const { problems } = parseBuildConfig('platforms: [linux/amd64, windows/amd64]\n', 'f');
    expect(errors(problems)).toEqual([
      expect.objectContaining({
        line: 1,
        column: 26,
        message:
          '`windows/amd64`: without build_backend this is built by ko, Kaniko or Spin, which build linux (Spin: wasi/wasm32) images, not windows',
      }),
    ]);
    expect(errors(parseBuildConfig('build_backend: buildkit\nplatforms: [windows/amd64]\n', 'f').problems)).toEqual([]);
  });

  test('wasm mixed with linux and no backend is an error', () => {
    const { problems } = parseBuildConfig('platforms: [linux/amd64, wasi/wasm32]\n', 'f');
    expect(errors(problems)).toEqual([expect.objectContaining({ line: 1, column: 26, path: 'platforms[1]' })]);
  });

  test('a section the backend ignores is a warning and the config is still returned', () => {
    const result = parseBuildConfig('build_backend: kaniko\nko_config:\n  import_path: ./cmd\n', 'f');
    expect(result.problems).toEqual([
      expect.objectContaining({ line: 2, column: 1, severity: 'warning', message: 'ko_config is ignored: build_backend is kaniko' }),
    ]);
    expect(result.config?.build_backend).toBe('kaniko');
  });

  test('an unknown tag is a warning', () => {
    const result = parseBuildConfig('target: !custom build\n', 'f');
    expect(result.problems).toEqual([expect.objectContaining({ severity: 'warning', line: 1 })]);
    expect(result.config).toEqual({ target: 'build' });
  });

  test('thousands of junk keys are capped with a count of the rest', () => {
    const text = Array.from({ length: 200 }, (_, i) => `junk_${i}: 1`).join('\n');
    const { problems } = parseBuildConfig(text, 'f');
    expect(problems).toHaveLength(51);
    expect(problems[50].message).toBe('150 more problems not shown; fix the ones above first');
  });
});

describe('locate', () => {
  const text = ['build_backend: ko', 'ko_config:', '  platforms:', '    - linux/amd64', '    - linux/arm64', 'target:', ''].join('\n');
  const { locate } = parseBuildConfig(text, 'f');

  test('finds values, list items and nested keys', () => {
    expect(locate(['build_backend'])).toEqual({ line: 1, column: 16 });
    expect(locate(['ko_config', 'platforms', 1])).toEqual({ line: 5, column: 7 });
    expect(locate(['ko_config', 'platforms'])).toEqual({ line: 4, column: 5 });
  });

  test('an empty value points at its key', () => {
    expect(locate(['target'])).toEqual({ line: 6, column: 1 });
  });

  test('a missing path points at the deepest part that exists', () => {
    expect(locate(['ko_config', 'nope'])).toEqual({ line: 3, column: 3 });
    expect(locate(['nope'])).toEqual({ line: 1, column: 1 });
  });
});

describe('loadBuildConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hephy-config-'));

  test('a missing file is a problem under the display path', () => {
    const result = loadBuildConfig(join(dir, 'nope.yaml'), 'app/build-config.yaml');
    expect(result.problems).toEqual([
      { file: 'app/build-config.yaml', line: 1, column: 1, path: '', message: 'file not found', severity: 'error' },
    ]);
  });

  test('a directory is a problem', () => {
    expect(loadBuildConfig(dir).problems[0].message).toBe('is a directory, expected a YAML file');
  });

  test('bytes that are not UTF-8 are a problem', () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, Buffer.from([0x74, 0x61, 0x72, 0x67, 0x65, 0x74, 0x3a, 0x20, 0xe9, 0x0a]));
    expect(loadBuildConfig(file).problems[0].message).toBe('the file is not UTF-8 text');
  });

  test('a byte-order mark is accepted', () => {
    const file = join(dir, 'bom.yaml');
    writeFileSync(file, '\uFEFFbuild_backend: ko\n');
    expect(loadBuildConfig(file).config).toEqual({ build_backend: 'ko' });
  });
});

describe('effectivePlatforms', () => {
  test('top level wins, then the backend section', () => {
    expect(effectivePlatforms({ platforms: ['linux/amd64'], ko_config: { platforms: ['linux/arm64'] } })).toEqual(['linux/amd64']);
    expect(effectivePlatforms({ ko_config: { platforms: ['linux/arm64'] } }, 'ko')).toEqual(['linux/arm64']);
    expect(effectivePlatforms({ spin_config: { platforms: ['wasi/wasm32'] } }, 'spin')).toEqual(['wasi/wasm32']);
  });

  test('a section of another backend does not apply', () => {
    expect(effectivePlatforms({ ko_config: { platforms: ['linux/arm64'] } }, 'kaniko')).toBeUndefined();
    expect(effectivePlatforms({ build_backend: 'spin', ko_config: { platforms: ['linux/arm64'] } })).toBeUndefined();
  });

  test('nothing set means the backend default', () => {
    expect(effectivePlatforms({})).toBeUndefined();
  });
});

test('deep nesting gives one problem per kind and line, not one per level', () => {
  const { problems } = parseBuildConfig('['.repeat(3000), 'f');
  expect(problems.length).toBeGreaterThanOrEqual(1);
  expect(problems.length).toBeLessThanOrEqual(3);
  expect(problems.some((p) => p.message === 'the YAML is nested too deeply to read')).toBe(true);
});
