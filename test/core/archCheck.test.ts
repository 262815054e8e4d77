import { ArchInspector, MAX_LISTED, archCheckReason, configPlatformReason } from '../../src/core/archCheck.js';
import { AARCH64, ARM, I386, X86_64, elfBytes } from '../helpers/ociLayouts.js';

describe('ArchInspector', () => {
  it('passes an image whose executables and libraries match, whatever else it holds', () => {
    const check = new ArchInspector('linux/arm64');
    check.inspectFile('/app/server', elfBytes(AARCH64));
    check.inspectFile('/lib/libc.so.6', elfBytes(AARCH64, { type: 3 }));
    check.inspectFile('/entrypoint.sh', Buffer.from('#!/bin/sh\nexec /app/server\n'));
    check.inspectFile('/lib/modules/x.ko', elfBytes(X86_64, { type: 1 }));
    check.inspectFile('/usr/lib/bpf/prog.o', elfBytes(247, { type: 2 }));
    const result = check.result();
    expect(result).toEqual({ platform: 'linux/arm64', inspected: 2, foreign: [], more: false });
    expect(archCheckReason(result)).toBeUndefined();
  });

  it('names each foreign executable with its architecture', () => {
    const check = new ArchInspector('linux/arm64/v8');
    check.inspectFile('/usr/local/bin/tool', elfBytes(X86_64));
    check.inspectFile('/usr/lib/libarm.so', elfBytes(ARM, { bits: 32, type: 3 }));
    const reason = archCheckReason(check.result());
    expect(reason).toBe(
      'the linux/arm64 image holds files for another architecture than AArch64: /usr/local/bin/tool (x86-64), /usr/lib/libarm.so (ARM); nothing of it is published (set verify_arch: false only if the image ships them on purpose)',
    );
    expect(reason).not.toContain('\n');
  });

  it(`lists at most ${MAX_LISTED} files and says there are more, then asks to stop`, () => {
    const check = new ArchInspector('linux/amd64');
    for (let i = 1; i <= MAX_LISTED; i++) check.inspectFile(`/bin/f${i}`, elfBytes(AARCH64));
    expect(check.done).toBe(false);
    check.inspectFile('/bin/f6', elfBytes(AARCH64));
    expect(check.done).toBe(true);
    const reason = archCheckReason(check.result())!;
    expect(reason).toContain('/bin/f5 (AArch64) and more;');
    expect(reason).not.toContain('/bin/f6');
  });

  it('accepts 386 libraries in an amd64 image (multilib) but not in arm/v7 or arm64 ones', () => {
    const amd64 = new ArchInspector('linux/amd64');
    amd64.inspectFile('/usr/lib32/libc.so.6', elfBytes(I386, { bits: 32, type: 3 }));
    expect(amd64.result().foreign).toEqual([]);
    const arm = new ArchInspector('linux/arm/v7');
    arm.inspectFile('/bin/x', elfBytes(I386, { bits: 32 }));
    arm.inspectFile('/bin/ok', elfBytes(ARM, { bits: 32 }));
    expect(arm.result().foreign).toEqual([{ path: '/bin/x', label: 'Intel 80386' }]);
  });

  it('checks each platform the issue names: 386, ppc64le, s390x, riscv64', () => {
    const cases: Array<[string, Buffer, Buffer]> = [
      ['linux/386', elfBytes(I386, { bits: 32 }), elfBytes(X86_64)],
      ['linux/ppc64le', elfBytes(21), elfBytes(21, { endian: 'be' })],
      ['linux/s390x', elfBytes(22, { endian: 'be' }), elfBytes(X86_64)],
      ['linux/riscv64', elfBytes(243), elfBytes(AARCH64)],
    ];
    for (const [platform, good, bad] of cases) {
      const check = new ArchInspector(platform);
      check.inspectFile('/good', good);
      check.inspectFile('/bad', bad);
      expect(check.result().foreign.map((f) => f.path)).toEqual(['/bad']);
    }
  });

  it('checks wasm artifacts for the WebAssembly magic', () => {
    const check = new ArchInspector('wasi/wasm32');
    expect(check.wasm).toBe(true);
    check.inspectWasm('app.wasm', Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
    check.inspectWasm('other.wasm', elfBytes(X86_64));
    check.inspectWasm('readme.wasm', Buffer.from('hello'));
    expect(archCheckReason(check.result())).toBe(
      'the wasi/wasm32 image holds artifacts that are not WebAssembly: other.wasm (not WebAssembly: ELF x86-64), readme.wasm (not WebAssembly); nothing of it is published (set verify_arch: false only if the image ships them on purpose)',
    );
  });

  it('refuses a platform that does not parse', () => {
    expect(() => new ArchInspector('linux/amd65')).toThrow(/architecture check: expected os\/arch/);
  });
});

describe('configPlatformReason', () => {
  // Normalised as containerd's platforms.Normalize (containerd/platforms database.go): arm64/v8 is arm64, arm is arm/v7.
  it('accepts a config that declares the leg platform, in any spelling containerd takes as the same', () => {
    expect(configPlatformReason({ os: 'linux', architecture: 'arm64' }, 'linux/arm64')).toBeUndefined();
    expect(configPlatformReason({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64')).toBeUndefined();
    expect(configPlatformReason({ os: 'linux', architecture: 'arm' }, 'linux/arm/v7')).toBeUndefined();
    expect(configPlatformReason({ os: 'wasi', architecture: 'wasm32' }, 'wasi/wasm32')).toBeUndefined();
  });

  it('names what the config declares when it is another platform, or nothing', () => {
    expect(configPlatformReason({ os: 'linux', architecture: 'amd64' }, 'linux/arm64')).toBe(
      "the linux/arm64 image's config declares the platform linux/amd64 (os linux, architecture amd64); nothing of it is published",
    );
    expect(configPlatformReason({ os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v7')).toContain(
      'declares the platform linux/arm/v6',
    );
    expect(configPlatformReason({}, 'linux/amd64')).toContain('declares the platform (none) (os unset, architecture unset)');
  });
});
