import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spinComponentPaths, spinComponentSources, spinManifestInputs } from '../../../src/core/inputs/spinManifest.js';
import { isIgnored } from '../../../src/tools/git.js';
import { tempRepo } from '../../helpers/gitRepo.js';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');

describe('spinComponentPaths', () => {
  it("reads each component's source, build workdir and files (Spin manifest v2)", () => {
    expect(spinComponentPaths(readFileSync(join(EXAMPLES, 'spin-go', 'spin.toml'), 'utf8'))).toEqual(['app.wasm', 'static']);
    expect(
      spinComponentPaths(
        '[component.a]\nsource = "../shared/target/a.wasm"\nfiles = ["assets/x.txt", { source = "../www", destination = "/" }]\n[component.a.build]\nworkdir = "../shared"\n',
      ),
    ).toEqual(['../shared/target/a.wasm', '../shared', 'assets/x.txt', '../www']);
  });
});

describe('spinComponentSources (what the architecture check reads)', () => {
  it('takes local sources of v2 tables and v1 arrays, in either quoting, and leaves remote components out', () => {
    const v2 =
      'spin_manifest_version = 2\n[component.a]\nsource = \'a.wasm\' # single quotes\n[component.b]\nsource = { url = "https://x/b.wasm", digest = "sha256:00" }\n[component.c]\nsource = """c.wasm"""\n';
    expect(spinComponentSources(v2)).toEqual(['a.wasm', 'c.wasm']);
    expect(spinComponentSources('spin_manifest_version = "1"\n[[component]]\nid = "a"\nsource = "target/a.wasm"\n')).toEqual([
      'target/a.wasm',
    ]);
    expect(() => spinComponentSources('[component.a\n')).toThrow();
  });
});

describe('spinManifestInputs', () => {
  it('takes the manifest directory and component dirs elsewhere, less what git ignores', async () => {
    const repo = tempRepo({
      '.gitignore': 'target/\n*.wasm\n',
      'apps/s/spin.toml': '[component.a]\nsource = "../../shared/target/a.wasm"\n[component.a.build]\nworkdir = "../../shared"\n',
      'apps/s/build-config.yaml': 'build_backend: spin\n',
      'apps/s/app.wasm': 'built',
      'shared/src/lib.rs': '',
      'shared/target/a.wasm': 'built',
      'other/x': '',
    });
    try {
      const inputs = spinManifestInputs(repo.root, 'apps/s', {}, (paths) => isIgnored(repo.root, paths));
      expect(await inputs.files()).toEqual(['apps/s/build-config.yaml', 'apps/s/spin.toml', 'shared/src/lib.rs']);
      expect(inputs.covers('shared/src/new.rs')).toBe(true);
      expect(inputs.covers('other/x')).toBe(false);
      expect(inputs.warnings).toEqual([]);
    } finally {
      repo.remove();
    }
  });

  it('falls back to the manifest directory, with a warning, when the manifest does not parse', () => {
    const repo = tempRepo({ 's/spin.toml': '[component.a\n' });
    try {
      const inputs = spinManifestInputs(repo.root, 's', {});
      expect(inputs.covers('s/anything')).toBe(true);
      expect(inputs.warnings[0]).toMatch(/^s\/spin\.toml: not read/);
    } finally {
      repo.remove();
    }
  });
});
