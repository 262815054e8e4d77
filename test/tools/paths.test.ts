import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageFile, packageRoot, toolEnv } from '../../src/tools/paths.js';

describe('packageRoot', () => {
  it('is two levels above the code: this checkout, holding package.json named hephy-builder', () => {
    expect(packageRoot()).toBe(resolve('.'));
    expect(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).name).toBe('hephy-builder');
    expect(packageFile('scripts', 'registry.sh')).toBe(resolve('scripts/registry.sh'));
  });

  it('is two levels above a bundle (dist/cli/index.js) too', () => {
    expect(packageRoot(pathToFileURL(resolve('dist/cli/index.js')).href)).toBe(resolve('.'));
  });

  it("never searches upward: a project's own package.json and scripts/ further up are not taken", () => {
    // The layout of an installed package under a user's project that has package.json + scripts/
    // of its own, with the code one level deeper than where we expect it (a moved bundle).
    const project = mkdtempSync(join(tmpdir(), 'hephy-paths-'));
    writeFileSync(join(project, 'package.json'), '{"name": "their-app"}');
    mkdirSync(join(project, 'scripts'));
    writeFileSync(join(project, 'scripts', 'install-tools.sh'), 'touch HACKED\n');
    const deeper = join(project, 'node_modules', 'hephy-builder', 'dist', 'cli', 'extra', 'index.js');
    expect(() => packageRoot(pathToFileURL(deeper).href)).toThrow(/is not the hephy-builder package/);
    // The user's package at the fixed place is not ours either.
    expect(() => packageRoot(pathToFileURL(join(project, 'a', 'b', 'index.js')).href)).toThrow(/is not the hephy-builder package/);
  });
});

describe('toolEnv', () => {
  it('puts the pinned tools first and drops PATH entries that name the working directory', () => {
    const env = toolEnv({ HOME: '/home/u', PATH: '/usr/bin::.:node_modules/.bin:/bin:' });
    expect(env.PATH).toBe('/home/u/.local/hephy-builder/bin:/usr/local/go/bin:/usr/bin:/bin');
    expect(env.HEPHY_TOOLS_DIR).toBe('/home/u/.local/hephy-builder');
    expect(toolEnv({ HEPHY_TOOLS_DIR: '/t', PATH: '' }).PATH).toBe('/t/bin:/usr/local/go/bin');
  });
});
