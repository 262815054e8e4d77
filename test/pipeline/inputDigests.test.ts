// Input digests of planned legs from a real repository and real `go list`; the registry's answers
// for base images are given by the test (a fixed map: the real registry client is tested in
// test/e2e/registryRead.test.ts).
import { buildPlan } from '../../src/core/plan.js';
import type { LegInputDigest } from '../../src/core/model.js';
import { computeInputDigests } from '../../src/pipeline/inputDigests.js';
import { goPackageLister } from '../../src/tools/goList.js';
import type { RegistryReader } from '../../src/tools/registryRead.js';
import { tempRepo } from '../helpers/gitRepo.js';

const digestOf = (c: string) => `sha256:${c.repeat(64)}`;

function fixedRegistry(digests: Record<string, string>): RegistryReader {
  return {
    manifestDigest: async () => undefined,
    resolve: async (ref: string) => {
      if (!digests[ref]) throw new Error(`${ref}: no such image`);
      return digests[ref];
    },
  };
}

describe('computeInputDigests', () => {
  const repo = tempRepo({
    'web/build-config.yaml': 'build_backend: kaniko\nbuild_args: ["BASE=${BASE}"]\nadditional_tags: [latest]\n',
    'web/Dockerfile': 'ARG BASE\nFROM ${BASE}\nCOPY . /app\n',
    'web/.dockerignore': 'README.md\n',
    'web/README.md': 'docs',
    'web/index.html': '<p>hi</p>',
    'go.mod': 'module example.com/m\n\ngo 1.22\n',
    'api/build-config.yaml': 'build_backend: ko\nko_config:\n  import_path: ./cmd/api\n  base_image: reg.test/static:1\n',
    'api/cmd/api/main.go': 'package main\n\nimport "example.com/m/lib"\n\nfunc main() { println(lib.X) }\n',
    'lib/lib.go': 'package lib\n\nconst X = 1\n',
  });
  afterAll(() => repo.remove());

  /** The digests with `buildEnv` to expand ${VAR} from, and `env` as the legs' tool environment. */
  const digests = async (buildEnv: Record<string, string>, bases: Record<string, string>, env: NodeJS.ProcessEnv = {}) => {
    const plan = await buildPlan(repo.root, { kind: 'all' }, { goPackages: goPackageLister() });
    expect(plan.problems).toEqual([]);
    const list = await computeInputDigests(repo.root, plan, {
      env,
      buildEnv,
      registry: fixedRegistry(bases),
      goPackages: goPackageLister(),
      goVersion: 'go1.26.8',
    });
    return Object.fromEntries(list.map((entry: LegInputDigest) => [entry.legId, entry]));
  };
  const env = { BASE: 'reg.test/busybox:1' };
  const bases = { 'reg.test/busybox:1': digestOf('a'), 'reg.test/static:1': digestOf('b') };

  it('gives each leg a digest, different per platform, with its base images', async () => {
    const first = await digests(env, bases);
    expect(Object.keys(first).sort()).toEqual(['api--linux-amd64', 'api--linux-arm64', 'web--linux-amd64', 'web--linux-arm64']);
    expect(first['web--linux-amd64'].digest).toMatch(/^sha256:/);
    expect(first['web--linux-amd64'].digest).not.toBe(first['web--linux-arm64'].digest);
    expect(first['web--linux-amd64'].baseImages).toEqual({ 'reg.test/busybox:1': digestOf('a') });
    // web/: .dockerignore, Dockerfile, build-config.yaml, index.html (README.md dropped).
    expect(first['web--linux-amd64'].files).toBe(4);
    expect(await digests(env, bases)).toEqual(first);
  });

  it('moves only with what the build reads', async () => {
    const before = await digests(env, bases);
    repo.write({ 'web/README.md': 'docs, edited' });
    expect(await digests(env, bases)).toEqual(before);

    repo.write({ 'lib/lib.go': 'package lib\n\nconst X = 2\n' });
    const afterLib = await digests(env, bases);
    expect(afterLib['api--linux-amd64'].digest).not.toBe(before['api--linux-amd64'].digest);
    expect(afterLib['web--linux-amd64'].digest).toBe(before['web--linux-amd64'].digest);

    // A file only arm64 compiles moves the amd64 leg too: files that build constraints leave out
    // count for every platform, since tags given in ko_config.flags are not known to go list.
    repo.write({ 'lib/lib_arm64.go': 'package lib\n\nconst Y = 1\n' });
    const afterArm = await digests(env, bases);
    expect(afterArm['api--linux-arm64'].digest).not.toBe(afterLib['api--linux-arm64'].digest);
    expect(afterArm['api--linux-amd64'].digest).not.toBe(afterLib['api--linux-amd64'].digest);
    expect(afterArm['web--linux-amd64'].digest).toBe(afterLib['web--linux-amd64'].digest);

    // The base image re-pushed under the same tag.
    const moved = await digests(env, { ...bases, 'reg.test/busybox:1': digestOf('c') });
    expect(moved['web--linux-amd64'].digest).not.toBe(afterArm['web--linux-amd64'].digest);
    expect(moved['api--linux-amd64'].digest).toBe(afterArm['api--linux-amd64'].digest);
  });

  it('has no digest, and says why, when it cannot know the inputs', async () => {
    const unset = await digests({}, bases);
    expect(unset['web--linux-amd64']).toEqual({
      legId: 'web--linux-amd64',
      reason: expect.stringContaining('${BASE} is not in the build environment'),
    });
    // The legs expand only from the build environment (issue 8), so the digest must not take a
    // value from the process environment either: it would name inputs the build never sees.
    const shellOnly = await digests({}, bases, { BASE: 'reg.test/busybox:1' });
    expect(shellOnly['web--linux-amd64']).toEqual(unset['web--linux-amd64']);
    const missing = await digests(env, { 'reg.test/busybox:1': digestOf('a') });
    expect(missing['api--linux-amd64']).toEqual({ legId: 'api--linux-amd64', reason: 'base image: reg.test/static:1: no such image' });
  });
});
