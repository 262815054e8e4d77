import { AUTOMATIC_PLATFORM_ARGS, platformBuildArgs, platformOfNodeArch, withGlobalPlatformArgs } from '../../src/core/platformArgs.js';

// What BuildKit sets: moby/buildkit v0.32.2 frontend/dockerfile/dockerfile2llb/platform.go
// (defaultArgs), on platforms normalised by containerd/platforms (arm64/v8 -> arm64, arm -> arm/v7).
describe('platformBuildArgs', () => {
  it('gives every automatic arg of BuildKit, in its order, for the target and the build machine', () => {
    expect(platformBuildArgs('linux/arm64', 'linux/amd64')).toEqual([
      'BUILDPLATFORM=linux/amd64',
      'BUILDOS=linux',
      'BUILDOSVERSION=',
      'BUILDARCH=amd64',
      'BUILDVARIANT=',
      'TARGETPLATFORM=linux/arm64',
      'TARGETOS=linux',
      'TARGETOSVERSION=',
      'TARGETARCH=arm64',
      'TARGETVARIANT=',
      'TARGETSTAGE=default',
    ]);
    expect(AUTOMATIC_PLATFORM_ARGS).toHaveLength(11);
  });

  it('normalises variants as containerd does, and names the target stage', () => {
    const args = platformBuildArgs('linux/arm', 'linux/arm64/v8', 'runtime');
    expect(args).toContain('TARGETPLATFORM=linux/arm/v7');
    expect(args).toContain('TARGETVARIANT=v7');
    expect(args).toContain('BUILDPLATFORM=linux/arm64');
    expect(args).toContain('BUILDVARIANT=');
    expect(args).toContain('TARGETSTAGE=runtime');
    expect(platformBuildArgs('linux/amd64/v3', 'linux/amd64')).toContain('TARGETPLATFORM=linux/amd64/v3');
  });

  it('throws on a platform that does not parse', () => {
    expect(() => platformBuildArgs('linux/amd65', 'linux/amd64')).toThrow(/platform build args/);
  });
});

describe('platformOfNodeArch', () => {
  it("maps Node's process.arch to the OCI platform", () => {
    expect(platformOfNodeArch('x64')).toBe('linux/amd64');
    expect(platformOfNodeArch('arm64')).toBe('linux/arm64');
    expect(platformOfNodeArch('ppc64')).toBe('linux/ppc64le');
    expect(platformOfNodeArch('ia32')).toBe('linux/386');
  });
});

describe('withGlobalPlatformArgs', () => {
  const args = platformBuildArgs('linux/arm64', 'linux/amd64');

  it('declares the args in one global ARG line after the parser directives, keeping line numbers one off', () => {
    const out = withGlobalPlatformArgs('# syntax=docker/dockerfile:1\n# escape=\\\nFROM scratch\nARG TARGETARCH\n', args);
    const lines = out.text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['# syntax=docker/dockerfile:1', '# escape=\\']);
    expect(lines[2]).toBe(
      'ARG BUILDPLATFORM="linux/amd64" BUILDOS="linux" BUILDOSVERSION="" BUILDARCH="amd64" BUILDVARIANT="" TARGETPLATFORM="linux/arm64" TARGETOS="linux" TARGETOSVERSION="" TARGETARCH="arm64" TARGETVARIANT="" TARGETSTAGE="default"',
    );
    expect(lines.slice(3)).toEqual(['FROM scratch', 'ARG TARGETARCH', '']);
    expect(out.addedLines).toBe(1);
  });

  it('puts the line first when the Dockerfile has no directive (a comment is no directive)', () => {
    const out = withGlobalPlatformArgs('# just a comment\nFROM scratch\n', args);
    expect(out.text.split('\n')[0]).toMatch(/^ARG BUILDPLATFORM=/);
    expect(out.text.split('\n')[1]).toBe('# just a comment');
  });
});
