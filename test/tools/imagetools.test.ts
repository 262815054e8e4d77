import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolError, type RunOptions, type RunResult, type Runner } from '../../src/tools/exec.js';
import { createImagetools, resolveImagetoolsCommand } from '../../src/tools/imagetools.js';
import { digestOf } from '../../src/core/oci.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

interface Call {
  cmd: string;
  args: string[];
  options: RunOptions;
}

/** A runner that records calls and answers from a script keyed by the argv after the binary. */
function fakeRunner(answer: (args: string[]) => Partial<RunResult> = () => ({})): { runner: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: Runner = async (cmd, args, options = {}) => {
    calls.push({ cmd, args: [...args], options });
    return { code: 0, stdout: '', stderr: '', durationMs: 1, ...answer([...args]) };
  };
  return { runner, calls };
}

/** A PATH directory holding empty executables with the given names. */
function binDir(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hephy-imagetools-bin-'));
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

describe('resolveImagetoolsCommand', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const pathWith = (names: string[]) => {
    const dir = binDir(names);
    dirs.push(dir);
    return dir;
  };

  it('uses docker buildx when docker finds its plugin', async () => {
    const dir = pathWith(['docker', 'buildx']);
    const { runner, calls } = fakeRunner(() => ({ code: 0 }));
    expect(await resolveImagetoolsCommand({ PATH: dir }, runner)).toEqual([join(dir, 'docker'), 'buildx', 'imagetools']);
    expect(calls[0].args).toEqual(['buildx', 'version']);
  });

  it('falls back to a standalone buildx when docker has no buildx plugin', async () => {
    const dir = pathWith(['docker', 'buildx']);
    const { runner } = fakeRunner(() => ({ code: 1, stderr: 'docker: unknown command: docker buildx' }));
    expect(await resolveImagetoolsCommand({ PATH: dir }, runner)).toEqual([join(dir, 'buildx'), 'imagetools']);
  });

  it('uses a standalone buildx when docker is absent, without probing', async () => {
    const dir = pathWith(['buildx']);
    const { runner, calls } = fakeRunner();
    expect(await resolveImagetoolsCommand({ PATH: dir }, runner)).toEqual([join(dir, 'buildx'), 'imagetools']);
    expect(calls).toHaveLength(0);
  });

  it('says what to install when neither is there', async () => {
    const dir = pathWith([]);
    await expect(resolveImagetoolsCommand({ PATH: dir }, fakeRunner().runner)).rejects.toThrow(/neither docker .*nor a standalone buildx/);
    const withDocker = pathWith(['docker']);
    await expect(resolveImagetoolsCommand({ PATH: withDocker }, fakeRunner(() => ({ code: 1 })).runner)).rejects.toThrow(
      /no buildx plugin/,
    );
  });
});

