// Issue 8, "must show" on real tools: hostile build-config.yaml files given to `hephy-builder run`
// against the e2e registry. The attacks of the issue, each reproduced before the hardening:
//  - upstream_ref `--upload-pack=<command>` ran the command (git fetch read the ref as an option);
//  - ko_config.import_path `--push=true` made ko push during a dry run;
//  - context_path `../..` put a file of the machine into a pushed image;
//  - `${VAR}` expanded from the whole process environment into the image history.
// (The build-time refusal of an unpassed variable, behind the plan's, has unit tests: test/core/hostileConfig.test.ts.)
// Checked from the outside: the file the command would create, the registry's catalog, and the
// image config read back from the registry.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, toolEnv } from '../../src/tools/paths.js';
import { run } from '../../src/tools/exec.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { extractFile, imageConfig, runCli, services, tempDir, type CliRun } from './harness.js';

const RUN_TIMEOUT_MS = 15 * 60 * 1000;

/** Every repository the registry knows under `prefix` (distribution's catalog). */
async function repositoriesUnder(registry: string, prefix: string): Promise<string[]> {
  const { stdout } = await run('crane', ['catalog', '--insecure', registry], { env: toolEnv() });
  return stdout.split('\n').filter((name) => name.startsWith(`${prefix}/`));
}

