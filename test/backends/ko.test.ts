// What the ko backend hands ko and crane for a leg: the exact argv, environment and .ko.yaml.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultImportPath, koBackend, koBuildOptions, resolveKoBaseImage, seedKoBaseCache } from '../../src/backends/ko.js';
import type { BuildConfig } from '../../src/core/config/schema.js';
import { UserError } from '../../src/core/problem.js';
import { pushLayoutArgs } from '../../src/tools/crane.js';
import { koInvocation, readUserKoConfig } from '../../src/tools/ko.js';
import { testLeg } from '../helpers/legContext.js';

const BASE = '127.0.0.1:5000/hephy/static:nonroot';

function goApp(config: BuildConfig = {}, options: Partial<Parameters<typeof testLeg>[0]> = {}) {
  // The stand-in ko writes no real layout to check: the check has its own tests (test/e2e/archCheck.test.ts).
  const leg = testLeg({ backend: 'ko', config: { verify_arch: false, ...config }, ...options });
  leg.write({ 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'cmd/hello/main.go': 'package main\n\nfunc main() {}\n' });
  return leg;
}

describe('koBuildOptions + koInvocation', () => {
  it('builds the one cmd/ package for the leg platform into a layout, with no push, tag or SBOM', () => {
    const { ctx } = goApp({ ko_config: { base_image: BASE } });
    const options = koBuildOptions(ctx);
    const inv = koInvocation(options, '/tmp/layout');
    expect(inv.args).toEqual([
      'build',
      '--bare',
      '--push=false',
      '--oci-layout-path',
      '/tmp/layout',
      '--sbom=none',
      '--platform=linux/arm64',
      '--',
      './cmd/hello',
    ]);
    expect(options.cwd).toBe(ctx.sourceDir);
    expect(inv.env.KO_DOCKER_REPO).toBe('127.0.0.1:5000/hephy/app');
    expect(inv.env.KO_DEFAULTBASEIMAGE).toBe(BASE);
    expect(inv.env.KO_CONFIG_PATH).toBe(join(ctx.workDir, 'ko', '.ko.yaml'));
    expect(inv.env.KOCACHE).toBe(join(ctx.cacheDir, 'kocache'));
    expect(inv.env.PATH).toBe(process.env.PATH);
  });

  // ko v0.19.1 (cobra) parses flags anywhere unless `--` ends them; checked with the real ko:
  // `ko build ... -- --image-refs=F` fails on the import path "ko://--image-refs=F" and writes no F.
  it('never lets an import path be read as an option of ko', () => {
    const { ctx } = goApp({ ko_config: { base_image: BASE, import_path: '--image-refs=/tmp/x' } });
    expect(koInvocation(koBuildOptions(ctx), '/l').args.slice(-2)).toEqual(['--', '--image-refs=/tmp/x']);
  });

  it('uses ko_config.import_path as given', () => {
    const { ctx } = goApp({ ko_config: { base_image: BASE, import_path: 'example.com/app/cmd/hello' } });
    expect(koInvocation(koBuildOptions(ctx), '/l').args.at(-1)).toBe('example.com/app/cmd/hello');
  });

  it('puts env, ldflags and flags into the generated .ko.yaml as defaults, with ${VAR} expanded', () => {
    const { ctx } = goApp(
      { ko_config: { base_image: BASE, env: ['CGO_ENABLED=0'], ldflags: ['-s -w', '-X main.version=${VERSION}'], flags: ['-tags=netgo'] } },
      { env: { VERSION: 'v1.2.3' } },
    );
    const inv = koInvocation(koBuildOptions(ctx), '/l');
    expect(parse(inv.configText)).toEqual({
      defaultEnv: ['CGO_ENABLED=0'],
      defaultLdflags: ['-s -w', '-X main.version=v1.2.3'],
      defaultFlags: ['-tags=netgo'],
    });
  });

  it('keeps the app own .ko.yaml (builds, overrides) in the generated one without touching it', () => {
    const leg = goApp({ ko_config: { base_image: BASE, ldflags: ['-s'] } });
    const own =
      'builds:\n  - id: hello\n    main: ./cmd/hello\n    env: [GOAMD64=v3]\nbaseImageOverrides:\n  example.com/app/cmd/x: 127.0.0.1:5000/other\n';
    leg.write({ '.ko.yaml': own });
    const user = readUserKoConfig(leg.ctx.sourceDir);
    expect(user?.file).toBe(join(leg.ctx.sourceDir, '.ko.yaml'));
    const inv = koInvocation(koBuildOptions(leg.ctx, user?.config), '/l', user?.config);
    expect(parse(inv.configText)).toEqual({ ...parse(own), defaultLdflags: ['-s'] });
    expect(inv.configPath.startsWith(leg.ctx.workDir)).toBe(true);
    expect(readFileSync(join(leg.ctx.sourceDir, '.ko.yaml'), 'utf8')).toBe(own);
  });

  it('names the unset variable of an ldflag', () => {
    const { ctx } = goApp({ ko_config: { base_image: BASE, ldflags: ['-X main.v=${NOT_SET_ANYWHERE}'] } }, { env: {} });
    expect(() => koBuildOptions(ctx)).toThrow(
      'ko_config.ldflags[0] (-X main.v=${NOT_SET_ANYWHERE}): ${NOT_SET_ANYWHERE} is not in the build environment',
    );
  });

  it('keeps an existing KOCACHE, and puts GOCACHE in the saved cache dir only on a runner', () => {
    const local = goApp({ ko_config: { base_image: BASE } }, { env: { KOCACHE: '/kc' } });
    expect(koBuildOptions(local.ctx).koCache).toBe('/kc');
    expect(koBuildOptions(local.ctx).env.GOCACHE).toBeUndefined();
    const runner = goApp({}, { onRunner: true, env: { GOCACHE: undefined } });
    expect(koBuildOptions(runner.ctx).env.GOCACHE).toBe(join(runner.ctx.cacheDir, 'go-build'));
    const own = goApp({}, { onRunner: true, env: { GOCACHE: '/gc' } });
    expect(koBuildOptions(own.ctx).env.GOCACHE).toBe('/gc');
  });
});

