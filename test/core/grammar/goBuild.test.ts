// Allowlists of what ko_config may hand to go build (flags, ldflags, env): the refused entries are
// the ones that run a program or read files outside the repository. Flag names: `go help build`
// and `go tool link -help` (Go 1.26); ko passes flags and ldflags as they are (ko v0.19.1
// pkg/build/gobuild.go).
import { goEnvProblem, goFlagProblem, ldflagsProblem, splitQuoted } from '../../../src/core/grammar/goBuild.js';

describe('goFlagProblem', () => {
  test.each(['-trimpath', '-tags=netgo,osusergo', '-mod=readonly', '-buildvcs=false', '-p=4', '--trimpath', '-race'])(
    'allows %s',
    (flag) => {
      expect(goFlagProblem(flag)).toBeUndefined();
    },
  );
  test.each([
    ['-toolexec=/bin/sh', /runs another program/],
    ['-exec=x', /runs another program/],
    ['-overlay=/etc/overlay.json', /outside the repository/],
    ['-modfile=/tmp/go.mod', /go.mod from anywhere/],
    ['-o=/tmp/x', /ko chooses/],
    ['-C=/', /directory/],
    ['-ldflags=-extld=sh', /ko_config.ldflags/],
    ['-gcflags=all=-importcfg=/etc/passwd', /anywhere/],
    ['-tags', /one entry/],
    ['-tags=a b', /expected -tags=LIST/],
    ['-mod=anything', /readonly\|vendor\|mod/],
    ['-trimpath=yes', /takes no value/],
    ['trimpath', /not a flag/],
    ['-unknownflag', /not allowed/],
  ])('refuses %s', (flag, why) => {
    expect(goFlagProblem(flag)).toMatch(why);
  });
});

describe('ldflagsProblem', () => {
  test.each(['-s -w', '-X main.version=v1.0.0', '-X=main.version=v1', "-X 'main.msg=hello world'", '-buildid='])('allows %j', (entry) => {
    expect(ldflagsProblem(entry)).toBeUndefined();
  });
  test.each([
    ['-extld=/bin/sh', /-extld is not allowed/],
    ['-s -extldflags "-Wl,@/etc/passwd"', /-extldflags is not allowed/],
    ['-linkmode external', /-linkmode is not allowed/],
    ['-X', /needs a value/],
    ['-X -s', /needs a value/],
    ['main.version=v1', /not a linker flag/],
    ['-r /tmp', /-r is not allowed/],
    ["-X 'unterminated", /unterminated/],
  ])('refuses %j', (entry, why) => {
    expect(ldflagsProblem(entry)).toMatch(why);
  });
  test('splits words the way cmd/internal/quoted.Split does', () => {
    expect(splitQuoted(`-X 'a=b c' -X "d=e"  -s`)).toEqual(['-X', 'a=b c', '-X', 'd=e', '-s']);
  });
});

describe('goEnvProblem', () => {
  test.each([
    'GOFLAGS',
    'GOTOOLCHAIN',
    'GOPROXY',
    'GONOSUMDB',
    'GOSUMDB',
    'GOINSECURE',
    'PATH',
    'LD_PRELOAD',
    'GOOS',
    'GOARCH',
    'GOCACHEPROG',
  ])('refuses %s', (name) => {
    expect(goEnvProblem(name)).toMatch(/may not be set/);
  });
  test.each(['CGO_ENABLED', 'GOAMD64', 'GOARM', 'GOEXPERIMENT', 'APP_VERSION'])('allows %s', (name) => {
    expect(goEnvProblem(name)).toBeUndefined();
  });
});
