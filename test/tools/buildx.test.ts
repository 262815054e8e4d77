import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildxBuild,
  buildxBuildArgs,
  buildxEnv,
  createContainerBuilderArgs,
  frontendPullFailed,
  metadataDigest,
  metadataResult,
  platformOfIndex,
  PushTimer,
  resolveBuildxCommand,
} from '../../src/tools/buildx.js';
import { isPinnedByDigest } from '../../src/core/oci.js';
import { BUILDKIT_IMAGE, GO_TOOL_PINS } from '../../src/core/toolPins.js';
import type { RunOptions, RunResult } from '../../src/tools/exec.js';

const digest = `sha256:${'c'.repeat(64)}`;

describe('metadataDigest', () => {
  it('is containerimage.digest of a pushed image manifest', () => {
    const text = JSON.stringify({
      'containerimage.digest': digest,
      'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 855 },
      'image.name': '127.0.0.1:5000/hephy/app',
    });
    expect(metadataDigest(text)).toBe(digest);
  });

  it('refuses an index (attestations pushed along) and metadata without a digest', () => {
    const index = JSON.stringify({
      'containerimage.digest': digest,
      'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.index.v1+json' },
    });
    expect(() => metadataDigest(index)).toThrow(
      "buildx pushed a application/vnd.oci.image.index.v1+json, expected one platform's image manifest",
    );
    expect(() => metadataDigest('{"buildx.build.ref":"x"}')).toThrow(
      'buildx metadata has no containerimage.digest (keys: buildx.build.ref)',
    );
  });
});

// BuildKit docs "Attestation storage": the attestation manifest sits in the index with platform
// unknown/unknown and vnd.docker.reference.digest naming the image manifest it describes.
describe('BuildKit attestations (supplyChain.buildkitAttestations)', () => {
  const image = `sha256:${'a'.repeat(64)}`;
  const attestation = `sha256:${'b'.repeat(64)}`;
  const index = {
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: attestation,
        size: 1,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.digest': image, 'vnd.docker.reference.type': 'attestation-manifest' },
      },
    ],
  };

  it('asks buildx for its provenance in the mode given (min: no build argument values; max: all), else for none', () => {
    const base = {
      contextDir: '/c',
      dockerfile: '/c/Dockerfile',
      platform: 'linux/amd64',
      repository: 'r/app',
      buildArgs: [],
      metadataFile: '/m',
      cacheFrom: [],
      cacheTo: [],
      insecure: false,
      push: true,
    };
    expect(buildxBuildArgs({ ...base, provenanceMode: 'min' })).toContain('--provenance=mode=min');
    expect(buildxBuildArgs({ ...base, provenanceMode: 'max' })).toContain('--provenance=mode=max');
    expect(buildxBuildArgs({ ...base, provenanceMode: 'min' })).not.toContain('--provenance=false');
    expect(buildxBuildArgs(base)).toContain('--provenance=false');
  });

  it('accepts an index in the metadata only when attestations were asked for', () => {
    const text = JSON.stringify({
      'containerimage.digest': digest,
      'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.index.v1+json' },
    });
    expect(metadataResult(text, true)).toEqual({ digest, index: true });
    expect(() => metadataResult(text, false)).toThrow(/expected one platform's image manifest/);
  });

  it("picks the platform image beside BuildKit's attestation manifest", () => {
    expect(platformOfIndex(index)).toBe(image);
    expect(() => platformOfIndex({ manifests: [index.manifests[1]] })).toThrow(
      "BuildKit's index lists 0 platform image(s) beside its attestations, expected one",
    );
  });
});

describe('PushTimer', () => {
  // Lines as `--progress=plain` prints them (buildx v0.36 against buildkitd v0.32).
  it('times from the exporter "pushing layers" line to that vertex DONE', () => {
    const timer = new PushTimer();
    timer.observe('#7 exporting cache to client directory', 1000);
    timer.observe('#8 exporting to image', 1100);
    timer.observe('#8 exporting layers 0.0s done', 1150);
    timer.observe('#8 pushing layers', 1200);
    timer.observe('#7 DONE 0.1s', 1300);
    timer.observe('#8 pushing layers 0.1s done', 1500);
    timer.observe('#8 pushing manifest for 127.0.0.1:5000/hephy/app done', 1600);
    timer.observe('#8 DONE 0.5s', 1700);
    timer.observe('#9 resolving provenance for metadata file', 1800);
    expect(timer.pushMs(5000)).toBe(500);
  });

  it("uses BuildKit's own push durations when the lines arrived in one batch", () => {
    const timer = new PushTimer();
    for (const line of [
      '#8 pushing layers',
      '#8 pushing layers 0.3s done',
      '#8 pushing manifest for 127.0.0.1:5000/hephy/app@sha256:abc 0.1s done',
      '#9 pushing layers 5.0s done',
      '#8 DONE 0.5s',
    ]) {
      timer.observe(line, 1000);
    }
    expect(timer.pushMs(2000)).toBe(400);
  });

  it('is 0 when no push was seen, and runs to the end when the vertex never finished', () => {
    expect(new PushTimer().pushMs(10)).toBe(0);
    const timer = new PushTimer();
    timer.observe('#3 pushing layers', 100);
    expect(timer.pushMs(250)).toBe(150);
  });
});