describe('resolveKoBaseImage', () => {
  it('prefers --base-image over ko_config.base_image', () => {
    const { ctx } = goApp(
      { ko_config: { base_image: 'registry.example.com/from-config' } },
      { baseImage: 'registry.example.com/from-flag' },
    );
    expect(resolveKoBaseImage(ctx, undefined)).toBe('registry.example.com/from-flag');
    ctx.options = {};
    expect(resolveKoBaseImage(ctx, undefined)).toBe('registry.example.com/from-config');
  });

  it('builds on the need the earlier wave pushed (issue 14), over --base-image and ko_config.base_image', () => {
    const { ctx } = goApp(
      { ko_config: { base_image: 'registry.example.com/from-config' } },
      { baseImage: 'registry.example.com/from-flag' },
    );
    ctx.needs = [{ name: 'base', ref: `127.0.0.1:5000/p/base@sha256:${'c'.repeat(64)}` }];
    expect(resolveKoBaseImage(ctx, undefined)).toBe(`127.0.0.1:5000/p/base@sha256:${'c'.repeat(64)}`);
  });

  it('builds on a need built without pushing through a KOCACHE of its own whose img layout lists just the base manifest', () => {
    const { ctx } = goApp({}, { env: { KOCACHE: '/shared-kocache' } });
    // The layout the base's leg kept: an index around the platform manifest (BuildKit with its
    // attestations writes one), which ko's cache lookup would not descend into.
    const layout = mkdtempSync(join(tmpdir(), 'hephy-base-layout-'));
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] });
    const hex = createHash('sha256').update(manifest).digest('hex');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(layout, 'blobs', 'sha256', hex), manifest);
    writeFileSync(join(layout, 'index.json'), '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json"}]}');
    ctx.needs = [{ name: 'base', ref: `127.0.0.1:5000/p/base@sha256:${hex}`, layout }];
    const options = koBuildOptions(ctx);
    // Never the shared cache: this leg's own, under its workDir.
    expect(options.koCache).toBe(join(ctx.workDir, 'kocache-layout-base'));
    expect(options.baseImage).toBe(`127.0.0.1:5000/p/base@sha256:${hex}`);
    seedKoBaseCache(layout, options.koCache!, `sha256:${hex}`);
    // ko v0.19.1 pkg/commands/cache.go: with KOCACHE set, $KOCACHE/img is the layout a base named
    // by digest is looked up in (partial.FindManifests over its index.json), its blobs read there.
    const img = join(options.koCache!, 'img');
    expect(JSON.parse(readFileSync(join(img, 'index.json'), 'utf8'))).toEqual({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex}`, size: manifest.length }],
    });
    expect(readFileSync(join(img, 'blobs', 'sha256', hex), 'utf8')).toBe(manifest);
    expect(koInvocation(options, '/tmp/layout').env.KOCACHE).toBe(options.koCache);
  });

  it('asks for a base image off a runner when ko has none of its own', () => {
    const { ctx } = goApp({}, { env: {} });
    expect(() => resolveKoBaseImage(ctx, undefined)).toThrow(UserError);
    expect(() => resolveKoBaseImage(ctx, undefined)).toThrow('ko needs a base image here: set ko_config.base_image or pass --base-image');
  });

  it("leaves the choice to ko on a runner, with KO_DEFAULTBASEIMAGE, or with the app's .ko.yaml default", () => {
    expect(resolveKoBaseImage(goApp({}, { onRunner: true }).ctx, undefined)).toBeUndefined();
    expect(resolveKoBaseImage(goApp({}, { env: { KO_DEFAULTBASEIMAGE: BASE } }).ctx, undefined)).toBeUndefined();
    expect(resolveKoBaseImage(goApp({}, { env: {} }).ctx, BASE)).toBeUndefined();
  });

  it('does not set KO_DEFAULTBASEIMAGE when ko chooses', () => {
    const { ctx } = goApp({}, { onRunner: true, env: {} });
    expect(koInvocation(koBuildOptions(ctx), '/l').env.KO_DEFAULTBASEIMAGE).toBeUndefined();
  });
});

describe('defaultImportPath', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'hephy-importpath-'));

  it('is ./cmd/NAME for one package under cmd/', () => {
    const d = dir();
    mkdirSync(join(d, 'cmd', 'server'), { recursive: true });
    writeFileSync(join(d, 'cmd', 'server', 'main.go'), 'package main\n');
    // A directory without Go files is no package (go help packages).
    mkdirSync(join(d, 'cmd', 'docs'), { recursive: true });
    expect(defaultImportPath(d)).toBe('./cmd/server');
  });

  it('lists the choices when cmd/ holds several packages', () => {
    const d = dir();
    for (const name of ['b', 'a']) {
      mkdirSync(join(d, 'cmd', name), { recursive: true });
      writeFileSync(join(d, 'cmd', name, 'main.go'), 'package main\n');
    }
    expect(() => defaultImportPath(d)).toThrow('cmd/ holds 2 packages: set it to one of ./cmd/a, ./cmd/b');
  });

  it('is . for Go files at the top, and an error for neither', () => {
    const d = dir();
    expect(() => defaultImportPath(d)).toThrow('ko_config.import_path is not set');
    writeFileSync(join(d, 'main.go'), 'package main\n');
    expect(defaultImportPath(d)).toBe('.');
  });
});

describe('pushLayoutArgs', () => {
  it('pushes the layout to repository@digest, which creates no tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(pushLayoutArgs({ layoutDir: '/l', repository: '127.0.0.1:5000/hephy/app', digest, insecure: true })).toEqual([
      'push',
      '--insecure',
      '/l',
      `127.0.0.1:5000/hephy/app@${digest}`,
    ]);
    expect(pushLayoutArgs({ layoutDir: '/l', repository: 'registry.example.com/app', digest, insecure: false })).toEqual([
      'push',
      '/l',
      `registry.example.com/app@${digest}`,
    ]);
  });
});

describe('koBackend with stand-in tools', () => {
  const DIGEST = `sha256:${'d'.repeat(64)}`;

  /** ko writes a one-image layout where --oci-layout-path says; crane logs its argv and echoes the reference. */
  function standIns(names: string[]): { path: string; craneLog: string; bin: string } {
    const bin = mkdtempSync(join(tmpdir(), 'hephy-ko-bin-'));
    const craneLog = join(bin, 'crane.log');
    const scripts: Record<string, string> = {
      ko: `#!/bin/sh
env > ${bin}/ko-$1.env
if [ "$1" = version ]; then echo v0.19.1; exit 0; fi
while [ $# -gt 0 ]; do if [ "$1" = --oci-layout-path ]; then layout=$2; fi; shift; done
mkdir -p "$layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${DIGEST}","size":1}]}' > "$layout/index.json"
`,
      go: '#!/bin/sh\nexit 0\n',
      crane: `#!/bin/sh
