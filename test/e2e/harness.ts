// What end-to-end tests share: the services started by globalSetup, and registry inspection.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/tools/exec.js';
import { main } from '../../src/cli/main.js';

export interface E2EServices {
  registry: string;
  kanikoImage: string;
  busybox: string;
  staticBase: string;
}

export function services(): E2EServices {
  const registry = process.env.HEPHY_E2E_REGISTRY;
  if (!registry)
    throw new Error('HEPHY_E2E_REGISTRY is unset: run e2e tests with `npm run test:e2e` (its globalSetup starts the services)');
  return {
    registry,
    kanikoImage: process.env.HEPHY_E2E_KANIKO_IMAGE ?? '',
    busybox: process.env.HEPHY_E2E_BUSYBOX ?? '',
    staticBase: process.env.HEPHY_E2E_STATIC ?? '',
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hephy-${prefix}-`));
}

/** The raw manifest or index at a reference, read with crane over plain http. */
export async function rawManifest(ref: string): Promise<Record<string, any>> {
  const { stdout } = await run('crane', ['manifest', '--insecure', ref]);
  return JSON.parse(stdout);
}

/** The image config (os, architecture, ...) of a single-platform reference. */
export async function imageConfig(ref: string): Promise<Record<string, any>> {
  const { stdout } = await run('crane', ['config', '--insecure', ref]);
  return JSON.parse(stdout);
}

/**
 * Extracts one file of an image's filesystem into dir; resolves to its path. The image may be a
 * multi-arch index when `platform` says which manifest to read. ko writes absolute member names
 * (`/ko-app/hello`) and everything else relative ones, and GNU tar matches neither spelling for
 * the other, so the member is looked up in the listing first.
 */
export async function extractFile(ref: string, pathInImage: string, dir: string, platform?: string): Promise<string> {
  const tarball = join(dir, 'fs.tar');
  await run('crane', ['export', '--insecure', ...(platform ? ['--platform', platform] : []), ref, tarball]);
  const relativePath = pathInImage.replace(/^\/+/, '');
  const members = (await run('tar', ['-tf', tarball])).stdout.split('\n');
  const member = members.find((m) => m.replace(/^(\.?\/)+/, '') === relativePath);
  if (!member) throw new Error(`${ref}${platform ? ` (${platform})` : ''} has no ${pathInImage}`);
  // GNU tar strips the leading / on extraction, so the file lands under dir either way.
  await run('tar', ['-xf', tarball, '-C', dir, member]);
  return join(dir, relativePath);
}

/** `file -b` of a path, e.g. "ELF 64-bit LSB executable, ARM aarch64 ...". */
export async function fileType(path: string): Promise<string> {
  return (await run('file', ['-b', path])).stdout.trim();
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (the TypeScript sources, so no stale bundle) with captured output. */
export async function runCli(argv: string[], cwd = process.cwd()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    cwd,
    env: process.env,
  });
  return { code, stdout, stderr };
}

/** The digest a reference resolves to, or undefined when the registry has no such tag. */
export async function tagDigest(ref: string): Promise<string | undefined> {
  const result = await run('crane', ['digest', '--insecure', ref], { allowFailure: true });
  if (result.code === 0) return result.stdout.trim();
  if (/MANIFEST_UNKNOWN|NAME_UNKNOWN|manifest unknown|not found/i.test(result.stderr)) return undefined;
  throw new Error(`crane digest ${ref} failed: ${result.stderr.trim()}`);
}

export interface IndexEntry {
  /** os/architecture[/variant], as in the index. */
  platform: string;
  digest: string;
}

/** The platform manifests an image index lists (attestations have platform unknown/unknown). */
export function indexEntries(index: Record<string, any>): IndexEntry[] {
  const manifests: any[] = Array.isArray(index.manifests) ? index.manifests : [];
  return manifests.map((m) => ({
    platform: [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/'),
    digest: m.digest,
  }));
}
