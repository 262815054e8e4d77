// What a file's first bytes say about the machine it runs on: the ELF header (e_ident, e_type,
// e_machine) and the WebAssembly module magic. Pure: callers hand in the bytes.
//
// Facts from the System V ABI (gABI, "ELF Header") and glibc's elf.h (EM_* values); the mapping
// to Go/OCI architecture names is the one Go's debug/elf and `go tool dist list` agree on.

/** Bytes of a file needed to classify it: e_ident (16) + e_type (2) + e_machine (2). */
export const HEADER_BYTES = 20;

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
/** `\0asm`, the WebAssembly binary magic (core spec 5.5.16), for modules and components alike. */
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

const ET_EXEC = 2;
const ET_DYN = 3;

export interface ElfHeader {
  /** 32 or 64 (EI_CLASS). */
  bits: 32 | 64;
  /** EI_DATA: little or big endian. */
  endian: 'le' | 'be';
  /** e_type: 1 relocatable (.o, kernel modules, BPF objects), 2 executable, 3 shared object or PIE, 4 core. */
  type: number;
  /** e_machine, e.g. 62 (EM_X86_64). */
  machine: number;
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

export function isWasmModule(bytes: Uint8Array): boolean {
  return startsWith(bytes, WASM_MAGIC);
}

/** The ELF header of a file from its first HEADER_BYTES bytes, or undefined when it is not ELF. */
export function readElfHeader(bytes: Uint8Array): ElfHeader | undefined {
  if (bytes.length < HEADER_BYTES || !startsWith(bytes, ELF_MAGIC)) return undefined;
  const bits = bytes[4] === 1 ? 32 : bytes[4] === 2 ? 64 : undefined;
  const endian = bytes[5] === 1 ? 'le' : bytes[5] === 2 ? 'be' : undefined;
  if (!bits || !endian) return undefined;
  const u16 = (offset: number) => (endian === 'le' ? bytes[offset] | (bytes[offset + 1] << 8) : (bytes[offset] << 8) | bytes[offset + 1]);
  return { bits, endian, type: u16(16), machine: u16(18) };
}

/** Executables and shared objects (PIE executables are ET_DYN too): what a process loads. */
export function isLoadable(header: ElfHeader): boolean {
  return header.type === ET_EXEC || header.type === ET_DYN;
}

interface Machine {
  machine: number;
  bits: 32 | 64;
  endian: 'le' | 'be';
  /** Go/OCI architecture name. */
  arch: string;
  /** What `file` and binutils call it, for messages. */
  label: string;
}

// e_machine values (glibc elf.h): EM_386 3, EM_MIPS 8, EM_PPC 20, EM_PPC64 21, EM_S390 22,
// EM_ARM 40, EM_X86_64 62, EM_AARCH64 183, EM_RISCV 243, EM_LOONGARCH 258.
const MACHINES: Machine[] = [
  { machine: 62, bits: 64, endian: 'le', arch: 'amd64', label: 'x86-64' },
  { machine: 183, bits: 64, endian: 'le', arch: 'arm64', label: 'AArch64' },
  { machine: 40, bits: 32, endian: 'le', arch: 'arm', label: 'ARM' },
  { machine: 3, bits: 32, endian: 'le', arch: '386', label: 'Intel 80386' },
  { machine: 21, bits: 64, endian: 'le', arch: 'ppc64le', label: 'PowerPC64 little-endian' },
  { machine: 21, bits: 64, endian: 'be', arch: 'ppc64', label: 'PowerPC64 big-endian' },
  { machine: 20, bits: 32, endian: 'be', arch: 'ppc', label: 'PowerPC' },
  { machine: 22, bits: 64, endian: 'be', arch: 's390x', label: 'IBM S/390x' },
  { machine: 22, bits: 32, endian: 'be', arch: 's390', label: 'IBM S/390' },
  { machine: 243, bits: 64, endian: 'le', arch: 'riscv64', label: 'RISC-V 64-bit' },
  { machine: 243, bits: 32, endian: 'le', arch: 'riscv32', label: 'RISC-V 32-bit' },
  { machine: 8, bits: 64, endian: 'le', arch: 'mips64le', label: 'MIPS64 little-endian' },
  { machine: 8, bits: 64, endian: 'be', arch: 'mips64', label: 'MIPS64 big-endian' },
  { machine: 8, bits: 32, endian: 'le', arch: 'mipsle', label: 'MIPS little-endian' },
  { machine: 8, bits: 32, endian: 'be', arch: 'mips', label: 'MIPS big-endian' },
  { machine: 258, bits: 64, endian: 'le', arch: 'loong64', label: 'LoongArch64' },
];

// Code for a device, not for the CPU: GPU kernels (EM_CUDA 190, EM_AMDGPU 224) and eBPF programs
// (EM_BPF 247) are ELF files an image of any platform may carry, run by a driver, never exec'd.
const DEVICE_MACHINES = new Set([190, 224, 247]);

/**
 * The architecture of a CPU ELF file (Go/OCI name, e.g. amd64, and a label, e.g. x86-64), or
 * undefined for device code (GPU, eBPF). An unknown CPU machine gets `EM_<n>` as both.
 */
export function elfArchitecture(header: ElfHeader): { arch: string; label: string } | undefined {
  if (DEVICE_MACHINES.has(header.machine)) return undefined;
  const known = MACHINES.find((m) => m.machine === header.machine && m.bits === header.bits && m.endian === header.endian);
  if (known) return { arch: known.arch, label: known.label };
  const name = `EM_${header.machine} (${header.bits}-bit ${header.endian === 'le' ? 'little' : 'big'}-endian)`;
  return { arch: name, label: name };
}

/**
 * Architectures whose executables run on a platform's architecture. amd64 also runs 386 code
 * (every amd64 Linux kernel of the distributions has IA-32 emulation, and multilib packages such as
 * Debian's libc6-i386 put such files in amd64 images on purpose). arm64 does not get 32-bit ARM:
 * many arm64 CPUs (Neoverse V1, Apple M1) have no AArch32 at all.
 */
const RUNS_ON: Record<string, string[]> = {
  amd64: ['amd64', '386'],
};

/** Does an executable of `arch` run on `platformArch` (the arch part of os/arch[/variant])? */
export function runsOn(arch: string, platformArch: string): boolean {
  return (RUNS_ON[platformArch] ?? [platformArch]).includes(arch);
}

/** The label of a platform's architecture as ELF tools print it, e.g. arm64 -> AArch64. */
export function architectureLabel(platformArch: string): string {
  if (platformArch === 'wasm32') return 'WebAssembly';
  return MACHINES.find((m) => m.arch === platformArch)?.label ?? platformArch;
}
