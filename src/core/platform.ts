// Platform strings (os/arch[/variant]) as written in build-config.yaml. Configs keep the user's
// spelling; comparisons and artifact names use the normalised form, in which the default variant
// is implied (linux/arm64/v8 is linux/arm64, linux/arm is linux/arm/v7), as containerd does.
import { short } from './config/describe.js';
import { suggest } from './config/didYouMean.js';

export interface Platform {
  os: string;
  arch: string;
  variant?: string;
}

export interface PlatformError {
  /** The whole sentence, e.g. "expected os/arch[/variant], e.g. linux/amd64; `linux/amd65`: unknown architecture amd65 (did you mean amd64?)". */
  error: string;
  /** The same without the generic prefix and the hint, for a Problem's message. */
  reason: string;
  /** e.g. "did you mean `linux/amd64`?" */
  hint?: string;
}

export const KNOWN_OSES = ['linux', 'windows', 'darwin', 'freebsd', 'wasi'] as const;
export const KNOWN_ARCHES = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le', 'loong64', 'wasm32'] as const;

/** Variants each architecture accepts; the first is the default that normalisation drops or adds. */
const VARIANTS: Record<string, { known: string[]; normalDefault?: string; implied?: string }> = {
  // arm without a variant means v7 (containerd's rule), so linux/arm and linux/arm/v7 are one platform.
  arm: { known: ['v5', 'v6', 'v7', 'v8'], implied: 'v7' },
  // arm64 is always v8 in practice; writing it changes nothing.
  arm64: { known: ['v8'], normalDefault: 'v8' },
  // amd64 microarchitecture levels; v1 is the baseline every amd64 CPU has.
  amd64: { known: ['v1', 'v2', 'v3', 'v4'], normalDefault: 'v1' },
};

/** Spellings from uname, Debian and Rust that people copy into configs, with what they mean. */
const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  x64: 'amd64',
  aarch64: 'arm64',
  armhf: 'arm/v7',
  armel: 'arm/v6',
  armv7: 'arm/v7',
  armv7l: 'arm/v7',
  armv6: 'arm/v6',
  i386: '386',
  i686: '386',
  x86: '386',
  ppc64el: 'ppc64le',
  wasm: 'wasm32',
};
const OS_ALIASES: Record<string, string> = { macos: 'darwin', osx: 'darwin', win: 'windows', wasip1: 'wasi', wasip2: 'wasi' };

const EXPECTED = 'expected os/arch[/variant], e.g. linux/amd64';

function fail(input: string, reason: string, partMeant?: string): PlatformError {
  const quoted = `\`${short(input)}\`: ${reason}`;
  // The hint is a whole corrected platform when one can be found, since that is what gets pasted.
  const whole = correctPlatform(input);
  const hinted = whole ?? partMeant;
  return {
    error: `${EXPECTED}; ${quoted}${partMeant ? ` (did you mean ${partMeant}?)` : ''}`,
    reason: quoted,
    hint: hinted ? `did you mean \`${hinted}\`?` : undefined,
  };
}

function correctOs(os: string): string | undefined {
  const lower = os.toLowerCase();
  if ((KNOWN_OSES as readonly string[]).includes(lower)) return lower;
  return OS_ALIASES[lower] ?? suggest(os, KNOWN_OSES);
}

function correctArch(arch: string): string | undefined {
  const lower = arch.toLowerCase();
  if ((KNOWN_ARCHES as readonly string[]).includes(lower)) return lower;
  return ARCH_ALIASES[lower] ?? suggest(arch, KNOWN_ARCHES);
}

