import { readFileSync } from 'node:fs';
import { architectureLabel, elfArchitecture, isLoadable, isWasmModule, readElfHeader, runsOn } from '../../src/core/elf.js';
import { AARCH64, ARM, I386, X86_64, elfBytes } from '../helpers/ociLayouts.js';

// Values from the System V gABI "ELF Header" and glibc elf.h; checked against `file` on real binaries below.
describe('readElfHeader', () => {
  it('reads class, byte order, e_type and e_machine', () => {
    expect(readElfHeader(elfBytes(X86_64))).toEqual({ bits: 64, endian: 'le', type: 2, machine: 62 });
    expect(readElfHeader(elfBytes(22, { endian: 'be', type: 3 }))).toEqual({ bits: 64, endian: 'be', type: 3, machine: 22 });
    expect(readElfHeader(elfBytes(ARM, { bits: 32 }))).toEqual({ bits: 32, endian: 'le', type: 2, machine: 40 });
  });

  it('reads the node binary running this test as the host architecture', () => {
    const header = readElfHeader(readFileSync(process.execPath).subarray(0, 20));
    const hostArch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
    expect(header && elfArchitecture(header)?.arch).toBe(hostArch);
    expect(header && isLoadable(header)).toBe(true);
  });

  it('is undefined for anything else: scripts, short files, a broken ident', () => {
    expect(readElfHeader(Buffer.from('#!/bin/sh\necho hello world\n'))).toBeUndefined();
    expect(readElfHeader(elfBytes(X86_64).subarray(0, 19))).toBeUndefined();
    const broken = elfBytes(X86_64);
    broken[4] = 7;
    expect(readElfHeader(broken)).toBeUndefined();
  });
});

describe('isLoadable', () => {
  it('takes executables and shared objects, not relocatable objects or core dumps', () => {
    expect(isLoadable(readElfHeader(elfBytes(X86_64, { type: 2 }))!)).toBe(true);
    expect(isLoadable(readElfHeader(elfBytes(X86_64, { type: 3 }))!)).toBe(true);
    expect(isLoadable(readElfHeader(elfBytes(X86_64, { type: 1 }))!)).toBe(false);
    expect(isLoadable(readElfHeader(elfBytes(X86_64, { type: 4 }))!)).toBe(false);
  });
});

describe('elfArchitecture', () => {
  const arch = (machine: number, options?: Parameters<typeof elfBytes>[1]) => elfArchitecture(readElfHeader(elfBytes(machine, options))!);

  it('names each architecture of the platforms we build, as Go and OCI spell them', () => {
    expect(arch(X86_64)).toEqual({ arch: 'amd64', label: 'x86-64' });
    expect(arch(AARCH64)).toEqual({ arch: 'arm64', label: 'AArch64' });
    expect(arch(ARM, { bits: 32 })?.arch).toBe('arm');
    expect(arch(I386, { bits: 32 })?.arch).toBe('386');
    expect(arch(21)?.arch).toBe('ppc64le');
    expect(arch(21, { endian: 'be' })?.arch).toBe('ppc64');
    expect(arch(22, { endian: 'be' })?.arch).toBe('s390x');
    expect(arch(243)?.arch).toBe('riscv64');
    expect(arch(258)?.arch).toBe('loong64');
  });

  it('ignores device code (CUDA, AMDGPU, eBPF) and names unknown machines by number', () => {
    expect(arch(190)).toBeUndefined();
    expect(arch(224)).toBeUndefined();
    expect(arch(247)).toBeUndefined();
    expect(arch(999)?.label).toBe('EM_999 (64-bit little-endian)');
  });
});

describe('runsOn', () => {
  it('matches the platform, and lets amd64 run 386 code (IA-32 emulation) but not arm64 run 32-bit ARM', () => {
    expect(runsOn('arm64', 'arm64')).toBe(true);
    expect(runsOn('amd64', 'arm64')).toBe(false);
    expect(runsOn('386', 'amd64')).toBe(true);
    expect(runsOn('arm', 'arm64')).toBe(false);
    expect(runsOn('amd64', '386')).toBe(false);
  });

  it('labels a platform architecture as ELF tools do', () => {
    expect(architectureLabel('arm64')).toBe('AArch64');
    expect(architectureLabel('wasm32')).toBe('WebAssembly');
  });
});

describe('isWasmModule', () => {
  it('is the \\0asm magic', () => {
    expect(isWasmModule(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBe(true);
    expect(isWasmModule(Buffer.from('(module)'))).toBe(false);
  });
});
