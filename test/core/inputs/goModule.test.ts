// The package a ko app's inputs are listed from: the same choice as the ko backend's
// (core/goPackages.ts defaultImportPath), and ko's own `ko://` scheme stripped as ko strips it
// (ko v0.19.1 pkg/build/strict.go) before `go list` sees the path. Go itself is stood in for by a
// lister that records what it was asked (test/tools/goList.test.ts runs the real go list).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goModuleInputs, type GoListRequest } from '../../../src/core/inputs/goModule.js';
import { tempDir } from '../../helpers/gitRepo.js';

describe('goModuleInputs: which package', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('go-inputs-');
    writeFileSync(join(root, 'go.mod'), 'module example.com/app\n\ngo 1.22\n');
    mkdirSync(join(root, 'cmd', 'app'), { recursive: true });
    writeFileSync(join(root, 'cmd', 'app', 'main.go'), 'package main\n');
    // Not a package: the go command never builds testdata, and ko's default is the one real command.
    mkdirSync(join(root, 'cmd', 'testdata'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const asked = async (importPath?: string) => {
    const requests: GoListRequest[] = [];
    const inputs = await goModuleInputs(
      root,
      '.',
      importPath ? { ko_config: { import_path: importPath } } : {},
      ['linux/amd64'],
      async (request) => {
        requests.push(request);
        return [];
      },
    );
    return { patterns: requests.map((r) => r.patterns), warnings: inputs.warnings };
  };

  it('lists the one command under cmd/ when import_path is unset, as the ko backend builds it', async () => {
    expect(await asked()).toEqual({ patterns: [['./cmd/app']], warnings: [] });
  });

  it('strips ko:// from import_path before go list', async () => {
    expect(await asked('ko://./cmd/app')).toEqual({ patterns: [['./cmd/app']], warnings: [] });
  });

  it('with several commands and no import_path, warns and counts the module instead', async () => {
    mkdirSync(join(root, 'cmd', 'other'));
    writeFileSync(join(root, 'cmd', 'other', 'main.go'), 'package main\n');
    const result = await asked();
    expect(result.patterns).toEqual([]);
    expect(result.warnings.join('\n')).toContain('cmd/ holds 2 packages: set it to one of ./cmd/app, ./cmd/other');
  });
});
