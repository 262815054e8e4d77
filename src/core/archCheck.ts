// The architecture check of a platform image: every ELF executable and shared object in it must
// run on the leg's platform (an arm64 image holds no x86-64 program), and a wasm artifact must be
// WebAssembly. This file judges files one by one from their first bytes and turns the findings
// into the leg's one-line failure reason; src/tools/imageScan.ts streams the layers into it.
import { HEADER_BYTES, architectureLabel, elfArchitecture, isLoadable, isWasmModule, readElfHeader, runsOn } from './elf.js';
import { formatPlatform, parsePlatform, isPlatformError } from './platform.js';

export { HEADER_BYTES };

/** How many offending files a reason names. */
export const MAX_LISTED = 5;

export interface ForeignFile {
  /** Path in the image, absolute (`/usr/local/bin/tool`), or the artifact's name for wasm. */
  path: string;
  /** What the file is, e.g. `x86-64`, or `not WebAssembly`. */
  label: string;
}

export interface ArchCheckResult {
  /** The platform checked, normalised, e.g. linux/arm64. */
  platform: string;
  /** ELF executables and shared objects (or wasm artifacts) looked at. */
  inspected: number;
  /** Offending files in the order found, at most MAX_LISTED. */
  foreign: ForeignFile[];
  /** True when more offending files exist than `foreign` lists (the scan stopped there). */
  more: boolean;
}

/** Collects the verdicts of one image's files; `done` says when the scan may stop. */
export class ArchInspector {
  readonly platform: string;
  private readonly arch: string;
  private inspectedCount = 0;
  private readonly found: ForeignFile[] = [];
  private extra = false;

  constructor(platform: string) {
    const parsed = parsePlatform(platform);
    if (isPlatformError(parsed)) throw new Error(`architecture check: ${parsed.error}`);
    this.platform = parsed.variant ? `${parsed.os}/${parsed.arch}/${parsed.variant}` : `${parsed.os}/${parsed.arch}`;
    this.arch = parsed.arch;
  }

  /** True for a wasm platform: artifacts are checked for the wasm magic instead of ELF headers. */
  get wasm(): boolean {
    return this.arch === 'wasm32';
  }

  /** Enough offending files to name them all and say there are more: stop reading. */
  get done(): boolean {
    return this.extra;
  }

  /** A file of a container image, from its first HEADER_BYTES bytes (fewer for a shorter file). */
  inspectFile(path: string, head: Uint8Array): void {
    const header = readElfHeader(head);
    if (!header || !isLoadable(header)) return;
    const found = elfArchitecture(header);
    if (!found) return;
    this.inspectedCount++;
    if (!runsOn(found.arch, this.arch)) this.record({ path, label: found.label });
  }

  /** An artifact of a wasm image (a component or module file). */
  inspectWasm(name: string, head: Uint8Array): void {
    this.inspectedCount++;
    if (isWasmModule(head)) return;
    const header = readElfHeader(head);
    const what = header ? elfArchitecture(header)?.label : undefined;
    this.record({ path: name, label: what ? `not WebAssembly: ELF ${what}` : 'not WebAssembly' });
  }

  private record(file: ForeignFile): void {
    if (this.found.length < MAX_LISTED) this.found.push(file);
    else this.extra = true;
  }

  result(): ArchCheckResult {
    return { platform: this.platform, inspected: this.inspectedCount, foreign: [...this.found], more: this.extra };
  }
}

/** The one-line failure reason of a result, or undefined when the image passed. */
export function archCheckReason(result: ArchCheckResult): string | undefined {
  if (result.foreign.length === 0) return undefined;
  const arch = result.platform.split('/')[1] ?? result.platform;
  const files = result.foreign.map((f) => `${f.path} (${f.label})`).join(', ');
  const more = result.more ? ' and more' : '';
  const what = arch === 'wasm32' ? 'artifacts that are not WebAssembly' : `files for another architecture than ${architectureLabel(arch)}`;
  return `the ${result.platform} image holds ${what}: ${files}${more}; nothing of it is published (set verify_arch: false only if the image ships them on purpose)`;
}

/** The platform fields of an image config (OCI image-spec config.md: os, architecture, variant). */
export interface ConfigPlatform {
  os?: unknown;
  architecture?: unknown;
  variant?: unknown;
}

/**
 * The one-line reason why an image config does not declare the leg's platform, or undefined when
 * it does. Compared normalised, as containerd's platforms.Normalize does (arm64/v8 is arm64,
 * arm is arm/v7): this is what a runtime matches when it pulls the index entry.
 */
export function configPlatformReason(config: ConfigPlatform, platform: string): string | undefined {
  const leg = parsePlatform(platform);
  if (isPlatformError(leg)) return `architecture check: ${leg.error}`;
  const field = (value: unknown) => (typeof value === 'string' ? value : '');
  const os = field(config.os);
  const architecture = field(config.architecture);
  const variant = field(config.variant);
  const declared = [os, architecture, variant].filter(Boolean).join('/');
  const parsed = os && architecture ? parsePlatform(declared) : undefined;
  if (parsed && !isPlatformError(parsed) && formatPlatform(parsed) === formatPlatform(leg)) return undefined;
  return `the ${formatPlatform(leg)} image's config declares the platform ${declared || '(none)'} (os ${os || 'unset'}, architecture ${architecture || 'unset'}${variant ? `, variant ${variant}` : ''}); nothing of it is published`;
}

/** An image that failed the architecture check; its message is the leg's whole reason. */
export class ArchMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchMismatchError';
  }
}
