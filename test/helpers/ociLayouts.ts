// OCI image layouts written for tests: real tar layers (gzip, zstd or none), an image manifest
// and index.json, as ko, Kaniko and BuildKit's oci exporter write them (OCI image-layout.md).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: Buffer | string;
  linkname?: string;
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** A tar archive of the entries, in order, with tar-stream (ustar; pax for long names). */
export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : (entry.content ?? Buffer.alloc(0));
    archive.entry(
      { name: entry.name, type, linkname: entry.linkname, mode: type === 'directory' ? 0o755 : 0o755 },
      type === 'file' ? content : undefined,
    );
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

function compress(tar: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(tar);
  // Debian's zstd CLI: fzstd (what the scan uses) only decompresses.
  if (compression === 'zstd') return execFileSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 30 });
  return tar;
}

const LAYER_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

function writeBlob(dir: string, data: Buffer): string {
  const hex = createHash('sha256').update(data).digest('hex');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', hex), data);
  return `sha256:${hex}`;
}

export interface WrittenLayout {
  dir: string;
  /** Digest of the image manifest. */
  digest: string;
  /** Layer digests, bottom first. */
  layers: string[];
}

/** An OCI layout holding one image of these layers (bottom first). */
export async function writeLayout(
  layers: TarEntry[][],
  options: { compression?: Compression; dir?: string; platform?: string } = {},
): Promise<WrittenLayout> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'hephy-scan-'));
  const compression = options.compression ?? 'gzip';
  const [os, architecture] = (options.platform ?? 'linux/amd64').split('/');
  const descriptors = [];
  for (const entries of layers) {
    const blob = compress(await tarOf(entries), compression);
    descriptors.push({ mediaType: LAYER_TYPES[compression], digest: writeBlob(dir, blob), size: blob.length });
  }
  const config = Buffer.from(JSON.stringify({ os, architecture, rootfs: { type: 'layers', diff_ids: [] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: writeBlob(dir, config), size: config.length },
      layers: descriptors,
    }),
  );
  const digest = writeBlob(dir, manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length }],
    }),
  );
  return { dir, digest, layers: descriptors.map((d) => d.digest) };
}

/**
 * The first bytes of an ELF file: e_ident, e_type, e_machine (System V gABI "ELF Header"), padded
 * to 64 bytes. machine: 62 x86-64, 183 AArch64, 40 ARM, 3 i386, 21 PPC64, 22 S390, 243 RISC-V.
 */
export function elfBytes(machine: number, options: { bits?: 32 | 64; endian?: 'le' | 'be'; type?: number } = {}): Buffer {
  const bits = options.bits ?? 64;
  const endian = options.endian ?? 'le';
  const bytes = Buffer.alloc(64);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, endian === 'le' ? 1 : 2, 1]);
  const put = (offset: number, value: number) =>
    endian === 'le' ? bytes.writeUInt16LE(value, offset) : bytes.writeUInt16BE(value, offset);
  put(16, options.type ?? 2);
  put(18, machine);
  return bytes;
}

export const X86_64 = 62;
export const AARCH64 = 183;
export const ARM = 40;
export const I386 = 3;
