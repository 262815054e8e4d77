// What the BuildKit backend hands `docker buildx build` for a leg: the exact argv and the cache.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCache, buildkitBuildOptions, buildkitPaths, builderName, needContext, RUNNER_BUILDER } from '../../src/backends/buildkit.js';
import { buildxBuildArgs } from '../../src/tools/buildx.js';
import { testLeg } from '../helpers/legContext.js';

describe('buildkitBuildOptions + buildxBuildArgs', () => {
  it('builds one platform and pushes it by digest, without attestations, with a local cache off a runner', () => {
    const { ctx } = testLeg({
      backend: 'buildkit',
      platform: 'linux/arm64',
      config: {
        context_path: 'src',
        dockerfile_path: 'docker/Dockerfile',
        target: 'runtime',
        build_args: ['BASE_IMAGE=${REGISTRY}/hephy/busybox:1', 'PLAIN=1'],
      },
      env: { REGISTRY: '127.0.0.1:5000', HEPHY_BUILDX_BUILDER: 'hephy' },
    });
    const cache = buildCache(ctx);
    const args = buildxBuildArgs(buildkitBuildOptions(ctx, cache));
    const scope = join(ctx.cacheDir, 'app-linux-arm64');
    expect(args).toEqual([
      'build',
      '--builder',
      'hephy',
      '--progress=plain',
      '--platform=linux/arm64',
      `--file=${join(ctx.sourceDir, 'src', 'docker', 'Dockerfile')}`,
      '--target=runtime',
      '--build-arg=BASE_IMAGE=127.0.0.1:5000/hephy/busybox:1',
      '--build-arg=PLAIN=1',
      '--provenance=false',
      '--sbom=false',
      '--cache-to',
      `type=local,dest=${scope}.next,mode=max`,
      '--output',
      'type=image,name=127.0.0.1:5000/hephy/app,push-by-digest=true,name-canonical=true,oci-mediatypes=true,push=true,registry.insecure=true',
      '--metadata-file',
      join(ctx.workDir, 'buildx-metadata.json'),
      '--',
      join(ctx.sourceDir, 'src'),
    ]);
  });

  it('uses the GitHub Actions cache on a runner, scoped per image and platform', () => {
    const { ctx } = testLeg({ backend: 'buildkit', image: 'tools-curl', platform: 'linux/amd64', onRunner: true, env: {} });
    ctx.target = { repository: 'registry.example.com/team/tools-curl', insecure: false, push: true };
    const args = buildxBuildArgs(buildkitBuildOptions(ctx, buildCache(ctx)));
    expect(args).toContain('type=gha,scope=tools-curl-linux-amd64');
    expect(args).toContain('type=gha,scope=tools-curl-linux-amd64,mode=max,ignore-error=true');
    expect(args[args.indexOf('--cache-from') + 1]).toBe('type=gha,scope=tools-curl-linux-amd64');
    expect(args[args.indexOf('--builder') + 1]).toBe(RUNNER_BUILDER);
    expect(args[args.indexOf('--output') + 1]).toBe(
      'type=image,name=registry.example.com/team/tools-curl,push-by-digest=true,name-canonical=true,oci-mediatypes=true,push=true',
    );
  });

  it('with push off exports the image with push=false (and the same local cache)', () => {
    const { ctx } = testLeg({ backend: 'buildkit', platform: 'linux/amd64', env: { HEPHY_BUILDX_BUILDER: 'hephy' }, push: false });
    const args = buildxBuildArgs(buildkitBuildOptions(ctx, buildCache(ctx)));
    expect(args[args.indexOf('--output') + 1]).toBe(
      'type=image,name=127.0.0.1:5000/hephy/app,push-by-digest=true,name-canonical=true,oci-mediatypes=true,push=false,registry.insecure=true',
    );
    expect(args.join(' ')).not.toContain('push=true');
    expect(args[args.indexOf('--cache-to') + 1]).toMatch(/^type=local,dest=/);
  });

  it('defaults to Dockerfile in the config directory, no target, no builder off a runner', () => {
    const { ctx } = testLeg({ backend: 'buildkit', config: { target: '' }, env: {} });
    const args = buildxBuildArgs(buildkitBuildOptions(ctx, { from: [], to: [] }));
    expect(args.some((a) => a.startsWith('--target'))).toBe(false);
    expect(args).not.toContain('--builder');
    expect(args).toContain(`--file=${join(ctx.sourceDir, 'Dockerfile')}`);
    expect(args.at(-1)).toBe(ctx.sourceDir);
  });

  it('names the unset variable of a build arg', () => {
    const { ctx } = testLeg({ backend: 'buildkit', config: { build_args: ['BASE=${NOT_SET_ANYWHERE}'] }, env: {} });
    expect(() => buildkitBuildOptions(ctx, { from: [], to: [] })).toThrow(
      'build_args[0] (BASE=${NOT_SET_ANYWHERE}): ${NOT_SET_ANYWHERE} is not in the build environment',
    );
  });
});