describe('createImagetools', () => {
  let dir: string;
  beforeAll(() => {
    dir = binDir(['buildx']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = () => ({ PATH: dir });

  it('creates one index with every tag over every source, in one call, passing secrets and env', async () => {
    const { runner, calls } = fakeRunner();
    const lines: string[] = [];
    await createImagetools(runner).createIndex({
      tags: ['127.0.0.1:5000/images:app-20261125', '127.0.0.1:5000/images:app-latest'],
      sources: [`127.0.0.1:5000/images@${A}`, `127.0.0.1:5000/images@${B}`],
      env: env(),
      secrets: ['s3cret'],
      log: (line) => lines.push(line),
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].cmd).toBe(join(dir, 'buildx'));
    expect(calls[0].args).toEqual([
      'imagetools',
      'create',
      '--progress',
      'plain',
      '-t',
      '127.0.0.1:5000/images:app-20261125',
      '-t',
      '127.0.0.1:5000/images:app-latest',
      `127.0.0.1:5000/images@${A}`,
      `127.0.0.1:5000/images@${B}`,
    ]);
    expect(calls[0].options.env).toEqual(env());
    expect(calls[0].options.secrets).toEqual(['s3cret']);
    calls[0].options.onLine?.('stderr', '#1 DONE 0.0s');
    expect(lines).toEqual(['#1 DONE 0.0s']);
  });

  it('copies a single manifest as it is when preferIndex is false (per-arch tags)', async () => {
    const { runner, calls } = fakeRunner();
    await createImagetools(runner).createIndex({
      tags: ['r/x:t-amd64'],
      sources: [`r/x@${A}`],
      env: env(),
      preferIndex: false,
      builder: 'hephy',
    });
    expect(calls[0].args).toEqual([
      'imagetools',
      'create',
      '--progress',
      'plain',
      '--builder',
      'hephy',
      '--prefer-index=false',
      '-t',
      'r/x:t-amd64',
      `r/x@${A}`,
    ]);
  });

  it('puts annotations on the index, one --annotation=index:KEY=VALUE argument each, in the plan and the push alike', async () => {
    const { runner, calls } = fakeRunner(() => ({ stdout: '{"schemaVersion":2}' }));
    const tools = createImagetools(runner);
    const annotations = { 'org.opencontainers.image.revision': 'abc', 'com.example.note': '-t=r/x:evil, a value' };
    await tools.planIndex({ sources: [`r/x@${A}`], env: env(), annotations });
    await tools.createIndex({ tags: ['r/x:t'], sources: [`r/x@${A}`], env: env(), annotations });
    const expected = [
      '--annotation=index:org.opencontainers.image.revision=abc',
      '--annotation=index:com.example.note=-t=r/x:evil, a value',
    ];
    expect(calls[0].args).toEqual(['imagetools', 'create', '--dry-run', ...expected, `r/x@${A}`]);
    expect(calls[1].args).toEqual(['imagetools', 'create', '--progress', 'plain', ...expected, '-t', 'r/x:t', `r/x@${A}`]);
  });

  it('puts annotations on one platform entry of the index as manifest-descriptor[PLATFORM]:KEY=VALUE, after the index ones (buildx v0.36.1 util/buildflags/export.go ParseAnnotations)', async () => {
    const { runner, calls } = fakeRunner(() => ({ stdout: '{"schemaVersion":2}' }));
    const tools = createImagetools(runner);
    const options = {
      annotations: { 'org.opencontainers.image.revision': 'abc' },
      entryAnnotations: { 'linux/arm64': { 'dev.hephy.input-digest': B }, 'linux/amd64': { 'dev.hephy.input-digest': A } },
    };
    await tools.planIndex({ sources: [`r/x@${A}`], env: env(), ...options });
    await tools.createIndex({ tags: ['r/x:t'], sources: [`r/x@${A}`], env: env(), ...options });
    const expected = [
      '--annotation=index:org.opencontainers.image.revision=abc',
      `--annotation=manifest-descriptor[linux/arm64]:dev.hephy.input-digest=${B}`,
      `--annotation=manifest-descriptor[linux/amd64]:dev.hephy.input-digest=${A}`,
    ];
    expect(calls[0].args).toEqual(['imagetools', 'create', '--dry-run', ...expected, `r/x@${A}`]);
    expect(calls[1].args).toEqual(['imagetools', 'create', '--progress', 'plain', ...expected, '-t', 'r/x:t', `r/x@${A}`]);
  });

  it('refuses to run without tags or sources', async () => {
    const { runner, calls } = fakeRunner();
    const tools = createImagetools(runner);
    await expect(tools.createIndex({ tags: [], sources: [`r/x@${A}`], env: env() })).rejects.toThrow(/no tags/);
    await expect(tools.createIndex({ tags: ['r/x:t'], sources: [], env: env() })).rejects.toThrow(/no source manifests/);
    expect(calls).toHaveLength(0);
  });

  it('plans an index with a dry run that pushes nothing', async () => {
    const index = { schemaVersion: 2, manifests: [{ digest: A, size: 1, platform: { os: 'linux', architecture: 'amd64' } }] };
    const text = JSON.stringify(index, null, 2);
    const { runner, calls } = fakeRunner(() => ({ stdout: `${text}\n` }));
    // The digest is of the document without the newline buildx's Printf("%s\n", dt) adds.
    expect(await createImagetools(runner).planIndex({ sources: [`r/x@${A}`, `r/x@${B}`], env: env() })).toEqual({
      manifest: index,
      digest: digestOf(text),
    });
    expect(calls[0].args).toEqual(['imagetools', 'create', '--dry-run', `r/x@${A}`, `r/x@${B}`]);
    expect(calls[0].args.join(' ')).not.toContain('-t');
  });

  it('reads a raw manifest and rejects output that is not JSON', async () => {
    const index = { schemaVersion: 2, manifests: [] };
    const { runner, calls } = fakeRunner((args) => ({ stdout: args.includes('r/x:ok') ? JSON.stringify(index) : 'ERROR: nope' }));
    const tools = createImagetools(runner);
    expect(await tools.inspectRaw('r/x:ok', env())).toEqual(index);
    expect(calls[0].args).toEqual(['imagetools', 'inspect', '--raw', 'r/x:ok']);
    await expect(tools.inspectRaw('r/x:bad', env())).rejects.toThrow(/r\/x:bad: output is not JSON/);
  });

  it('takes the index digest from the descriptor the registry resolved', async () => {
    const { runner, calls } = fakeRunner((args) => ({
      stdout: args.includes('r/x:ok')
        ? JSON.stringify({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: A, size: 645 })
        : '{"size":1}',
    }));
    const tools = createImagetools(runner);
    expect(await tools.indexDigest('r/x:ok', env())).toBe(A);
    expect(calls[0].args).toEqual(['imagetools', 'inspect', '--format', '{{json .Manifest}}', 'r/x:ok']);
    await expect(tools.indexDigest('r/x:none', env())).rejects.toThrow(/no sha256 digest/);
  });

  it('sums the config and layer sizes of a platform manifest, and refuses an index', async () => {
    const manifest = {
      schemaVersion: 2,
      config: { digest: A, size: 383 },
      layers: [
        { digest: A, size: 1000 },
        { digest: B, size: 36237 },
      ],
    };
    const { runner } = fakeRunner((args) => ({ stdout: JSON.stringify(args.includes(`r/x@${A}`) ? manifest : { manifests: [] }) }));
    const tools = createImagetools(runner);
    expect(await tools.manifestCompressedSize(`r/x@${A}`, env())).toBe(383 + 1000 + 36237);
    await expect(tools.manifestCompressedSize('r/x:index', env())).rejects.toThrow(/is an image index/);
  });

  it('adds a login hint when the registry refuses the request', async () => {
    const refusing: Runner = async (cmd) => {
      throw new ToolError(
        `${cmd} exited with code 1:\nERROR: unexpected status from HEAD request to http://r/v2/x/manifests/1: 401 Unauthorized`,
        cmd,
        1,
        '',
        '',
      );
    };
    const error = await createImagetools(refusing)
      .inspectRaw('r/x:1', { PATH: dir, DOCKER_CONFIG: '/run/hephy/docker' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toMatch(/401 Unauthorized\nhint: .*check the registry login .*DOCKER_CONFIG=\/run\/hephy\/docker/);
    const notFound: Runner = async (cmd) => {
      throw new ToolError('ERROR: r/x:1: not found', cmd, 1, '', '');
    };
    expect(
      (
        (await createImagetools(notFound)
          .inspectRaw('r/x:1', { PATH: dir })
          .catch((e: unknown) => e)) as Error
      ).message,
    ).toBe('ERROR: r/x:1: not found');
  });

  it('probes for the binary once per environment', async () => {
    const both = binDir(['docker', 'buildx']);
    try {
      const { runner, calls } = fakeRunner((args) => ({
        stdout: args[0] === 'buildx' && args[1] === 'version' ? 'v0' : '{"digest":"' + A + '"}',
      }));
      const tools = createImagetools(runner);
      await tools.indexDigest('r/x:1', { PATH: both });
      await tools.indexDigest('r/x:2', { PATH: both });
      expect(calls.map((c) => c.args.slice(0, 2).join(' '))).toEqual(['buildx version', 'buildx imagetools', 'buildx imagetools']);
    } finally {
      rmSync(both, { recursive: true, force: true });
    }
  });

  it('runs the real process with the argv it built (PATH shim)', async () => {
    const shim = mkdtempSync(join(tmpdir(), 'hephy-imagetools-shim-'));
    try {
      writeFileSync(join(shim, 'buildx'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${shim}/argv"\nprintf '{"digest":"${A}"}'\n`);
      chmodSync(join(shim, 'buildx'), 0o755);
      const tools = createImagetools();
      expect(await tools.indexDigest('r/x:1', { PATH: `${shim}:/usr/bin:/bin` })).toBe(A);
      expect(readFileSync(join(shim, 'argv'), 'utf8').split('\n').filter(Boolean)).toEqual([
        'imagetools',
        'inspect',
        '--format',
        '{{json .Manifest}}',
        'r/x:1',
      ]);
    } finally {
      rmSync(shim, { recursive: true, force: true });
    }
  });
});
