// Streams the layers of an image in an OCI layout (what ko, Kaniko and BuildKit's oci exporter
// write before or beside the push) through the architecture check of src/core/archCheck.ts.
//
// Cost: each layer is decompressed once, as a stream (gzip with node's zlib, zstd with fzstd), and
// of each regular file only its first 20 bytes are looked at (the ELF header up to e_machine);
// the rest of the file is skipped as it streams by. The scan stops as soon as the check has enough
// offending files to name. Layers known clean for this architecture (by digest: content-addressed,
// so a base image's layers are checked once per cache) are not read again.
//
// What the image's filesystem holds is what is checked: layers are read from the top down, and a
// file that an upper layer replaced, deleted (a `.wh.<name>` whiteout) or hid (an opaque directory,
// `.wh..wh..opq`) is not looked at, as the OCI image spec's layer rules say (image-spec layer.md,
// "Whiteouts"). Whiteout entries themselves are markers, not files.
import { closeSync, createReadStream, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { extract, type Entry } from 'tar-stream';
import { ArchInspector, HEADER_BYTES, type ArchCheckResult, type ConfigPlatform } from '../core/archCheck.js';
import type { ManifestDocument } from '../core/oci.js';

export interface LayerScanOptions {
  /** Digests of layers already found clean for this architecture: not read again. */
  knownClean?: ReadonlySet<string>;
}

export interface ImageScan extends ArchCheckResult {
  /** The platform fields of the image's config blob. */
  config: ConfigPlatform;
  /** Layers read (not counting those skipped as known clean). */
  layersRead: number;
  /** Digests of the layers read that hold no offending file (hidden ones included): worth remembering. */
  cleanLayers: string[];
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/** `./usr/bin/x`, `/usr/bin/x/` -> `usr/bin/x`. */
function normalizeName(name: string): string {
  return name.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The paths upper layers took away from lower ones. */
class Shadow {
  private readonly taken = new Set<string>();
  private readonly directories = new Set<string>();
  private readonly deleted = new Set<string>();
  private readonly opaque = new Set<string>();
  // A layer's marks apply only to the layers below it: kept apart until the layer ends.
  private pending = { taken: [] as string[], directories: [] as string[], deleted: [] as string[], opaque: [] as string[] };

  /** Records an entry of the current layer; returns true when it is a whiteout marker. */
  note(path: string, directory: boolean): boolean {
    const base = baseOf(path);
    if (base === OPAQUE_MARKER) {
      this.pending.opaque.push(parentOf(path));
      return true;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const parent = parentOf(path);
      const name = base.slice(WHITEOUT_PREFIX.length);
      this.pending.deleted.push(parent ? `${parent}/${name}` : name);
      return true;
    }
    this.pending.taken.push(path);
    if (directory) this.pending.directories.push(path);
    return false;
  }

  /** Is this path of the current layer hidden by an upper layer? */
  hides(path: string): boolean {
    if (this.taken.has(path) || this.deleted.has(path)) return true;
    for (let dir = parentOf(path); dir !== ''; dir = parentOf(dir)) {
      if (this.deleted.has(dir) || this.opaque.has(dir)) return true;
      // An upper layer put a file or symlink where this path has a directory: the path is gone.
      if (this.taken.has(dir) && !this.directories.has(dir)) return true;
    }
    return this.opaque.has('');
  }

  endLayer(): void {
    for (const p of this.pending.taken) this.taken.add(p);
    for (const p of this.pending.directories) this.directories.add(p);
    for (const p of this.pending.deleted) this.deleted.add(p);
    for (const p of this.pending.opaque) this.opaque.add(p);
    this.pending = { taken: [], directories: [], deleted: [], opaque: [] };
  }
}

/** gzip and zstd by their magic bytes (a layer's media type may lie, e.g. docker's tar.gzip on an uncompressed tar). */
function decompressor(head: Buffer): Transform | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return createGunzip();
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return zstdDecompressor();
  return undefined;
}

/** zstd frames as a stream transform, with fzstd's streaming decoder. */
class ZstdDecompressor extends Transform {
  private readonly decoder = new Decompress((data) => this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.decoder.push(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: (error?: Error | null) => void): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

function zstdDecompressor(): Transform {
  return new ZstdDecompressor();
}

/** Up to `count` bytes from the start of `file` (fewer when the file is shorter). */
export function firstBytes(file: string, count: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(count);
    return buffer.subarray(0, readSync(fd, buffer, 0, count, 0));
  } finally {
    closeSync(fd);
  }
}

/** The first `count` bytes of an entry (fewer when it is shorter); the rest is drained. */
async function entryHead(entry: Entry, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    if (have < count) {
      chunks.push(chunk);
      have += chunk.length;
    }
    // Keep iterating: the entry must be consumed for the archive to move on, and this is cheap.
  }
  return Buffer.concat(chunks).subarray(0, count);
}

/** Scans one layer; resolves to the number of its regular files that upper layers hid (not looked at). */
async function scanLayer(blob: string, shadow: Shadow, inspector: ArchInspector): Promise<number> {
  const head = firstBytes(blob, 4);
  const source: Readable = createReadStream(blob, { highWaterMark: 256 * 1024 });
  const unpack = decompressor(head);
  const tar = extract();
  let hiddenFiles = 0;
  const input = unpack ? source.pipe(unpack) : source;
  input.on('error', (error) => tar.destroy(error));
  input.pipe(tar);
  try {
    for await (const entry of tar as AsyncIterable<Entry>) {
      const path = normalizeName(entry.header.name);
      const hidden = path === '' || shadow.hides(path);
      const marker = path !== '' && shadow.note(path, entry.header.type === 'directory');
      const regular = entry.header.type === 'file' || entry.header.type === 'contiguous-file';
      if (hidden && regular) hiddenFiles++;
      if (hidden || marker || !regular || (entry.header.size ?? 0) < 4) {
        entry.resume();
        continue;
      }
      inspector.inspectFile(`/${path}`, await entryHead(entry, HEADER_BYTES));
      if (inspector.done) break;
    }
  } finally {
    source.destroy();
    unpack?.destroy();
    tar.destroy();
  }
  shadow.endLayer();
  return hiddenFiles;
}

function blobPath(layoutDir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !hex || !/^[a-z0-9]+$/.test(algorithm) || !/^[a-f0-9]+$/.test(hex)) throw new Error(`not a digest: ${digest}`);
  return join(layoutDir, 'blobs', algorithm, hex);
}

/**
 * Checks the image manifest `digest` of the OCI layout at layoutDir for `platform`. Reads the
 * layers from the top down; throws when the layout lacks the manifest or a layer.
 */
export async function scanLayoutImage(
  layoutDir: string,
  digest: string,
  platform: string,
  options: LayerScanOptions = {},
): Promise<ImageScan> {
  const manifest = JSON.parse(readFileSync(blobPath(layoutDir, digest), 'utf8')) as ManifestDocument;
  const configDigest = manifest.config?.digest;
  if (typeof configDigest !== 'string') throw new Error(`manifest ${digest} has no config descriptor`);
  const config = JSON.parse(readFileSync(blobPath(layoutDir, configDigest), 'utf8')) as ConfigPlatform;
  const platformOfConfig: ConfigPlatform = { os: config.os, architecture: config.architecture, variant: config.variant };
  const layers = (manifest.layers ?? []).flatMap((layer) => (typeof layer.digest === 'string' ? [layer.digest] : []));
  const { scan, skipped } = await scanLayers(layoutDir, layers, platform, options.knownClean ?? new Set());
  // A skipped upper layer may have replaced or deleted the file found below it: its paths were not
  // read, so the finding is checked again with every layer read.
  if (scan.foreign.length > 0 && skipped)
    return { ...(await scanLayers(layoutDir, layers, platform, new Set())).scan, config: platformOfConfig };
  return { ...scan, config: platformOfConfig };
}

async function scanLayers(
  layoutDir: string,
  layers: string[],
  platform: string,
  knownClean: ReadonlySet<string>,
): Promise<{ scan: Omit<ImageScan, 'config'>; skipped: boolean }> {
  const inspector = new ArchInspector(platform);
  const shadow = new Shadow();
  const cleanLayers: string[] = [];
  let layersRead = 0;
  let skipped = false;
  for (const layer of [...layers].reverse()) {
    if (knownClean.has(layer)) {
      skipped = true;
      continue;
    }
    const before = inspector.result().foreign.length;
    const hiddenFiles = await scanLayer(blobPath(layoutDir, layer), shadow, inspector);
    layersRead++;
    if (inspector.done) break;
    // Clean whatever lies above it: no offending file, and none left unread under an upper layer.
    if (inspector.result().foreign.length === before && hiddenFiles === 0) cleanLayers.push(layer);
  }
  return { scan: { ...inspector.result(), layersRead, cleanLayers }, skipped };
}
