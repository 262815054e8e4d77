import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LegContext } from '../../src/backends/backend.js';
import { createKanikoBackend, kanikoInvocation, resolveKanikoImage } from '../../src/backends/kaniko.js';
import type { BuildConfig } from '../../src/core/config/schema.js';
import { UserError } from '../../src/core/problem.js';
import { ToolError, type RunOptions, type RunResult, type Runner } from '../../src/tools/exec.js';
import { LOCAL_KANIKO_IMAGE } from '../../src/tools/kaniko.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const REPO = '127.0.0.1:5000/team/app';

interface Call {
  cmd: string;
  args: readonly string[];
  options: RunOptions;
}

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hephy-kaniko-unit-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A PATH with stub executables, and a tools dir with nothing in it, so `which` sees only these. */
function fakePath(names: string[]): NodeJS.ProcessEnv {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of names) {
    writeFileSync(join(bin, name), '#!/bin/sh\n');
    chmodSync(join(bin, name), 0o755);
  }
  return { PATH: bin, HEPHY_TOOLS_DIR: join(root, 'tools'), HOME: join(root, 'home') };
}

function context(config: BuildConfig, overrides: Partial<LegContext> = {}, tools = ['podman', 'skopeo']): LegContext & { lines: string[] } {
  const sourceDir = join(root, 'src');
  mkdirSync(sourceDir, { recursive: true });
  writeFileSync(join(sourceDir, 'Dockerfile'), 'FROM scratch\n');
  const workDir = join(root, 'work');
  mkdirSync(workDir, { recursive: true });
  const dockerConfig = join(root, 'docker-config');
  mkdirSync(dockerConfig, { recursive: true });
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { '127.0.0.1:5000': { auth: 'dXNlcjpodW50ZXIy' } } }));
  const lines: string[] = [];
  return {
    spec: {
      image: 'app',
      dir: 'app',
      // The stand-in executor writes no real layout to check: the check has its own tests
      // (test/backends/archVerify.test.ts, test/e2e/archCheck.test.ts).
      config: { verify_arch: false, ...config },
      backend: 'kaniko',
      backendReason: 'Dockerfile found',
      platforms: ['linux/arm64'],
      source: { kind: 'local', dir: 'app' },
      additionalTags: [],
      tags: [],
    },
    leg: {
      id: 'app--linux-arm64',
      image: 'app',
      dir: 'app',
      backend: 'kaniko',
      platform: 'linux/arm64',
      runner: 'ubuntu-24.04-arm',
      emulated: false,
    },
    sourceDir,
    target: { repository: REPO, insecure: true, push: true },
    workDir,
    metadata: { labels: {}, annotations: {} },
    cacheDir: join(root, 'cache'),
    env: { ...fakePath(tools), DOCKER_CONFIG: dockerConfig },
    buildEnv: { VERSION: '1.2.3' },
    options: {},
    secrets: ['hunter2'],
    onRunner: false,
    log: (line) => lines.push(line),
    lines,
    ...overrides,
  };
}

/**
 * Plays podman and skopeo: `image exists`, `version`, and a build that writes the digest file into
 * the mounted work dir, emitting `lines` on stderr.
 */
function fakeTools(
  ctx: LegContext,
  behaviour: { imageExists?: boolean; buildLines?: string[]; buildError?: ToolError; clock?: number[] } = {},
) {
  const calls: Call[] = [];
  const runner: Runner = async (cmd, args, options = {}) => {
    calls.push({ cmd, args, options });
    const ok = (stdout = ''): RunResult => ({ code: 0, stdout, stderr: '', durationMs: 1 });
    if (cmd === 'podman' && args[0] === 'image') return { ...ok(), code: behaviour.imageExists === false ? 1 : 0 };
    if (cmd === 'podman' && args.at(-1) === 'version') return ok('Kaniko version :  v1.25.5\n');
    if (cmd === 'podman') {
      for (const line of behaviour.buildLines ?? []) options.onLine?.('stderr', line);
      if (behaviour.buildError) throw behaviour.buildError;
      writeFileSync(join(ctx.workDir, 'digest'), DIGEST);
      return ok();
    }
    if (cmd === 'skopeo') {
      writeFileSync(join(ctx.workDir, 'pushed-digest'), DIGEST);
      return ok();
    }
    throw new Error(`unexpected ${cmd}`);
  };
  const ticks = [...(behaviour.clock ?? [])];
  const now = () => ticks.shift() ?? 0;
  return { runner, calls, now };
}

