// The architecture check as the backends run it: on the OCI layout of the built image, before
// anything of it is pushed (ko, Kaniko) or before the leg may succeed (BuildKit pushes by digest
// in the same build: no tag exists until the merge, which never tags an image with a failed leg).
// `verify_arch: false` in the config turns it off. Layers found clean are remembered per
// architecture in the backend's cache dir, so a warm leg reads only the layers that changed.
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ArchInspector, ArchMismatchError, HEADER_BYTES, archCheckReason, configPlatformReason } from '../core/archCheck.js';
import { spinComponentSources } from '../core/inputs/spinManifest.js';
import { platformSlug } from '../core/platform.js';
import { messageOf } from '../core/problem.js';
import { firstBytes, scanLayoutImage } from '../tools/imageScan.js';
import type { LegContext } from './backend.js';

/** Lines kept in a clean-layer list: enough for many images' layers, small enough to read in a blink. */
const MAX_REMEMBERED = 4000;

/** True unless the config says `verify_arch: false`. */
export function archCheckEnabled(ctx: Pick<LegContext, 'spec'>): boolean {
  return ctx.spec.config.verify_arch !== false;
}

function cleanListFile(ctx: Pick<LegContext, 'cacheDir' | 'leg'>): string {
  return join(ctx.cacheDir, 'arch-check', `clean-${platformSlug(ctx.leg.platform)}.txt`);
}

function readCleanList(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^sha256:[a-f0-9]{64}$/.test(line)),
  );
}

function remember(file: string, known: Set<string>, clean: string[]): void {
  const fresh = clean.filter((digest) => !known.has(digest));
  if (fresh.length === 0) return;
  mkdirSync(join(file, '..'), { recursive: true });
  if (known.size + fresh.length > MAX_REMEMBERED) {
    writeFileSync(file, [...known, ...fresh].slice(-MAX_REMEMBERED / 2).join('\n') + '\n');
  } else {
    appendFileSync(file, fresh.join('\n') + '\n');
  }
}

/**
 * Checks the image `digest` of the layout for the leg's platform. Resolves to the milliseconds it
 * took (undefined when off); rejects with an ArchMismatchError naming up to 5 offending files.
 */
export async function verifyLayoutArch(
  ctx: Pick<LegContext, 'spec' | 'leg' | 'cacheDir' | 'log'>,
  layoutDir: string,
  digest: string,
): Promise<number | undefined> {
  if (!archCheckEnabled(ctx)) {
    ctx.log('architecture check off (verify_arch: false)');
    return undefined;
  }
  const started = Date.now();
  const listFile = cleanListFile(ctx);
  const known = readCleanList(listFile);
  let scan;
  try {
    scan = await scanLayoutImage(layoutDir, digest, ctx.leg.platform, { knownClean: known });
  } catch (error) {
    throw new Error(`architecture check: cannot read the built image in ${layoutDir}: ${messageOf(error)}`);
  }
  const ms = Date.now() - started;
  // The config's platform is what a runtime matches when it pulls; the files are what it then runs.
  const reasons = [configPlatformReason(scan.config, ctx.leg.platform), archCheckReason(scan)].filter(Boolean);
  if (reasons.length > 0) throw new ArchMismatchError(reasons.join('; '));
  try {
    remember(listFile, known, scan.cleanLayers);
  } catch {
    // A cache that cannot be written costs time on the next leg, nothing else.
  }
  ctx.log(
    `architecture check: ${scan.inspected} executable(s) and librar(ies) match ${scan.platform} (${scan.layersRead} layer(s) read, ${known.size > 0 ? 'others known clean, ' : ''}${ms} ms)`,
  );
  return ms;
}

/**
 * The architecture check of a Spin app before it is pushed: every local component source the
 * manifest names must be WebAssembly (the `\0asm` magic of modules and components alike).
 * Resolves to the milliseconds it took (undefined when off); rejects with an ArchMismatchError.
 * A source outside the app's directory is not read (config is untrusted input).
 */
export function verifySpinArtifacts(
  ctx: Pick<LegContext, 'spec' | 'leg' | 'log' | 'sourceDir'>,
  manifestDir: string,
  manifestText: string,
): number | undefined {
  if (!archCheckEnabled(ctx)) {
    ctx.log('architecture check off (verify_arch: false)');
    return undefined;
  }
  const started = Date.now();
  const inspector = new ArchInspector(ctx.leg.platform);
  const root = realpathSync(ctx.sourceDir);
  let sources: string[];
  try {
    sources = spinComponentSources(manifestText);
  } catch {
    sources = []; // not TOML: spin build has refused it already
  }
  for (const source of sources) {
    let file: string;
    try {
      file = realpathSync(resolve(manifestDir, source));
    } catch {
      continue; // spin build has failed on it already, or will say so
    }
    const rel = relative(root, file);
    if (rel.startsWith('..') || isAbsolute(rel) || !statSync(file).isFile()) continue;
    inspector.inspectWasm(source, firstBytes(file, HEADER_BYTES));
  }
  const result = inspector.result();
  const reason = archCheckReason(result);
  if (reason) throw new ArchMismatchError(reason);
  const ms = Date.now() - started;
  ctx.log(`architecture check: ${result.inspected} component(s) are WebAssembly (${ms} ms)`);
  return ms;
}
