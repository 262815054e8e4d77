// The Spin CLI: its pinned release, how to install it, and its build/push command lines.
//
// Flags (spinframework/spin v3.4.0 src/commands/{build,registry}.rs): `spin build --from MANIFEST`
// and `spin registry push --from MANIFEST [--insecure] [--annotation KEY=VALUE]... REFERENCE`.
// --insecure makes Spin's OCI client speak plain http (ClientProtocol::Http), which a local
// registry needs. --annotation (registry.rs:74-77, parsed by spin_common::arg_parser::parse_kv:
// split at the first '=') sets a manifest annotation; an explicit one wins over the ones Spin
// infers (crates/oci/src/client.rs:833-893 all_annotations), and without one Spin stamps
// org.opencontainers.image.created with the time of the push, so no two pushes share a digest.
// Registry auth: Spin's own `spin registry login` store first, then the docker config
// (DOCKER_CONFIG). The push prints "Pushed with digest sha256:..." when the registry returns the
// manifest URL with a digest.
//
// The pinned release and its checksums are in tool-pins.json (src/core/toolPins.ts).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIGEST_PATTERN } from '../core/oci.js';
import { UserError } from '../core/problem.js';
import { downloadVerified, type DownloadOptions } from './download.js';
import { run, type Runner } from './exec.js';
import { SPIN_CHECKSUMS, SPIN_VERSION } from '../core/toolPins.js';

export type Download = (url: string, sha256: string, dest: string, options?: DownloadOptions) => Promise<string>;

export type SpinArch = 'amd64' | 'aarch64';

export function spinTarball(version: string, arch: SpinArch): string {
  return `spin-${version}-linux-${arch}.tar.gz`;
}

export function spinReleaseUrl(version: string, arch: SpinArch): string {
  return `https://github.com/spinframework/spin/releases/download/${version}/${spinTarball(version, arch)}`;
}

/** Spin's name for this machine's architecture (Node's process.arch in, release suffix out). */
export function spinArch(nodeArch: string = process.arch): SpinArch {
  if (nodeArch === 'x64') return 'amd64';
  if (nodeArch === 'arm64') return 'aarch64';
  throw new UserError(`Spin publishes no Linux release for this machine's architecture (${nodeArch})`);
}

export function pinnedChecksum(version: string, arch: SpinArch): string {
  const sha = SPIN_CHECKSUMS[version]?.[arch];
  if (!sha) throw new UserError(`no pinned checksum for spin ${version} on ${arch}`);
  return sha;
}

export interface InstallSpinOptions {
  version?: string;
  arch?: SpinArch;
  /** Where to get the release and its SHA-256; default: the pinned GitHub release of version and arch. */
  release?: { url: string; sha256: string };
  /** Holds the tarball and the unpacked binary; the caller caches it between runs. */
  dir: string;
  download?: Download;
  runner?: Runner;
  log?: (line: string) => void;
}

/**
 * Installs the pinned Spin release into dir; resolves to the binary's path. dir is a cache that
 * may have been restored from anywhere (@actions/cache on runners), so nothing in it is trusted:
 * the tarball is hashed again (and fetched again when it does not match), and the binary is
 * unpacked again from it, every time, before anything runs it.
 */
export async function installSpin(o: InstallSpinOptions): Promise<string> {
  const version = o.version ?? SPIN_VERSION;
  const arch = o.arch ?? spinArch();
  const release = o.release ?? { url: spinReleaseUrl(version, arch), sha256: pinnedChecksum(version, arch) };
  const binDir = join(o.dir, `spin-${version}-linux-${arch}`);
  const binary = join(binDir, 'spin');
  const tarball = await (o.download ?? downloadVerified)(release.url, release.sha256, join(o.dir, spinTarball(version, arch)), {
    log: o.log,
    timeoutMs: 10 * 60 * 1000,
  });
  // The tarball was just verified (or found verified in the cache): unpacking again is cheap and
  // guarantees the binary matches it.
  mkdirSync(binDir, { recursive: true });
  await (o.runner ?? run)('tar', ['-xzf', tarball, '-C', binDir, 'spin']);
  if (!existsSync(binary)) throw new Error(`${spinTarball(version, arch)} holds no spin binary`);
  return binary;
}

/** "spin 3.4.0 (abc1234 2025-...)" -> "3.4.0". */
export function parseSpinVersion(stdout: string): string {
  return /spin\s+v?(\d+\.\d+\.\d+\S*)/.exec(stdout)?.[1] ?? stdout.trim().split('\n')[0];
}

export function spinBuildArgs(manifest: string): string[] {
  return ['build', '--from', manifest];
}

/** An OCI annotation: key and value. */
export type Annotation = readonly [key: string, value: string];

/**
 * Each annotation goes as one `--annotation=KEY=VALUE` argument: the `=` form keeps a value that
 * starts with `-` a value, and parse_kv splits at the first `=`, so a key never holds one.
 */
export function spinPushArgs(manifest: string, reference: string, insecure: boolean, annotations: readonly Annotation[] = []): string[] {
  const flags = annotations.map(([key, value]) => {
    if (!key || key.includes('=')) throw new Error(`spin: annotation key "${key}" must be non-empty and hold no "="`);
    return `--annotation=${key}=${value}`;
  });
  return ['registry', 'push', '--from', manifest, ...(insecure ? ['--insecure'] : []), ...flags, reference];
}

/** The digest `spin registry push` reports, if the registry told it. */
export function parsePushedDigest(stdout: string): string | undefined {
  return new RegExp(`Pushed with digest (${DIGEST_PATTERN})`).exec(stdout)?.[1];
}