describe('buildkitPaths', () => {
  it('resolves dockerfile_path against context_path, and context_path against the config directory', () => {
    const { ctx } = testLeg({ backend: 'buildkit', config: { context_path: '..', dockerfile_path: 'app/Dockerfile.prod' } });
    expect(buildkitPaths(ctx)).toEqual({
      contextDir: join(ctx.sourceDir, '..'),
      dockerfile: join(ctx.sourceDir, '..', 'app', 'Dockerfile.prod'),
    });
  });
});

describe('builderName', () => {
  it('is HEPHY_BUILDX_BUILDER when set, our own builder on a runner, else buildx current one', () => {
    expect(builderName({ env: { HEPHY_BUILDX_BUILDER: 'hephy' }, onRunner: false })).toBe('hephy');
    expect(builderName({ env: { HEPHY_BUILDX_BUILDER: 'mine' }, onRunner: true })).toBe('mine');
    expect(builderName({ env: {}, onRunner: true })).toBe(RUNNER_BUILDER);
    expect(builderName({ env: {}, onRunner: false })).toBeUndefined();
  });
});

describe('buildCache (local rotation)', () => {
  it('reads the last export and replaces it with the new one after a success', () => {
    const { ctx } = testLeg({ backend: 'buildkit', platform: 'linux/arm64' });
    const current = join(ctx.cacheDir, 'app-linux-arm64');
    const first = buildCache(ctx);
    expect(first.from).toEqual([]);
    mkdirSync(`${current}.next`, { recursive: true });
    writeFileSync(join(`${current}.next`, 'index.json'), '{"n":1}');
    first.commit();
    expect(existsSync(join(current, 'index.json'))).toBe(true);
    expect(existsSync(`${current}.next`)).toBe(false);

    const second = buildCache(ctx);
    expect(second.from).toEqual([`type=local,src=${current}`]);
    mkdirSync(`${current}.next`, { recursive: true });
    second.discard();
    expect(existsSync(`${current}.next`)).toBe(false);
    expect(existsSync(join(current, 'index.json'))).toBe(true);
  });

  it('builds without the local cache while another build (a second local run) holds it, and says so', () => {
    const { ctx, logs } = testLeg({ backend: 'buildkit', platform: 'linux/arm64' });
    const current = join(ctx.cacheDir, 'app-linux-arm64');
    mkdirSync(current, { recursive: true });
    writeFileSync(join(current, 'index.json'), '{}');
    const first = buildCache(ctx);
    expect(first.from).toEqual([`type=local,src=${current}`]);
    const second = buildCache(ctx);
    expect(second.from).toEqual([]);
    expect(second.to).toEqual([]);
    expect(logs.join('\n')).toContain(`build cache ${current} is in use by another build`);
    second.commit(); // not the holder: releases nothing
    expect(buildCache(ctx).from).toEqual([]);
    first.discard();
    const third = buildCache(ctx);
    expect(third.from).toEqual([`type=local,src=${current}`]);
    third.commit();
  });

  it('keeps the old cache when the build exported nothing', () => {
    const { ctx } = testLeg({ backend: 'buildkit' });
    const current = join(ctx.cacheDir, 'app-linux-arm64');
    mkdirSync(current, { recursive: true });
    writeFileSync(join(current, 'index.json'), '{}');
    buildCache(ctx).commit();
    expect(existsSync(join(current, 'index.json'))).toBe(true);
  });
});

describe('a need built without pushing (issue 14): an oci-layout named context', () => {
  it("hands buildx the layout's path and the manifest digest, and the build arg its key", () => {
    const { ctx } = testLeg({ backend: 'buildkit', platform: 'linux/amd64', env: {} });
    const digest = `sha256:${'d'.repeat(64)}`;
    ctx.needs = [
      { name: 'base', ref: `127.0.0.1:5000/p/base@${digest}`, layout: '/work/out/layouts/hephy-layout-base--linux-amd64' },
      { name: 'tools', ref: `127.0.0.1:5000/p/tools@${digest}` },
    ];
    const args = buildxBuildArgs(buildkitBuildOptions(ctx, { from: [], to: [] }));
    // buildx v0.36.1 util/ocilayout/parse.go reads oci-layout://PATH[:TAG][@DIGEST]; BuildKit's
    // oci-layout context needs the digest (frontend/dockerui/namedcontext.go: "has no digest").
    expect(args).toContain(`--build-context=base=oci-layout:///work/out/layouts/hephy-layout-base--linux-amd64@${digest}`);
    expect(args).toContain(`--build-context=tools=docker-image://127.0.0.1:5000/p/tools@${digest}`);
    expect(args).toContain('--build-arg=BASE_IMAGE=base');
    expect(args).toContain(`--build-arg=TOOLS_IMAGE=127.0.0.1:5000/p/tools@${digest}`);
  });

  it('refuses a layout whose own directory name has a `:` (buildx would read what follows as a tag)', () => {
    expect(() => needContext({ name: 'base', ref: `r/base@sha256:${'d'.repeat(64)}`, layout: '/out/layouts/x:y' })).toThrow(
      'which buildx reads as a tag',
    );
  });
});
