// What `npm pack` puts in the package: everything `hephy-builder run` runs at run time, and of
// scripts/ nothing else. test/e2e/package.test.ts installs the tarball and runs it for real.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, normalize } from 'node:path';
import { RUN_TIME_SCRIPTS } from '../src/tools/localServices.js';

const packed: string[] = (
  JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as {
    files: { path: string; mode: number }[];
  }[]
)[0].files.map((f) => f.path);

/** Files a script names relative to itself ("$HERE/x", "$HERE/../x"), as package paths. */
function filesNamedBy(script: string): string[] {
  const text = readFileSync(script, 'utf8');
  return [...text.matchAll(/\$(?:HERE|here)\/([A-Za-z0-9_./-]+)/g)].map((m) => normalize(join(script, '..', m[1])));
}

describe('the npm package', () => {
  it('holds the CLI and action bundles the bin and action.yml run', () => {
    expect(packed).toEqual(
      expect.arrayContaining(['bin/hephy-builder.js', 'dist/cli/index.js', 'dist/action/index.js', 'action.yml', 'package.json']),
    );
    expect(readFileSync('bin/hephy-builder.js', 'utf8')).toContain("import('../dist/cli/index.js')");
  });

  it('holds every script `run` runs, and every file those scripts run in turn', () => {
    const needed = new Set<string>();
    const queue = RUN_TIME_SCRIPTS.map((name) => `scripts/${name}`);
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (needed.has(file)) continue;
      needed.add(file);
      if (file.endsWith('.sh')) queue.push(...filesNamedBy(file));
    }
    expect(needed).toContain('scripts/lib/common.sh');
    expect(needed).toContain('scripts/lib/oci_layout.py');
    expect(packed).toEqual(expect.arrayContaining([...needed]));
    // Only those: dev and test scripts (test.sh, act.sh, ...) stay in the repository.
    expect(packed.filter((f) => f.startsWith('scripts/')).sort()).toEqual([...needed].sort());
  });

  it('holds the pin file the scripts read their tool versions from (scripts/lib/pins.sh)', () => {
    expect(readFileSync('scripts/lib/pins.sh', 'utf8')).toContain('/../.." && pwd)/tool-pins.json');
    expect(packed).toContain('tool-pins.json');
  });

  // ncc bundles every library into dist/, so an install pulls nothing: the package declares no
  // dependencies, and the bundles load nothing but Node's own modules.
  it('declares no runtime dependencies, and its bundles need only Node built-in modules', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    for (const bundle of ['dist/cli/index.js', 'dist/action/index.js']) {
      const loaded = [...readFileSync(bundle, 'utf8').matchAll(/__WEBPACK_EXTERNAL_createRequire\(import\.meta\.url\)\("([^"]+)"\)/g)].map(
        (m) => m[1],
      );
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((name) => !builtinModules.includes(name.replace(/^node:/, '')))).toEqual([]);
    }
  });
});
