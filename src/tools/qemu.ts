// QEMU user emulation for legs whose platform the runner cannot run natively (a Dockerfile's RUN
// steps for linux/arm/v7 on an amd64 runner): the distribution's qemu-user-static package,
// installed with apt, which checks the archive's signature and every package's hash, at the
// version tool-pins.json pins for the runner's distribution release. The kernel's binfmt_misc
// then runs foreign executables through it; the F flag (fix binary: the kernel opens the
// interpreter at registration) makes that work inside containers too (Kaniko's, BuildKit's).
// binfmt_misc files: Documentation/admin-guide/binfmt-misc.rst of the Linux kernel.
import { existsSync, readFileSync } from 'node:fs';
import { QEMU_PIN } from '../core/toolPins.js';
import { isPlatformError, parsePlatform } from '../core/platform.js';
import { run, type Runner } from './exec.js';

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/**
 * The name QEMU's binfmt entries use for a platform's architecture (qemu-<name>, from QEMU's
 * scripts/qemu-binfmt-conf.sh), or undefined when QEMU has no user emulation for it.
 */
const QEMU_ARCH: Readonly<Record<string, string>> = {
  amd64: 'x86_64',
  '386': 'i386',
  arm64: 'aarch64',
  arm: 'arm',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64le: 'mips64el',
  loong64: 'loongarch64',
};

/** Node's process.arch -> the OCI architecture of the host. */
const HOST_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

export function hostArch(nodeArch: string = process.arch): string {
  return HOST_ARCH[nodeArch] ?? nodeArch;
}

/**
 * The QEMU architecture a leg on this host needs, or undefined when the host runs the platform's
 * executables itself (its own architecture; 386 on amd64) or the platform is no Linux one.
 */
export function emulatedArch(platform: string, host: string = hostArch()): string | undefined {
  const parsed = parsePlatform(platform);
  if (isPlatformError(parsed) || parsed.os !== 'linux') return undefined;
  if (parsed.arch === host || (parsed.arch === '386' && host === 'amd64')) return undefined;
  return QEMU_ARCH[parsed.arch];
}

export type BinfmtState = 'ready' | 'missing' | 'disabled' | 'no-fix-binary';

/** Is qemu-<arch> registered, enabled, and with the F flag? */
export function binfmtState(arch: string, dir: string = BINFMT_DIR): BinfmtState {
  const file = `${dir}/qemu-${arch}`;
  if (!existsSync(file)) return 'missing';
  const text = readFileSync(file, 'utf8');
  if (!/^enabled$/m.test(text)) return 'disabled';
  return /^flags:\s*\S*F/m.test(text) ? 'ready' : 'no-fix-binary';
}

export interface OsRelease {
  id: string;
  versionId: string;
}

/** ID and VERSION_ID of /etc/os-release (os-release(5)). */
export function readOsRelease(file = '/etc/os-release'): OsRelease | undefined {
  if (!existsSync(file)) return undefined;
  const fields = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z_]+)=(?:"([^"]*)"|(\S*))$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2] ?? m[3]]),
  );
  return fields.ID ? { id: fields.ID, versionId: fields.VERSION_ID ?? '' } : undefined;
}

/** The apt version (a glob) tool-pins.json pins for this distribution release, if any. */
export function pinnedQemuVersion(release: OsRelease | undefined): string | undefined {
  return release ? QEMU_PIN.versions[`${release.id} ${release.versionId}`] : undefined;
}

/** `apt-get install` of the package, pinned to `version` (apt matches a glob like 1:8.2.2+ds-0ubuntu1*). */
export function aptInstallArgs(version: string | undefined): string[] {
  return ['install', '-y', '-q', version ? `${QEMU_PIN.package}=${version}` : QEMU_PIN.package];
}

export interface RegisterQemuOptions {
  /** QEMU's name of the architecture, e.g. aarch64. */
  arch: string;
  env: NodeJS.ProcessEnv;
  runner?: Runner;
  log: (line: string) => void;
  warn?: (line: string) => void;
  binfmtDir?: string;
  osRelease?: OsRelease;
  /** Not root: apt and update-binfmts run through `sudo -n` (hosted runners allow it without a password). */
  asRoot?: boolean;
}

/** Registers qemu-<arch> unless it is ready; resolves to what it did, e.g. "installed qemu-user-static 1:8.2.2+ds-0ubuntu1.4". */
export async function registerQemu(o: RegisterQemuOptions): Promise<string> {
  const dir = o.binfmtDir ?? BINFMT_DIR;
  if (binfmtState(o.arch, dir) === 'ready') return `qemu-${o.arch} is already registered (flags F)`;
  const runner = o.runner ?? run;
  const root = o.asRoot ?? process.getuid?.() === 0;
  const privileged = (cmd: string, args: string[]): [string, string[]] =>
    root
      ? ['env', ['DEBIAN_FRONTEND=noninteractive', cmd, ...args]]
      : ['sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', cmd, ...args]];
  const sudo = async (cmd: string, args: string[], allowFailure = false) => {
    const [c, a] = privileged(cmd, args);
    return runner(c, a, { env: o.env, allowFailure, timeoutMs: 15 * 60_000, onLine: (_s, line) => o.log(line) });
  };

  const release = o.osRelease ?? readOsRelease();
  const version = pinnedQemuVersion(release);
  if (!version) {
    o.warn?.(
      `tool-pins.json pins no ${QEMU_PIN.package} version for ${release ? `${release.id} ${release.versionId}` : 'this system'}: installing the distribution's candidate`,
    );
  }
  o.log(`registering QEMU for ${o.arch}: apt-get install ${aptInstallArgs(version).slice(-1)[0]} (apt verifies the archive's signature)`);
  await sudo('apt-get', ['update', '-q']);
  await sudo('apt-get', aptInstallArgs(version));
  if (binfmtState(o.arch, dir) !== 'ready') {
    // Installed, but not (or not with F) registered: binfmt-support's update-binfmts, else systemd's loader.
    await sudo('update-binfmts', ['--enable', `qemu-${o.arch}`], true);
    if (binfmtState(o.arch, dir) !== 'ready') await sudo('systemctl', ['restart', 'systemd-binfmt'], true);
  }
  const state = binfmtState(o.arch, dir);
  if (state !== 'ready') {
    throw new Error(
      `QEMU for ${o.arch} is installed but binfmt_misc has qemu-${o.arch} ${state === 'missing' ? 'not registered' : state === 'disabled' ? 'disabled' : 'without the F flag (it would not work inside containers)'}: register it on this runner, or build the platform on a native runner`,
    );
  }
  const installed = await runner('dpkg-query', ['-W', '-f=${Version}', QEMU_PIN.package], { env: o.env, allowFailure: true });
  return `installed ${QEMU_PIN.package} ${installed.stdout.trim() || '(version unknown)'}; qemu-${o.arch} registered (flags F)`;
}