describe('resolveKanikoImage', () => {
  it('uses the given image, else the local build off runners', () => {
    expect(resolveKanikoImage({ options: { kanikoImage: ' registry.example.com/k/executor@sha256:1 ' }, onRunner: true })).toBe(
      'registry.example.com/k/executor@sha256:1',
    );
    expect(resolveKanikoImage({ options: {}, onRunner: false })).toBe(LOCAL_KANIKO_IMAGE);
  });

  it('names the tool setup and the kaniko-image input on a runner that got no image, instead of guessing a public one', () => {
    expect(() => resolveKanikoImage({ options: {}, onRunner: true })).toThrow(UserError);
    expect(() => resolveKanikoImage({ options: {}, onRunner: true })).toThrow('`kaniko-image` input');
  });
});

describe('kaniko backend', () => {
  it('runs the local executor image in podman and pushes the OCI layout by digest with skopeo', async () => {
    const ctx = context({ build_args: ['VERSION=${VERSION}', 'PLAIN=x'], target: 'runtime' });
    const { runner, calls, now } = fakeTools(ctx, { clock: [100, 250, 400] });
    const backend = createKanikoBackend({ runner, now });

    await expect(backend.setup(ctx)).resolves.toBe(`v1.25.5 (podman, ${LOCAL_KANIKO_IMAGE}, push by digest with skopeo)`);
    const result = await backend.build(ctx);

    expect(result).toEqual({ digest: DIGEST, pushMs: 150 });
    const commands = calls.map((c) => [c.cmd, ...c.args]);
    expect(commands[0]).toEqual(['podman', 'image', 'exists', LOCAL_KANIKO_IMAGE]);
    expect(commands[1]).toEqual(['podman', 'run', '--rm', '--pull=never', LOCAL_KANIKO_IMAGE, 'version']);
    expect(commands[2]).toEqual([
      'podman',
      'run',
      '--rm',
      '--network',
      'host',
      '--pull=never',
      '-v',
      `${ctx.sourceDir}:/workspace:ro`,
      '-v',
      `${ctx.workDir}:/hephy/out`,
      LOCAL_KANIKO_IMAGE,
      '--context=dir:///workspace',
      '--dockerfile=/hephy/out/hephy.Dockerfile',
      '--custom-platform=linux/arm64',
      '--build-arg=VERSION=1.2.3',
      '--build-arg=PLAIN=x',
      '--target=runtime',
      '--no-push',
      '--oci-layout-path=/hephy/out/layout',
      '--digest-file=/hephy/out/digest',
      '--insecure',
      '--insecure-pull',
      '--skip-tls-verify',
      '--log-format=text',
      '--verbosity=info',
    ]);
    expect(commands[3]).toEqual([
      'skopeo',
      'copy',
      '--preserve-digests',
      '--retry-times=2',
      `--digestfile=${join(ctx.workDir, 'pushed-digest')}`,
      `--dest-authfile=${join(ctx.env.DOCKER_CONFIG!, 'config.json')}`,
      '--dest-tls-verify=false',
      `oci:${join(ctx.workDir, 'layout')}`,
      `docker://${REPO}@${DIGEST}`,
    ]);
    expect(commands).toHaveLength(4);
    // Auth stays in skopeo's authfile (no mount: the config asks for none); podman gets hephy's containers.conf; secrets are masked.
    expect(commands.flat().join(' ')).not.toContain('dXNlcjpodW50ZXIy');
    expect(calls[2].options.env?.CONTAINERS_CONF).toBe(join(root, 'tools', 'containers.conf'));
    expect(calls[2].options.secrets).toEqual(['hunter2']);
  });

  it('leaves out the insecure flags for a TLS registry, and the auth mount when there is no docker config', async () => {
    const ctx = context({}, { target: { repository: 'registry.example.com/team/app', insecure: false, push: true } });
    ctx.env = { ...ctx.env, DOCKER_CONFIG: join(root, 'missing') };
    const { runner, calls } = fakeTools(ctx);
    await createKanikoBackend({ runner }).build(ctx);
    const build = calls.find((c) => c.cmd === 'podman' && c.args.includes('--no-push'))!;
    expect(build.args.join(' ')).not.toMatch(/--insecure|--skip-tls-verify|\/kaniko\/\.docker/);
    const skopeo = calls.find((c) => c.cmd === 'skopeo')!;
    expect(skopeo.args.join(' ')).not.toMatch(/tls-verify|authfile/);
  });

  it('pushes to the scratch tag itself when skopeo is missing (no login: an anonymous local registry), timing the push from the executor log', async () => {
    const ctx = context({}, { secrets: [] }, ['podman']);
    const { runner, calls, now } = fakeTools(ctx, {
      buildLines: [
        'time="2026-11-25T15:10:16Z" level=info msg="RUN uname -m > /arch"',
        `time="2026-11-25T15:10:16Z" level=info msg="Pushing image to ${REPO}:hephy-leg-app--linux-arm64"`,
        `time="2026-11-25T15:10:17Z" level=info msg="Pushed ${REPO}@${DIGEST}"`,
      ],
      clock: [1000, 1800],
    });
    const backend = createKanikoBackend({ runner, now });
    await expect(backend.setup(ctx)).resolves.toContain('push to hephy-leg-app--linux-arm64');
    await expect(backend.build(ctx)).resolves.toEqual({ digest: DIGEST, pushMs: 800 });
    const build = calls.find((c) => c.args.includes(`--destination=${REPO}:hephy-leg-app--linux-arm64`));
    expect(build?.args).not.toContain('--no-push');
    expect(calls.some((c) => c.cmd === 'skopeo')).toBe(false);
    expect(ctx.lines).toContain(
      'skopeo is not installed: kaniko pushes to the scratch tag hephy-leg-app--linux-arm64 instead of by digest only',
    );
    expect(ctx.lines.some((l) => l.includes('Pushing image to'))).toBe(true);
  });

  it.each([
    ['with skopeo', ['podman', 'skopeo']],
    ['without skopeo (no scratch-tag fallback)', ['podman']],
  ])('with push off writes only the OCI layout %s: no skopeo, no --destination, cache read-only', async (_name, tools) => {
    const ctx = context({}, { target: { repository: REPO, insecure: true, push: false } }, tools);
    const { runner, calls } = fakeTools(ctx);
    const backend = createKanikoBackend({ runner, cacheRepo: () => `${REPO}/cache` });
    await expect(backend.setup(ctx)).resolves.toContain('push disabled');
    await expect(backend.build(ctx)).resolves.toEqual({ digest: DIGEST, pushMs: 0 });
    const build = calls.find((c) => c.cmd === 'podman' && c.args.includes('--context=dir:///workspace'))!;
    expect(build.args).toContain('--no-push');
    expect(build.args).toContain('--oci-layout-path=/hephy/out/layout');
    expect(build.args.filter((a) => a.startsWith('--destination'))).toEqual([]);
    // A registry layer cache would push layers: read it, write nothing.
    expect(build.args).toEqual(expect.arrayContaining([`--cache-repo=${REPO}/cache`, '--no-push-cache']));
    expect(calls.some((c) => c.cmd === 'skopeo')).toBe(false);
    expect(ctx.lines.some((l) => l.includes('scratch tag'))).toBe(false);
  });

  it('chooses the push mode again when target.push changed after setup', async () => {
    const ctx = context({});
    const { runner, calls } = fakeTools(ctx);
    const backend = createKanikoBackend({ runner });
    await backend.setup(ctx);
    ctx.target = { ...ctx.target, push: false };
    await backend.build(ctx);
    expect(calls.some((c) => c.cmd === 'skopeo')).toBe(false);
  });

  it('builds the local executor image first when podman does not have it', async () => {
    const ctx = context({});
    const { runner } = fakeTools(ctx, { imageExists: false });
    let builds = 0;
    const buildLocalImage = async () => {
      builds += 1;
      return LOCAL_KANIKO_IMAGE;
    };
    await createKanikoBackend({ runner, buildLocalImage }).setup(ctx);
    expect(builds).toBe(1);
    expect(ctx.lines[0]).toContain("is not in podman's storage: building it");
  });

  it('builds (or refreshes) the local executor image once before a local run, unless one is given', async () => {
    let builds = 0;
    const backend = createKanikoBackend({
      buildLocalImage: async () => {
        builds += 1;
        return LOCAL_KANIKO_IMAGE;
      },
    });
    await backend.prepareRun?.({});
    expect(builds).toBe(1);
    await backend.prepareRun?.({ kanikoImage: 'registry.example.com/kaniko/executor@sha256:' + 'c'.repeat(64) });
    expect(builds).toBe(1);
  });

  it('runs a given image with the detected engine and lets it be pulled', async () => {
    const image = 'registry.example.com/kaniko/executor@sha256:' + 'b'.repeat(64);
    const ctx = context({}, { options: { kanikoImage: image }, onRunner: true }, ['docker', 'skopeo']);
    const calls: Call[] = [];
    const runner: Runner = async (cmd, args, options = {}) => {
      calls.push({ cmd, args, options });
      return { code: 0, stdout: 'Kaniko version : v1.25.5', stderr: '', durationMs: 1 };
    };
    await createKanikoBackend({ runner, detectEngine: async () => 'docker' }).setup(ctx);
    expect([calls[0].cmd, ...calls[0].args]).toEqual(['docker', 'run', '--rm', '--pull=missing', image, 'version']);
  });

  it('turns a failed RUN into one line naming the instruction', async () => {
    const ctx = context({});
    const stderr = [
      'time="2026-11-25T15:10:24Z" level=info msg="RUN exit 3"',
      'time="2026-11-25T15:10:24Z" level=info msg="Running: [/bin/sh -c exit 3]"',
      'error building image: error building stage: failed to execute command: waiting for process to exit: exit status 3',
    ];
    const { runner } = fakeTools(ctx, {
      buildLines: stderr,
      buildError: new ToolError('podman run ... exited with code 3', 'podman run', 3, '', stderr.join('\n')),
    });
    await expect(createKanikoBackend({ runner }).build(ctx)).rejects.toThrow(/^kaniko: RUN exit 3 failed with exit status 3$/);
  });

  it('says which build arg names an unset variable, before running anything', async () => {
    const ctx = context({ build_args: ['TOKEN=${NOT_SET_ANYWHERE}'] });
    const { runner, calls } = fakeTools(ctx);
    const backend = createKanikoBackend({ runner });
    await backend.setup(ctx);
    const before = calls.length;
    await expect(backend.build(ctx)).rejects.toThrow(UserError);
    await expect(backend.build(ctx)).rejects.toThrow(
      'build_args[0] (TOKEN=${NOT_SET_ANYWHERE}): ${NOT_SET_ANYWHERE} is not in the build environment',
    );
    expect(calls).toHaveLength(before);
  });
});

