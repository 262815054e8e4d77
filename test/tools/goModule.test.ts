// go version -m of the real binaries scripts/install-tools.sh built: ko with `go install` (module,
// version and h1: checksum recorded), the Kaniko executor inside its module's source (`(devel)`,
// the version in -ldflags). Format: Go 1.26 src/runtime/debug/mod.go (BuildInfo.String).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GO_TOOL_PINS } from '../../src/core/toolPins.js';
import {
  buildInfoMismatch,
  goToolBuildFlags,
  parseGoBuildInfo,
  pinLdflags,
  readGoBuildInfo,
  versionLdflag,
} from '../../src/tools/goModule.js';
import { tempDir } from '../helpers/gitRepo.js';

const HEPHY_BIN = process.env.HEPHY_BIN ?? join(homedir(), '.local/hephy-builder/bin');
const env = { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH ?? ''}` };

describe('build info', () => {
  it('parses go version -m: path, mod with checksum, quoted build settings', () => {
    const info = parseGoBuildInfo(
      'ko: go1.26.8\n\tpath\tgithub.com/google/ko\n\tmod\tgithub.com/google/ko\tv0.19.1\th1:abc=\n\tdep\tx.y/z\tv1.0.0\th1:def=\n\tbuild\t-ldflags="-X a.b=c -X d.e=f"\n\tbuild\tCGO_ENABLED=0\n',
    );
    expect(info).toEqual({
      goVersion: 'go1.26.8',
      path: 'github.com/google/ko',
      main: { path: 'github.com/google/ko', version: 'v0.19.1', sum: 'h1:abc=' },
      deps: [{ path: 'x.y/z', version: 'v1.0.0', sum: 'h1:def=' }],
      settings: { '-ldflags': '-X a.b=c -X d.e=f', CGO_ENABLED: '0' },
    });
  });

  it('finds the real ko to be the pinned go install build', async () => {
    expect(buildInfoMismatch(await readGoBuildInfo(join(HEPHY_BIN, 'ko'), env), GO_TOOL_PINS.ko, '.')).toBeUndefined();
  });

  it('finds the real Kaniko executor to be the pinned source build (devel, version ldflag, CGO_ENABLED=0)', async () => {
    const info = await readGoBuildInfo(join(HEPHY_BIN, 'executor'), env);
    expect(info.main?.version).toBe('(devel)');
    expect(buildInfoMismatch(info, GO_TOOL_PINS.kaniko, 'cmd/executor')).toBeUndefined();
    const older = { ...GO_TOOL_PINS.kaniko, version: 'v1.25.4' };
    expect(buildInfoMismatch(info, older, 'cmd/executor')).toBe(
      'its -ldflags do not set github.com/chainguard-dev/kaniko/pkg/version.version=v1.25.4',
    );
    expect(buildInfoMismatch(info, GO_TOOL_PINS.kaniko, 'cmd/warmer')).toContain(
      'its main package is github.com/chainguard-dev/kaniko/cmd/executor',
    );
  });

  it('fills the ldflags template', () => {
    expect(versionLdflag(GO_TOOL_PINS.buildkit)).toBe(`-X github.com/moby/buildkit/version.Version=${GO_TOOL_PINS.buildkit.version}`);
    expect(pinLdflags(GO_TOOL_PINS.buildkit, 'abc123')).toContain('version.Revision=abc123');
  });
});

describe('goToolBuildFlags with the real go command', () => {
  // A source build as installGoTool makes one (go build inside the module, GOFLAGS=-buildvcs=false),
  // then the check a runner makes of it. The bug this guards: the flags had -trimpath, the go
  // command then records no -ldflags, and every Kaniko executor built on a runner was refused.
  const pin = {
    module: 'example.com/tool',
    packages: ['.'],
    binaries: ['tool'],
    version: 'v9.9.9',
    sum: 'h1:unused=',
    ldflags: '-X main.version=@V@',
    build: 'src',
    minutes: 1,
  };
  function build(flags: string[]): string {
    const dir = tempDir('hephy-go-flags-');
    writeFileSync(join(dir, 'go.mod'), 'module example.com/tool\n\ngo 1.22\n');
    writeFileSync(join(dir, 'main.go'), 'package main\n\nvar version string\n\nfunc main() { println(version) }\n');
    mkdirSync(join(dir, 'bin'));
    execFileSync('go', ['build', ...flags, '-o', join(dir, 'bin') + '/', '.'], { cwd: dir, env: { ...env, GOFLAGS: '-buildvcs=false' } });
    return join(dir, 'bin', 'tool');
  }

  it('builds a binary whose build info proves the pinned version', async () => {
    const info = await readGoBuildInfo(build(goToolBuildFlags(pinLdflags(pin))), env);
    expect(info.settings['-ldflags']).toBe('-X main.version=v9.9.9');
    expect(buildInfoMismatch(info, pin, '.')).toBeUndefined();
  });

  it('(why not -trimpath) with -trimpath the go command records no -ldflags, and the check refuses the build', async () => {
    const info = await readGoBuildInfo(build(['-trimpath', ...goToolBuildFlags(pinLdflags(pin))]), env);
    expect(info.settings['-ldflags']).toBeUndefined();
    expect(buildInfoMismatch(info, pin, '.')).toBe('its -ldflags do not set main.version=v9.9.9');
  });
});
