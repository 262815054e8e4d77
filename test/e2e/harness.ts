// What end-to-end tests share: the services started by globalSetup, and registry inspection.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/tools/exec.js';

export interface E2EServices {
  registry: string;
  kanikoImage: string;
  busybox: string;
  staticBase: string;
}

export function services(): E2EServices {
  const registry = process.env.HEPHY_E2E_REGISTRY;
  if (!registry) throw new Error('HEPHY_E2E_REGISTRY is unset: run e2e tests with `npm run test:e2e` (its globalSetup starts the services)');
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

/** Extracts one file of an image's filesystem into dir; resolves to its path. */
export async function extractFile(ref: string, pathInImage: string, dir: string): Promise<string> {
  const tarball = join(dir, 'fs.tar');
  await run('bash', ['-c', 'crane export --insecure "$1" "$2"', '_', ref, tarball]);
  await run('tar', ['-xf', tarball, '-C', dir, pathInImage.replace(/^\//, '')]);
  return join(dir, pathInImage.replace(/^\//, ''));
}

/** `file -b` of a path, e.g. "ELF 64-bit LSB executable, ARM aarch64 ...". */
export async function fileType(path: string): Promise<string> {
  return (await run('file', ['-b', path])).stdout.trim();
}
