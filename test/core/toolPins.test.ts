// One pin file (tool-pins.json) for the TypeScript and the scripts: both read the same versions,
// and no code names a pinned version on its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNNER_TOOLS } from '../../src/action/toolSetup.js';
import { LOCAL_KANIKO_IMAGE } from '../../src/tools/kaniko.js';
import { GO_TOOL_PINS, goInstallTarget, KANIKO_VERSION, SPIN_CHECKSUMS, SPIN_GO_TOOLCHAIN, SPIN_VERSION } from '../../src/core/toolPins.js';
import { pinnedChecksum } from '../../src/tools/spin.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const bash = (script: string) => execFileSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8' });

function files(dir: string, ending: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path, ending);
    return entry.name.endsWith(ending) ? [path] : [];
  });
}

describe('tool pins', () => {
  it('are what scripts/install-tools.sh installs (it reads them through scripts/lib/pins.sh)', () => {
    const versions = bash('scripts/install-tools.sh --versions').trim().split('\n');
    expect(versions).toEqual(Object.entries(GO_TOOL_PINS).map(([name, pin]) => `${name} ${pin.version}`));
    expect(bash('scripts/install-tools.sh --list').trim().split(' ')).toEqual([
      'apt',
      'binfmt',
      'containers-conf',
      ...Object.keys(GO_TOOL_PINS),
    ]);
  });

  it('give scripts/kaniko-image.sh the Kaniko version the backend expects in the image tag', () => {
    expect(bash('. scripts/lib/pins.sh && hephy_pin_version kaniko').trim()).toBe(KANIKO_VERSION);
    expect(LOCAL_KANIKO_IMAGE).toBe(`localhost/hephy/kaniko-executor:${KANIKO_VERSION}`);
    const missing = spawnSync('bash', ['-c', '. scripts/lib/pins.sh && hephy_pin_version nope'], { cwd: ROOT, encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('tool-pins.json pins no Go tool named nope');
  });

  it('give the action the pins of ko, crane and the Kaniko executor, with the package of each binary', () => {
    expect(RUNNER_TOOLS.ko).toEqual({ name: 'ko', pin: GO_TOOL_PINS.ko, binary: 'ko', package: '.' });
    expect(goInstallTarget('crane').module).toBe('github.com/google/go-containerregistry/cmd/crane');
    expect(RUNNER_TOOLS.crane.package).toBe('cmd/crane');
    expect(RUNNER_TOOLS.kaniko).toMatchObject({ binary: 'executor', package: 'cmd/executor', pin: GO_TOOL_PINS.kaniko });
  });

  it('pin the h1: module checksum of every Go tool (what go mod download -json reports as Sum)', () => {
    for (const pin of Object.values(GO_TOOL_PINS)) expect(pin.sum).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
  });

  it('pin a SHA-256 for each Spin release tarball', () => {
    for (const arch of ['amd64', 'aarch64'] as const) expect(pinnedChecksum(SPIN_VERSION, arch)).toMatch(/^[a-f0-9]{64}$/);
    expect(Object.keys(SPIN_CHECKSUMS)).toEqual([SPIN_VERSION]);
  });

  it('are written nowhere else in code: scripts and the TypeScript name no pinned version themselves', () => {
    const versions = [...Object.values(GO_TOOL_PINS).map((pin) => pin.version), SPIN_VERSION, SPIN_GO_TOOLCHAIN];
    const offenders: string[] = [];
    const sources = [...files(join(ROOT, 'scripts'), '.sh'), ...files(join(ROOT, 'src'), '.ts')];
    for (const file of sources) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // Comments may cite the version a fact was read from (e.g. the flags of kaniko v1.25.5).
          const code = line.trim().startsWith('#') || /^\s*(\/\/|\*|\/\*)/.test(line) ? '' : line;
          for (const version of versions) {
            if (code.includes(version)) offenders.push(`${relative(ROOT, file)}:${i + 1}: ${version}`);
          }
        });
    }
    expect(offenders).toEqual([]);
  });
});