describe('hostile configs on real tools: nothing runs, nothing of the host leaves, no secret reaches an image (e2e)', () => {
  const svc = services();
  const uid = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let repo: TempRepo | undefined;
  afterEach(() => repo?.remove());

  const runIn = (root: string, prefix: string, extra: string[] = []): Promise<CliRun> =>
    runCli([
      'run',
      '--root',
      root,
      '--registry',
      svc.registry,
      '--image-prefix',
      prefix,
      '--out',
      tempDir('hostile-out'),
      '--kaniko-image',
      svc.kanikoImage,
      ...extra,
    ]);

  it(
    'an --upload-pack ref, a --push=true import path and a ../.. context are errors at their values; no command ran, nothing was pushed',
    async () => {
      const prefix = `e2e-hostile-${uid}`;
      const marker = join(tempDir('hostile-marker'), 'pwned');
      repo = tempRepo();
      cpSync(join(packageRoot(), 'examples', 'go-hello'), join(repo.root, 'ko-push'), { recursive: true });
      writeFileSync(
        join(repo.root, 'ko-push', 'build-config.yaml'),
        'use_local_context: true\nbuild_backend: ko\nko_config:\n  import_path: "--push=true"\nplatforms: [linux/amd64]\n',
      );
      mkdirSync(join(repo.root, 'upload-pack'));
      writeFileSync(
        join(repo.root, 'upload-pack', 'build-config.yaml'),
        `build_backend: buildkit\nupstream_repo: https://example.org/r.git\nupstream_ref: "--upload-pack=touch ${marker}; git-upload-pack"\n`,
      );
      mkdirSync(join(repo.root, 'escape'));
      writeFileSync(join(repo.root, 'escape', 'Dockerfile'), 'FROM scratch\nCOPY host-secret.txt /\n');
      writeFileSync(
        join(repo.root, 'escape', 'build-config.yaml'),
        'build_backend: kaniko\ncontext_path: ../..\ndockerfile_path: escape/Dockerfile\n',
      );
      repo.commit('three hostile apps');

      const result = await runIn(repo.root, prefix);
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.code).not.toBe(0);
      expect(output).toContain('upload-pack/build-config.yaml:3:15: error:');
      expect(output).toContain('ko-push/build-config.yaml:4:16: error:');
      expect(output).toContain('escape/build-config.yaml:2:15: error:');
      expect(output).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
      expect(existsSync(marker)).toBe(false);
      expect(await repositoriesUnder(svc.registry, prefix)).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'a variable passed with --build-env reaches the image; one from the environment only is a plan error at its entry and never reaches an image (read back from the registry)',
    async () => {
      const prefix = `e2e-hostile-env-${uid}`;
      const secret = `runtime-token-${uid}`;
      repo = tempRepo();
      const dockerfile =
        'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG PUBLIC\nARG LEAK\nLABEL public=${PUBLIC} leak=${LEAK}\nCOPY hello.txt /hello.txt\n';
      for (const image of ['env-buildkit', 'env-refused']) {
        mkdirSync(join(repo.root, image));
        writeFileSync(join(repo.root, image, 'Dockerfile'), dockerfile);
        cpSync(join(packageRoot(), 'examples', 'kaniko-app', 'hello.txt'), join(repo.root, image, 'hello.txt'));
      }
      // Allowed: PUBLIC_VALUE through --build-env; the secret's name with a default takes the default.
      writeFileSync(
        join(repo.root, 'env-buildkit', 'build-config.yaml'),
        'build_backend: buildkit\nplatforms: [linux/amd64]\nbuild_args:\n  - BASE_IMAGE=${BASE_IMAGE}\n  - PUBLIC=${PUBLIC_VALUE}\n  - LEAK=${ACTIONS_RUNTIME_TOKEN:-none}\n',
      );
      // Refused: the secret's name alone.
      writeFileSync(
        join(repo.root, 'env-refused', 'build-config.yaml'),
        'build_backend: buildkit\nplatforms: [linux/amd64]\nbuild_args:\n  - BASE_IMAGE=${BASE_IMAGE}\n  - LEAK=${ACTIONS_RUNTIME_TOKEN}\n',
      );
      repo.commit('an allowed and a refused variable');

      const withSecret = async (argv: string[]): Promise<CliRun> => {
        const previous = process.env.ACTIONS_RUNTIME_TOKEN;
        process.env.ACTIONS_RUNTIME_TOKEN = secret;
        try {
          return await runIn(repo!.root, prefix, argv);
        } finally {
          if (previous === undefined) delete process.env.ACTIONS_RUNTIME_TOKEN;
          else process.env.ACTIONS_RUNTIME_TOKEN = previous;
        }
      };

      // Both apps: the plan refuses the secret's name at its entry, and nothing builds.
      const refused = await withSecret(['--build-env', 'PUBLIC_VALUE=public-value']);
      const refusedOutput = `${refused.stdout}\n${refused.stderr}`;
      expect(refused.code).not.toBe(0);
      expect(refusedOutput).toContain(
        'env-refused/build-config.yaml:5:5: error: build_args[1]: ${ACTIONS_RUNTIME_TOKEN} is not in the build environment',
      );
      expect(refusedOutput).not.toContain(secret);
      expect(await repositoriesUnder(svc.registry, prefix)).toEqual([]);

      // The allowed app alone builds; its image carries the passed value and the default, never the secret.
      const allowed = await withSecret(['--dirs', 'env-buildkit', '--build-env', 'PUBLIC_VALUE=public-value']);
      if (allowed.code !== 0) process.stderr.write(`${allowed.stdout}\n${allowed.stderr}\n`);
      expect(allowed.code).toBe(0);
      expect(`${allowed.stdout}\n${allowed.stderr}`).not.toContain(secret);
      expect(await repositoriesUnder(svc.registry, prefix)).toEqual([`${prefix}/env-buildkit`]);
      const { stdout } = await run('crane', ['ls', '--insecure', `${svc.registry}/${prefix}/env-buildkit`], { env: toolEnv() });
      const tag = stdout.split('\n').filter(Boolean)[0];
      const config = await imageConfig(`${svc.registry}/${prefix}/env-buildkit:${tag}`);
      expect(config.config.Labels).toMatchObject({ public: 'public-value', leak: 'none' });
      expect(JSON.stringify(config)).not.toContain(secret);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'a build secret reaches the RUN step that mounts it and nothing else: not a layer, not the config, not the log',
    async () => {
      const prefix = `e2e-hostile-secret-${uid}`;
      const value = `build-secret-${uid}`;
      repo = tempRepo();
      mkdirSync(join(repo.root, 'secret-app'));
      writeFileSync(
        join(repo.root, 'secret-app', 'Dockerfile'),
        // The run's id in the RUN line: BuildKit's cache never answers for the step (a secret is no cache key).
        `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nRUN --mount=type=secret,id=HOSTILE_TOKEN wc -c < /run/secrets/HOSTILE_TOKEN > /secret-length && cat /run/secrets/HOSTILE_TOKEN && echo ${uid}\n`,
      );
      writeFileSync(
        join(repo.root, 'secret-app', 'build-config.yaml'),
        'build_backend: buildkit\nplatforms: [linux/amd64]\nbuild_args: ["BASE_IMAGE=${BASE_IMAGE}"]\nsecrets: [HOSTILE_TOKEN]\n',
      );
      repo.commit('an app with a build secret');
      process.env.HOSTILE_TOKEN = value;
      let result: CliRun;
      try {
        result = await runIn(repo.root, prefix);
      } finally {
        delete process.env.HOSTILE_TOKEN;
      }
      if (result.code !== 0) process.stderr.write(`${result.stdout}\n${result.stderr}\n`);
      expect(result.code).toBe(0);
      // The RUN step printed it: the log shows *** instead.
      expect(`${result.stdout}\n${result.stderr}`).not.toContain(value);

      const { stdout } = await run('crane', ['ls', '--insecure', `${svc.registry}/${prefix}/secret-app`], { env: toolEnv() });
      const ref = `${svc.registry}/${prefix}/secret-app:${stdout.split('\n').filter(Boolean)[0]}`;
      const dir = tempDir('hostile-secret-fs');
      expect(readFileSync(await extractFile(ref, '/secret-length', dir, 'linux/amd64'), 'utf8').trim()).toBe(String(value.length));
      expect(JSON.stringify(await imageConfig(ref))).not.toContain(value);
      // Every byte of every layer: the secret is in none of them.
      const tarball = join(dir, 'all.tar');
      await run('crane', ['export', '--insecure', '--platform', 'linux/amd64', ref, tarball], { env: toolEnv() });
      expect(readFileSync(tarball).includes(Buffer.from(value))).toBe(false);
    },
    RUN_TIMEOUT_MS,
  );
});