/** A valid platform close to a broken one, correcting every part at once, or undefined. */
function correctPlatform(input: string): string | undefined {
  const parts = input
    .trim()
    .split('/')
    .filter((p) => p !== '');
  let candidate: string;
  if (parts.length === 1) {
    const arch = correctArch(parts[0]);
    if (!arch) return undefined;
    candidate = arch === 'wasm32' ? 'wasi/wasm32' : `linux/${arch}`;
  } else if (parts.length === 2 || parts.length === 3) {
    const os = (KNOWN_OSES as readonly string[]).includes(parts[0]) ? parts[0] : correctOs(parts[0]);
    const arch = (KNOWN_ARCHES as readonly string[]).includes(parts[1]) ? parts[1] : correctArch(parts[1]);
    if (!os || !arch) return undefined;
    const variant = parts[2]?.toLowerCase();
    candidate = [os, arch, ...(variant && !arch.includes('/') ? [variant] : [])].join('/');
  } else {
    return undefined;
  }
  if (candidate === input) return undefined;
  return isPlatformError(parseStrict(candidate)) ? undefined : candidate;
}

export function isPlatformError<T extends object>(p: Platform | T): p is T {
  return 'error' in p;
}

/** Parses and normalises a platform string; never throws. */
export function parsePlatform(input: string): Platform | PlatformError {
  if (typeof input !== 'string') return fail(String(input), 'not a string');
  const result = parseStrict(input);
  if (!isPlatformError(result)) return result;
  return fail(input, result.reason, result.hint);
}

// Parses without computing hints (hints call back into this to check a correction is valid).
function parseStrict(input: string): Platform | { error: true; reason: string; hint?: string } {
  const no = (reason: string, hint?: string) => ({ error: true as const, reason, hint });
  const s = input.trim();
  if (s === '') return no('empty platform');
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    return no('not of the form os/arch', parts.length === 1 ? correctPlatform(s) : undefined);
  }
  const [os, arch, variant] = parts;

  if (!(KNOWN_OSES as readonly string[]).includes(os)) return no(`unknown operating system ${short(os)}`, correctOs(os));
  if (!(KNOWN_ARCHES as readonly string[]).includes(arch)) return no(`unknown architecture ${short(arch)}`, correctArch(arch));
  if ((os === 'wasi') !== (arch === 'wasm32')) {
    return no('wasm32 goes only with wasi, and wasi only with wasm32', 'wasi/wasm32');
  }

  if (variant === undefined) {
    const implied = VARIANTS[arch]?.implied;
    return implied ? { os, arch, variant: implied } : { os, arch };
  }
  const rules = VARIANTS[arch];
  if (!rules) return no(`${arch} has no variants`, `${os}/${arch}`);
  if (!rules.known.includes(variant)) {
    const meant = rules.known.includes(variant.toLowerCase()) ? variant.toLowerCase() : suggest(variant, rules.known);
    return no(`unknown ${arch} variant ${short(variant)} (known: ${rules.known.join(', ')})`, meant ? `${os}/${arch}/${meant}` : undefined);
  }
  if (variant === rules.normalDefault) return { os, arch };
  return { os, arch, variant };
}

/** The normalised string, e.g. `linux/arm64` for `linux/arm64/v8`. */
export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.arch}/${p.variant}` : `${p.os}/${p.arch}`;
}

/** Normalised form of a platform string, or the trimmed input when it does not parse. */
export function normalizePlatform(input: string): string {
  const p = parsePlatform(input);
  return isPlatformError(p) ? input.trim() : formatPlatform(p);
}

export function samePlatform(a: string, b: string): boolean {
  return normalizePlatform(a) === normalizePlatform(b);
}

/** Artifact- and job-name safe: `linux-arm64`, `linux-arm-v7`, `wasi-wasm32`. */
export function platformSlug(p: Platform | string): string {
  const parsed = typeof p === 'string' ? parsePlatform(p) : p;
  if (isPlatformError(parsed)) return String(p).replace(/[^A-Za-z0-9._-]+/g, '-');
  return formatPlatform(parsed).replace(/\//g, '-');
}

export function isWasm(p: Platform | string): boolean {
  const parsed = typeof p === 'string' ? parsePlatform(p) : p;
  return !isPlatformError(parsed) && parsed.arch === 'wasm32';
}
