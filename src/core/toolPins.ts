// The versions of the tools hephy-builder runs or installs, from the one pin file (tool-pins.json
// at the repository root), which scripts/install-tools.sh and scripts/kaniko-image.sh read as well
// (scripts/lib/pins.sh). Pure data, so in the core: the tool wrappers, the action's tool setup and
// the workflow generator all read it here. The import puts the file into the ncc bundles.
import pins from '../../tool-pins.json' with { type: 'json' };

/** A Go tool: `go install MODULE/PACKAGE@VERSION` (build: install) or a build inside its source (src). */
export interface GoToolPin {
  module: string;
  /** Packages relative to the module ('.' for the module itself), one per binary. */
  packages: string[];
  binaries: string[];
  version: string;
  /**
   * The module zip's checksum (`h1:...`), as `go mod download -json MODULE@VERSION` reports it in
   * `.Sum` once the Go checksum database has verified it. Installs compare it; on runners it keys
   * the tool cache and a restored binary's `go version -m` must show it (go install records it).
   */
  sum: string;
  /** -ldflags template: @V@ is the version, @REV@ the tag's commit. */
  ldflags?: string;
  cgo?: string;
  build: string;
  minutes: number;
}

export const GO_TOOL_PINS: Readonly<Record<string, GoToolPin>> = pins.go;

/** The pinned Go tool `name`, or an error naming the pin file. */
export function goToolPin(name: string): GoToolPin {
  const pin = GO_TOOL_PINS[name];
  if (!pin) throw new Error(`tool-pins.json pins no Go tool named ${name}`);
  return pin;
}

/** The import path of a package of a Go tool, e.g. github.com/google/go-containerregistry/cmd/crane. */
export function goPackagePath(pin: Pick<GoToolPin, 'module'>, pkg: string): string {
  return pkg === '.' ? pin.module : `${pin.module}/${pkg}`;
}

/** What `go install` takes for a one-binary Go tool: its package path and version. */
export function goInstallTarget(name: string): { name: string; module: string; version: string } {
  const pin = goToolPin(name);
  return { name, module: goPackagePath(pin, pin.packages[0]), version: pin.version };
}

/** The Kaniko executor version (chainguard-dev/kaniko) that scripts/kaniko-image.sh builds. */
/** Every pinned tool and its version (Go tools, Spin, the BuildKit image), as provenance lists them. */
export function pinnedToolVersions(): Record<string, string> {
  const go = Object.fromEntries(Object.entries(GO_TOOL_PINS).map(([name, pin]) => [name, pin.version]));
  return { ...go, spin: pins.spin.version, buildkitImage: `${pins.buildkitImage.version}@${pins.buildkitImage.digest}` };
}

export const KANIKO_VERSION = goToolPin('kaniko').version;

/** The Spin CLI release installed on runners. */
export const SPIN_VERSION = pins.spin.version;

/**
 * The Go toolchain of Spin legs: Spin apps built with Go's wasip1 port (examples/spin-go) give the
 * same component bytes, so the same digest, only with the same Go. The runner's go command fetches
 * it as the module golang.org/toolchain and checks it against the Go checksum database
 * (https://go.dev/doc/toolchain#download); `+auto` still lets an app whose go.mod asks for a newer
 * Go get that one. Keep equal to the `toolchain` line of examples/spin-go/go.mod (a test checks).
 */
export const SPIN_GO_TOOLCHAIN = pins.spin.goToolchain;

/** SHA-256 of spin-<version>-linux-<arch>.tar.gz per version and arch (arch as Spin names it). */
export const SPIN_CHECKSUMS: Readonly<Record<string, Readonly<Record<string, string>>>> = { [pins.spin.version]: pins.spin.sha256 };

/**
 * The BuildKit image of the docker-container builder the action creates on runners, by version
 * and by the digest of its multi-platform index: `moby/buildkit:v0.32.2@sha256:...`.
 */
export const BUILDKIT_IMAGE = `${pins.buildkitImage.image}:${pins.buildkitImage.version}@${pins.buildkitImage.digest}`;

/** The QEMU package legs on a foreign platform install: its name and apt version (a glob) per `ID VERSION_ID`. */
export const QEMU_PIN: Readonly<{ package: string; versions: Readonly<Record<string, string>> }> = {
  package: pins.qemu.package,
  versions: pins.qemu.versions,
};
