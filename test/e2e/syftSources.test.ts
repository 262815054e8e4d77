// The SBOM of a Spin app's sources, with the real syft (v1.57.1, tool-pins.json): what its lock
// files declare, nothing read through a symbolic link that leads out of the app's directory, and
// nothing from node_modules (installed copies, which can carry lock files of their own). The
// arguments are the leg's own (src/tools/syft.ts syftScanArgs, a `dir` source).
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, toolEnv } from '../../src/tools/paths.js';
import { syftScan } from '../../src/tools/syft.js';
import { tempDir } from './harness.js';

/** A package-lock.json (lockfileVersion 3) declaring one package. */
const lockDeclaring = (name: string) =>
  JSON.stringify({
    name: 'x',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'x', dependencies: { [name]: '1.0.0' } }, [`node_modules/${name}`]: { version: '1.0.0' } },
  });

describe('syft on a source directory (e2e, the real syft)', () => {
  it('lists what the lock files inside declare, never what a link out of the directory or node_modules holds', async () => {
    const base = tempDir('syft-sources');
    const app = join(base, 'app');
    const outside = join(base, 'outside');
    mkdirSync(outside);
    cpSync(join(packageRoot(), 'examples', 'spin-go'), app, { recursive: true, filter: (s) => !s.includes('node_modules') });
    writeFileSync(join(outside, 'package-lock.json'), lockDeclaring('leaked-through-a-link'));
    symlinkSync(outside, join(app, 'absolute-link'));
    symlinkSync('../outside', join(app, 'relative-link'));
    mkdirSync(join(app, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(join(app, 'component'));
    // syft skips package-lock.json files under node_modules itself (parse_package_lock.go), not
    // other ecosystems' lock files that npm packages ship: a Cargo.lock here would be listed.
    writeFileSync(
      join(app, 'node_modules', 'dep', 'Cargo.lock'),
      'version = 3\n\n[[package]]\nname = "installed-copy"\nversion = "1.0.0"\n',
    );
    writeFileSync(join(app, 'component', 'Cargo.lock'), 'version = 3\n\n[[package]]\nname = "declared-crate"\nversion = "0.2.0"\n');
    writeFileSync(join(app, 'component', 'package-lock.json'), lockDeclaring('declared-inside'));

    const { text } = await syftScan(
      {
        source: { kind: 'dir', path: app, basePath: app },
        outputFile: join(base, 'sbom.spdx.json'),
        name: 'registry.example/app',
        version: `sha256:${'a'.repeat(64)}`,
      },
      { env: toolEnv(), cwd: base },
    );
    const names = (JSON.parse(text).packages as Array<{ name: string }>).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['declared-inside', 'declared-crate', '@bytecodealliance/preview2-shim', 'example.com/hephy/spin-go']),
    );
    expect(names).not.toContain('leaked-through-a-link');
    expect(names).not.toContain('installed-copy');
  });
});