describe('frontendPullFailed', () => {
  it('recognises a # syntax= frontend that could not be fetched', () => {
    const output = [
      '#1 [internal] load build definition from Dockerfile',
      '#1 DONE 0.0s',
      '',
      '#2 resolve image config for docker-image://127.0.0.1:1/nope/dockerfile:1',
      '#2 ERROR: failed to do request: Head "http://127.0.0.1:1/v2/nope/dockerfile/manifests/1": dial tcp 127.0.0.1:1: connect: connection refused',
    ].join('\n');
    expect(frontendPullFailed(output)).toBe(true);
  });

  it('does not blame the frontend for a base image or a failed RUN', () => {
    expect(frontendPullFailed('#2 [internal] load metadata for 127.0.0.1:5000/nope:1\n#2 ERROR: not found')).toBe(false);
    expect(
      frontendPullFailed('#2 resolve image config for docker-image://x/y:1\n#2 DONE 0.1s\n#5 [2/3] RUN false\n#5 ERROR: exit code: 1'),
    ).toBe(false);
  });
});

describe('buildxEnv', () => {
  it('keeps finding builders under ~/.docker when DOCKER_CONFIG points elsewhere', () => {
    const home = mkdtempSync(join(tmpdir(), 'hephy-home-'));
    mkdirSync(join(home, '.docker', 'buildx'), { recursive: true });
    const fresh = mkdtempSync(join(tmpdir(), 'hephy-dockercfg-'));
    expect(buildxEnv({ HOME: home, DOCKER_CONFIG: fresh }).BUILDX_CONFIG).toBe(join(home, '.docker', 'buildx'));
    expect(buildxEnv({ HOME: home, DOCKER_CONFIG: fresh, BUILDX_CONFIG: '/b' }).BUILDX_CONFIG).toBe('/b');
    expect(buildxEnv({ HOME: home }).BUILDX_CONFIG).toBeUndefined();
    mkdirSync(join(fresh, 'buildx'));
    expect(buildxEnv({ HOME: home, DOCKER_CONFIG: fresh }).BUILDX_CONFIG).toBeUndefined();
  });
});

describe('resolveBuildxCommand', () => {
  function bin(names: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-bin-'));
    for (const name of names) {
      writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, name), 0o755);
    }
    return dir;
  }
  const answering =
    (code: number) =>
    async (_cmd: string, _args: readonly string[], _o?: RunOptions): Promise<RunResult> => ({
      code,
      stdout: '',
      stderr: '',
      durationMs: 1,
    });

  it('prefers docker buildx when docker has the plugin', async () => {
    const dir = bin(['docker', 'buildx']);
    expect(await resolveBuildxCommand({ PATH: dir }, answering(0))).toEqual([join(dir, 'docker'), 'buildx']);
  });

  it('falls back to a standalone buildx when docker lacks the plugin', async () => {
    const dir = bin(['docker', 'buildx']);
    expect(await resolveBuildxCommand({ PATH: dir }, answering(1))).toEqual([join(dir, 'buildx')]);
  });

  it('says what is missing', async () => {
    await expect(resolveBuildxCommand({ PATH: bin(['docker']) }, answering(1))).rejects.toThrow(
      'docker is on PATH but has no buildx plugin',
    );
    await expect(resolveBuildxCommand({ PATH: bin([]) }, answering(0))).rejects.toThrow(
      'neither docker with buildx nor a standalone buildx is on PATH',
    );
  });
});

