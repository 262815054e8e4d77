// The automatic platform build args that BuildKit's Dockerfile frontend defines for every build
// (moby/buildkit v0.32.2, frontend/dockerfile/dockerfile2llb/platform.go, defaultArgs), given to
// Kaniko as --build-arg: chainguard-dev/kaniko v1.25.5 defines none of them (no TARGETPLATFORM
// anywhere in its pkg/ or cmd/), so `ARG TARGETARCH` is empty there and `ARG TARGETARCH=amd64`
// keeps its default on every platform.
//
// As in BuildKit, they are visible only where the Dockerfile declares them with ARG (Kaniko
// follows Docker's build-arg rules, pkg/dockerfile/buildargs.go), and a build arg the user sets
// with the same name wins (BuildKit: the `overrides` of defaultArgs).
import { formatPlatform, isPlatformError, parsePlatform } from './platform.js';

/** The names, in BuildKit's order. */
export const AUTOMATIC_PLATFORM_ARGS = [
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDOSVERSION',
  'BUILDARCH',
  'BUILDVARIANT',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETOSVERSION',
  'TARGETARCH',
  'TARGETVARIANT',
  'TARGETSTAGE',
] as const;

function parts(platform: string): { os: string; arch: string; variant: string; formatted: string } {
  const parsed = parsePlatform(platform);
  if (isPlatformError(parsed)) throw new Error(`platform build args: ${parsed.error}`);
  // Normalised as containerd's platforms.Normalize, which BuildKit applies first: arm64/v8 is
  // arm64 (no variant), arm is arm/v7.
  return { os: parsed.os, arch: parsed.arch, variant: parsed.variant ?? '', formatted: formatPlatform(parsed) };
}

/**
 * KEY=VALUE for each automatic arg, e.g. for target linux/arm64 built on linux/amd64:
 * BUILDPLATFORM=linux/amd64, ..., TARGETPLATFORM=linux/arm64, TARGETARCH=arm64, TARGETVARIANT=,
 * TARGETSTAGE=default (the stage built; `default` when the config names none, as BuildKit).
 * Throws on a platform that does not parse (the plan has validated them all).
 */
export function platformBuildArgs(target: string, build: string, stage?: string): string[] {
  const t = parts(target);
  const b = parts(build);
  const values: Record<(typeof AUTOMATIC_PLATFORM_ARGS)[number], string> = {
    BUILDPLATFORM: b.formatted,
    BUILDOS: b.os,
    BUILDOSVERSION: '',
    BUILDARCH: b.arch,
    BUILDVARIANT: b.variant,
    TARGETPLATFORM: t.formatted,
    TARGETOS: t.os,
    TARGETOSVERSION: '',
    TARGETARCH: t.arch,
    TARGETVARIANT: t.variant,
    TARGETSTAGE: stage || 'default',
  };
  return AUTOMATIC_PLATFORM_ARGS.map((name) => `${name}=${values[name]}`);
}

/**
 * The platform of a machine from Node's process.arch (x64, arm64, arm, ia32, ppc64, s390x,
 * riscv64, loong64), for BUILDPLATFORM: where the build's own tools run. Node on ppc64 is
 * little-endian Linux only, hence ppc64le.
 */
export function platformOfNodeArch(nodeArch: string, os = 'linux'): string {
  const arch: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loong64',
  };
  return `${os}/${arch[nodeArch] ?? nodeArch}`;
}

/** A Dockerfile with the automatic args declared first, and how many lines that added. */
export interface DockerfileWithPlatformArgs {
  text: string;
  /** Lines inserted before the user's first instruction: subtract from a line number the tool reports. */
  addedLines: number;
}

// A parser directive: `# name=value` at the very top, before any other line (BuildKit
// frontend/dockerfile/parser/directives.go; Kaniko parses with the same package).
const DIRECTIVE = /^#\s*[A-Za-z][A-Za-z0-9_-]*\s*=.*$/;

/**
 * The Dockerfile with one global `ARG K=V ...` line holding the automatic args, after its parser
 * directives. A global ARG is how BuildKit itself provides them (dockerfile2llb starts the global
 * scope with defaultArgs, and a stage's `ARG TARGETARCH` without a default inherits it, while
 * `ARG TARGETARCH=amd64` keeps its default: convert.go dispatchArg); a --build-arg instead would
 * override that default, which BuildKit does not do. A global ARG of the same name in the user's
 * Dockerfile still redefines it, as in BuildKit, and a user build arg still wins over both.
 */
export function withGlobalPlatformArgs(dockerfile: string, args: string[]): DockerfileWithPlatformArgs {
  const lines = dockerfile.split('\n');
  let directives = 0;
  while (directives < lines.length && DIRECTIVE.test(lines[directives].replace(/\r$/, ''))) directives++;
  const declared = args.map((arg) => {
    const [key, ...rest] = arg.split('=');
    return `${key}="${rest.join('=')}"`;
  });
  const text = [...lines.slice(0, directives), `ARG ${declared.join(' ')}`, ...lines.slice(directives)].join('\n');
  return { text, addedLines: 1 };
}
