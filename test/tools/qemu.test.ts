// QEMU registration for emulated legs. binfmt_misc's entry format: the Linux kernel's
// Documentation/admin-guide/binfmt-misc.rst (lines "enabled", "interpreter ...", "flags: ...").
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOptions, RunResult } from '../../src/tools/exec.js';
import { aptInstallArgs, binfmtState, emulatedArch, pinnedQemuVersion, readOsRelease, registerQemu } from '../../src/tools/qemu.js';

const entry = (flags: string, enabled = 'enabled') =>
  `${enabled}\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: ${flags}\noffset 0\n`;

describe('emulatedArch', () => {
  it('names the QEMU architecture of a platform the host cannot run', () => {
    expect(emulatedArch('linux/arm64', 'amd64')).toBe('aarch64');
    expect(emulatedArch('linux/arm/v7', 'amd64')).toBe('arm');
    expect(emulatedArch('linux/amd64', 'arm64')).toBe('x86_64');
    expect(emulatedArch('linux/riscv64', 'amd64')).toBe('riscv64');
  });
  it('is undefined for the host itself, 386 on amd64, and what is not Linux', () => {
    expect(emulatedArch('linux/amd64', 'amd64')).toBeUndefined();
    expect(emulatedArch('linux/386', 'amd64')).toBeUndefined();
    expect(emulatedArch('wasi/wasm', 'amd64')).toBeUndefined();
  });
});

describe('binfmtState', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hephy-binfmt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  it('is ready only when registered, enabled and with the F flag (needed inside containers)', () => {
    expect(binfmtState('aarch64', dir)).toBe('missing');
    writeFileSync(join(dir, 'qemu-aarch64'), entry('P'));
    expect(binfmtState('aarch64', dir)).toBe('no-fix-binary');
    writeFileSync(join(dir, 'qemu-aarch64'), entry('PF', 'disabled'));
    expect(binfmtState('aarch64', dir)).toBe('disabled');
    writeFileSync(join(dir, 'qemu-aarch64'), entry('POCF'));
    expect(binfmtState('aarch64', dir)).toBe('ready');
  });
});

describe('the pinned package', () => {
  it('reads ID and VERSION_ID of os-release (quoted or not) and finds the pin of this machine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-osrel-'));
    writeFileSync(join(dir, 'os-release'), 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="24.04"\n');
    const release = readOsRelease(join(dir, 'os-release'));
    rmSync(dir, { recursive: true });
    expect(release).toEqual({ id: 'ubuntu', versionId: '24.04' });
    expect(aptInstallArgs(pinnedQemuVersion(release))).toEqual(['install', '-y', '-q', 'qemu-user-static=1:8.2.2+ds-0ubuntu1*']);
    expect(pinnedQemuVersion({ id: 'fedora', versionId: '41' })).toBeUndefined();
    expect(aptInstallArgs(undefined)).toEqual(['install', '-y', '-q', 'qemu-user-static']);
  });
});

describe('registerQemu (stand-in: apt, as a runner that writes the binfmt entry)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hephy-binfmt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const runnerFor =
    (calls: string[], flags: string | undefined) =>
    async (cmd: string, args: readonly string[], _o?: RunOptions): Promise<RunResult> => {
      calls.push([cmd, ...args].join(' '));
      if (args.includes('install') && flags) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'qemu-aarch64'), entry(flags));
      }
      return { code: 0, stdout: cmd === 'dpkg-query' ? '1:8.2.2+ds-0ubuntu1.4' : '', stderr: '', durationMs: 1 };
    };

  it('does nothing when qemu-aarch64 is already registered with F', async () => {
    writeFileSync(join(dir, 'qemu-aarch64'), entry('PF'));
    const calls: string[] = [];
    expect(
      await registerQemu({ arch: 'aarch64', env: {}, runner: runnerFor(calls, 'PF'), log: () => undefined, binfmtDir: dir }),
    ).toContain('already registered');
    expect(calls).toEqual([]);
  });

  it('installs the pinned package with sudo -n when not root, and reports the installed version', async () => {
    const calls: string[] = [];
    const said = await registerQemu({
      arch: 'aarch64',
      env: {},
      runner: runnerFor(calls, 'PF'),
      log: () => undefined,
      binfmtDir: dir,
      osRelease: { id: 'ubuntu', versionId: '24.04' },
      asRoot: false,
    });
    expect(calls.slice(0, 2)).toEqual([
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -q',
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static=1:8.2.2+ds-0ubuntu1*',
    ]);
    expect(said).toBe('installed qemu-user-static 1:8.2.2+ds-0ubuntu1.4; qemu-aarch64 registered (flags F)');
  });

  it('fails with the cause when the entry lacks the F flag after install', async () => {
    const warnings: string[] = [];
    await expect(
      registerQemu({
        arch: 'aarch64',
        env: {},
        runner: runnerFor([], 'P'),
        log: () => undefined,
        warn: (w) => warnings.push(w),
        binfmtDir: dir,
        asRoot: true,
      }),
    ).rejects.toThrow('QEMU for aarch64 is installed but binfmt_misc has qemu-aarch64 without the F flag');
  });
});