describe('kanikoInvocation', () => {
  it('builds a copy of a Dockerfile outside the context, with the platform args declared and its own .dockerignore beside it', () => {
    const ctx = context({ context_path: 'ctx', dockerfile_path: '../build/Dockerfile.prod' });
    mkdirSync(join(ctx.sourceDir, 'ctx'));
    mkdirSync(join(ctx.sourceDir, 'build'));
    writeFileSync(join(ctx.sourceDir, 'build', 'Dockerfile.prod'), '# syntax=docker/dockerfile:1\nFROM scratch\n');
    writeFileSync(join(ctx.sourceDir, 'build', 'Dockerfile.prod.dockerignore'), 'secret\n');
    const inv = kanikoInvocation(ctx, 'digest');
    expect(inv.mounts.slice(0, 2)).toEqual([
      { host: join(ctx.sourceDir, 'ctx'), container: '/workspace', readonly: true },
      { host: ctx.workDir, container: '/hephy/out' },
    ]);
    expect(inv.args).toContain('--dockerfile=/hephy/out/hephy.Dockerfile');
    const built = readFileSync(join(ctx.workDir, 'hephy.Dockerfile'), 'utf8').split('\n');
    expect(built[0]).toBe('# syntax=docker/dockerfile:1');
    expect(built[1]).toMatch(/^ARG BUILDPLATFORM="linux\/(amd64|arm64)" .* TARGETPLATFORM="linux\/arm64" .* TARGETARCH="arm64" /);
    expect(built.slice(2)).toEqual(['FROM scratch', '']);
    expect(readFileSync(join(ctx.workDir, 'hephy.Dockerfile.dockerignore'), 'utf8')).toBe('secret\n');
    expect(inv.addedLines).toBe(1);
  });

  it('builds a copy of a Dockerfile in a subdirectory of the context too', () => {
    const ctx = context({ dockerfile_path: 'docker/Dockerfile' });
    mkdirSync(join(ctx.sourceDir, 'docker'));
    writeFileSync(join(ctx.sourceDir, 'docker', 'Dockerfile'), 'FROM scratch\n');
    expect(kanikoInvocation(ctx, 'digest').args).toContain('--dockerfile=/hephy/out/hephy.Dockerfile');
    expect(readFileSync(join(ctx.workDir, 'hephy.Dockerfile'), 'utf8')).toMatch(/^ARG BUILDPLATFORM=.*\nFROM scratch\n$/);
  });

  it('reports a missing Dockerfile or context as a user error', () => {
    expect(() => kanikoInvocation(context({ dockerfile_path: 'Nope' }), 'digest')).toThrow('dockerfile_path Nope: no such file in');
    expect(() => kanikoInvocation(context({ context_path: 'nowhere' }), 'digest')).toThrow(UserError);
  });

  it('mounts the registry login only when the config asks for it (pull_credentials), and never on a pull request', () => {
    const authMount = (ctx: LegContext) => kanikoInvocation(ctx, 'digest').mounts.find((m) => m.container === '/kaniko/.docker');
    const plain = context({});
    expect(authMount(plain)).toBeUndefined();
    const asked = context({ pull_credentials: true });
    expect(authMount(asked)).toEqual({ host: asked.env.DOCKER_CONFIG, container: '/kaniko/.docker', readonly: true });
    expect(authMount(context({ pull_credentials: true }, { pullRequest: true }))).toBeUndefined();
  });

  it('refuses to hand the login to kaniko just to push a scratch tag (no skopeo), unless asked', () => {
    expect(() => kanikoInvocation(context({}, { secrets: ['hunter2'] }), 'scratch-tag')).toThrow('install skopeo');
    expect(kanikoInvocation(context({}, { secrets: [] }), 'scratch-tag').mounts.some((m) => m.container === '/kaniko/.docker')).toBe(false);
    expect(
      kanikoInvocation(context({ pull_credentials: true }, { secrets: ['hunter2'] }), 'scratch-tag').mounts.map((m) => m.container),
    ).toContain('/kaniko/.docker');
  });

  it('adds the registry layer cache when asked', () => {
    const args = kanikoInvocation(context({}), 'digest', `${REPO}/cache`).args;
    expect(args).toEqual(expect.arrayContaining(['--cache=true', `--cache-repo=${REPO}/cache`]));
    expect(args).not.toContain('--no-push-cache');
  });
});