describe('buildxBuild', () => {
  function run(push: boolean) {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-buildx-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'buildx'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'bin', 'buildx'), 0o755);
    const metadataFile = join(dir, 'metadata.json');
    const calls: string[][] = [];
    const runner = async (cmd: string, args: readonly string[], o?: RunOptions): Promise<RunResult> => {
      calls.push([cmd, ...args]);
      // A push-looking exporter line: with push off its time must not count as pushing.
      for (const line of ['#8 exporting to image', '#8 pushing layers', '#8 DONE 0.4s']) o?.onLine?.('stderr', line);
      writeFileSync(
        metadataFile,
        JSON.stringify({
          'containerimage.digest': digest,
          'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest },
        }),
      );
      return { code: 0, stdout: '', stderr: '', durationMs: 5 };
    };
    const options = {
      contextDir: dir,
      dockerfile: join(dir, 'Dockerfile'),
      platform: 'linux/amd64',
      repository: '127.0.0.1:5000/hephy/app',
      buildArgs: [],
      metadataFile,
      cacheFrom: [],
      cacheTo: [],
      insecure: false,
      push,
      env: { PATH: join(dir, 'bin') },
    };
    return { calls, result: buildxBuild(options, runner) };
  }

  it('with push off asks for push=false, reads the digest as built and reports no push time', async () => {
    const { calls, result } = run(false);
    await expect(result).resolves.toMatchObject({ digest, pushMs: 0 });
    expect(calls[0].join(' ')).toContain(',push=false');
    expect(calls[0].join(' ')).not.toContain('push=true');
  });

  it('with push on asks for push=true', async () => {
    const { calls, result } = run(true);
    await expect(result).resolves.toMatchObject({ digest });
    expect(calls[0].join(' ')).toContain(',push=true');
  });
});

describe('buildxBuildArgs with a commit time', () => {
  it('passes SOURCE_DATE_EPOCH and rewrites layer timestamps (BuildKit v0.32.2 rewrite-timestamp)', () => {
    const args = buildxBuildArgs({
      contextDir: '/ctx',
      dockerfile: '/ctx/Dockerfile',
      platform: 'linux/amd64',
      repository: 'r/app',
      buildArgs: [],
      metadataFile: '/m.json',
      cacheFrom: [],
      cacheTo: [],
      insecure: false,
      push: true,
      sourceDateEpoch: 1700000000,
    });
    expect(args).toContain('--build-arg=SOURCE_DATE_EPOCH=1700000000');
    expect(args[args.indexOf('--output') + 1]).toMatch(/,rewrite-timestamp=true$/);
  });
});

describe('buildxBuildArgs with needs (issue 14)', () => {
  it('passes each named context as one --build-context=NAME=docker-image://REF argument, before the context', () => {
    const args = buildxBuildArgs({
      contextDir: '/ctx',
      dockerfile: '/ctx/Dockerfile',
      platform: 'linux/arm64',
      repository: 'r/app',
      buildArgs: ['BASE_IMAGE=r/base@sha256:' + 'a'.repeat(64)],
      contexts: { base: 'docker-image://r/base@sha256:' + 'a'.repeat(64) },
      metadataFile: '/m.json',
      cacheFrom: [],
      cacheTo: [],
      insecure: false,
      push: true,
    });
    expect(args).toContain(`--build-context=base=docker-image://r/base@sha256:${'a'.repeat(64)}`);
    expect(args).toContain(`--build-arg=BASE_IMAGE=r/base@sha256:${'a'.repeat(64)}`);
    expect(args.indexOf(`--build-context=base=docker-image://r/base@sha256:${'a'.repeat(64)}`)).toBeLessThan(args.indexOf('--'));
  });
});

describe('createContainerBuilderArgs', () => {
  it('runs the pinned BuildKit image by version and digest, not buildx default tag (buildx v0.36.1 driver/bkimage/bkimage.go: moby/buildkit:buildx-stable-1)', () => {
    const args = createContainerBuilderArgs('hephy');
    expect(args).toEqual([
      'create',
      '--name',
      'hephy',
      '--driver',
      'docker-container',
      '--driver-opt',
      `image=${BUILDKIT_IMAGE}`,
      '--bootstrap',
    ]);
    expect(BUILDKIT_IMAGE).toBe(
      `moby/buildkit:${GO_TOOL_PINS.buildkit.version}@sha256:28a898719c18a33f4e8000685287fa36fd0dd9560c6440227d3a732d79bb41d8`,
    );
    expect(isPinnedByDigest(BUILDKIT_IMAGE)).toBe(true);
  });
});
