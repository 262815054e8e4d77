// Every tool wrapper keeps config values as values: fed `-x` and `--flag=...`, the argv holds them
// glued to their flag (`--target=-x`) or after the tool's end of options (`--`, git's
// `--end-of-options`), never as an argv entry of their own before it. pflag (ko, buildx: cobra)
// stops at `--` (spf13/pflag flag.go parseArgs); git >= 2.24 has --end-of-options
// (parse-options.c). The real git is run below to show the second line of defence holds.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildxBuildArgs } from '../../src/tools/buildx.js';
import { koInvocation, type KoBuildOptions } from '../../src/tools/ko.js';
import { shallowClone } from '../../src/tools/git.js';

const HOSTILE = ['-x', '--push=true', '--upload-pack=touch /tmp/x', '--output=type=local,dest=/'];

/** No hostile value stands alone in argv before the end-of-options marker. */
function assertNoOption(args: string[], value: string, end = '--') {
  const stop = args.indexOf(end);
  const before = stop < 0 ? args : args.slice(0, stop);
  expect(before).not.toContain(value);
}

describe('ko build', () => {
  const base: KoBuildOptions = {
    importPath: '.',
    cwd: '/src',
    platform: 'linux/amd64',
    repo: 'r.example/x',
    workDir: '/w',
    env: {},
    secrets: [],
  } as unknown as KoBuildOptions;
  test.each(HOSTILE)('import path %j comes after --', (value) => {
    const { args } = koInvocation({ ...base, importPath: value }, '/l');
    assertNoOption(args, value);
    expect(args.at(-2)).toBe('--');
    expect(args.at(-1)).toBe(value);
  });
  test.each(HOSTILE)('platform %j is glued to its flag', (value) => {
    const { args } = koInvocation({ ...base, platform: value }, '/l');
    assertNoOption(args, value);
    expect(args).toContain(`--platform=${value}`);
  });
});

describe('buildx build', () => {
  const base = {
    contextDir: '/ctx',
    dockerfile: '/ctx/Dockerfile',
    platform: 'linux/amd64',
    repository: 'r.example/x',
    buildArgs: [],
    metadataFile: '/w/m.json',
    cacheFrom: [],
    cacheTo: [],
    insecure: false,
    push: false,
  };
  test.each(HOSTILE)('target, platform, dockerfile and build args %j stay values', (value) => {
    const args = buildxBuildArgs({ ...base, target: value, platform: value, dockerfile: value, buildArgs: [value] });
    assertNoOption(args, value);
    expect(args).toEqual(expect.arrayContaining([`--target=${value}`, `--platform=${value}`, `--file=${value}`, `--build-arg=${value}`]));
  });
  test.each(HOSTILE)('a context %j comes after --', (value) => {
    const args = buildxBuildArgs({ ...base, contextDir: value });
    expect(args.at(-2)).toBe('--');
    expect(args.at(-1)).toBe(value);
  });
});

describe('git fetch of an upstream ref (the real git)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hephy-optlike-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('--upload-pack=<command> as a ref runs no command: git reads it as a ref after --end-of-options', async () => {
    const marker = join(dir, 'pwned');
    const origin = join(dir, 'origin');
    const { spawnSync } = await import('node:child_process');
    spawnSync('git', ['init', '-q', origin]);
    spawnSync('git', ['-C', origin, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'x']);
    await expect(shallowClone(origin, `--upload-pack=touch ${marker}; git-upload-pack`, join(dir, 'clone'))).rejects.toThrow(
      /not a branch, tag or commit/,
    );
    expect(existsSync(marker)).toBe(false);
  });
});