echo "$@" >> ${craneLog}
if [ "$1" = version ]; then echo v0.20.0; exit 0; fi
for last; do :; done
echo "$last"
`,
    };
    for (const name of names) {
      writeFileSync(join(bin, name), scripts[name]);
      chmodSync(join(bin, name), 0o755);
    }
    return { path: `${bin}:/usr/bin:/bin`, craneLog, bin };
  }

  it('with push off builds the layout, takes its digest and never needs or runs crane', async () => {
    const tools = standIns(['ko', 'go']);
    const { ctx, logs } = goApp({ ko_config: { base_image: BASE } }, { env: { PATH: tools.path, HOME: process.env.HOME }, push: false });
    await expect(koBackend.setup(ctx)).resolves.toBe('v0.19.1');
    await expect(koBackend.build(ctx)).resolves.toEqual({ digest: DIGEST, pushMs: 0 });
    expect(existsSync(tools.craneLog)).toBe(false);
    expect(logs.some((l) => l.includes('push disabled'))).toBe(true);
  });

  // Issue 8: ko's {{.Env.X}} templates and a cgo CC run by go see only what is passed on purpose.
  it('runs ko (and so go) with a scrubbed environment: no registry login, token, INPUT_* or ACTIONS_* value', async () => {
    const tools = standIns(['ko', 'go']);
    const secrets = {
      HEPHY_REGISTRY_PASSWORD: 'registry-password',
      HEPHY_REGISTRY_USERNAME: 'registry-user',
      INPUT_PASSWORD: 'input-password',
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token',
      GITHUB_TOKEN: 'workflow-token',
      GOOGLE_APPLICATION_CREDENTIALS: '/creds.json',
      CC: '/tmp/evil-cc',
    };
    const kept = { GOFLAGS: '-mod=mod', GOPROXY: 'off', KO_DATA_DATE_EPOCH: '1', SOURCE_DATE_EPOCH: '1700000000', DOCKER_CONFIG: '/dc' };
    const { ctx } = goApp(
      { ko_config: { base_image: BASE, env: ['CGO_ENABLED=0'] } },
      { env: { PATH: tools.path, HOME: '/home/builder', ...secrets, ...kept }, push: false, onRunner: true },
    );
    await koBackend.setup(ctx);
    await koBackend.build(ctx);
    for (const file of ['ko-version.env', 'ko-build.env']) {
      const seen = Object.fromEntries(
        readFileSync(join(tools.bin, file), 'utf8')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      for (const name of Object.keys(secrets)) expect(seen[name]).toBeUndefined();
      expect(Object.values(seen).join('\n')).not.toMatch(/registry-password|input-password|runtime-token|oidc-token|workflow-token/);
      expect(seen).toMatchObject({ PATH: tools.path, HOME: '/home/builder', ...kept });
      if (file === 'ko-build.env') {
        expect(seen).toMatchObject({
          KO_DOCKER_REPO: '127.0.0.1:5000/hephy/app',
          KO_DEFAULTBASEIMAGE: BASE,
          GOCACHE: join(ctx.cacheDir, 'go-build'),
        });
      }
    }
  });

  it('with push on pushes the layout with crane by digest', async () => {
    const tools = standIns(['ko', 'go', 'crane']);
    const { ctx } = goApp({ ko_config: { base_image: BASE } }, { env: { PATH: tools.path, HOME: process.env.HOME } });
    await koBackend.setup(ctx);
    await expect(koBackend.build(ctx)).resolves.toMatchObject({ digest: DIGEST });
    const pushes = readFileSync(tools.craneLog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('push '));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatch(new RegExp(`--insecure \\S+ 127\\.0\\.0\\.1:5000/hephy/app@${DIGEST}$`));
  });
});
