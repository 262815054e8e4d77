// Checked against the real go on PATH (Go 1.26): `go help list` documents -deps (dependencies
// before dependents, each package once), -e (errors as the Error field instead of a failure) and
// -json=FIELDS (Go 1.19+: only those fields).
import { goModuleInputs } from '../../src/core/inputs/goModule.js';
import { goListArgs, goPackageLister, parseGoListOutput } from '../../src/tools/goList.js';
import { tempRepo } from '../helpers/gitRepo.js';

describe('goListArgs', () => {
  it('asks for the dependency closure as JSON, errors included', () => {
    expect(goListArgs(['./cmd/api']).slice(0, 3)).toEqual(['list', '-e', '-deps']);
    expect(goListArgs(['./cmd/api'])[3]).toMatch(/^-json=ImportPath,Dir,Standard,Module,Error,DepsErrors,GoFiles,/);
  });
});

describe('goPackageLister (real go)', () => {
  const repo = tempRepo({
    'go.mod': 'module example.com/m\n\ngo 1.22\n',
    'cmd/app/main.go':
      'package main\n\nimport (\n\t_ "embed"\n\t"example.com/m/lib"\n)\n\n//go:embed banner.txt\nvar banner string\n\nfunc main() { println(lib.X, banner) }\n',
    'cmd/app/banner.txt': 'hi',
    'lib/lib.go': 'package lib\n\nconst X = 1\n',
    'lib/lib_arm64.go': 'package lib\n\nconst Y = 2\n',
    'broken/main.go': 'package main\n\nimport "example.com/m/missing"\n\nfunc main() {}\n',
  });
  afterAll(() => repo.remove());

  it('lists the packages with their files, the excluded-by-platform ones too', async () => {
    const packages = await goPackageLister()({
      cwd: repo.root,
      patterns: ['./cmd/app'],
      env: { GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' },
    });
    const local = packages.filter((p) => !p.standard);
    expect(local.map((p) => [p.importPath, p.files.sort()])).toEqual([
      ['example.com/m/lib', ['lib.go', 'lib_arm64.go']],
      ['example.com/m/cmd/app', ['banner.txt', 'main.go']],
    ]);
    expect(local[0].goMod).toBe(`${repo.root}/go.mod`);
    expect(packages.some((p) => p.standard)).toBe(true);
  });

  it("says which package is broken, in Go's words", async () => {
    await expect(goPackageLister()({ cwd: repo.root, patterns: ['./broken'], env: {} })).rejects.toThrow(/^go list: .*missing/);
  });

  it('refuses a pattern that go would read as a flag', async () => {
    await expect(goPackageLister()({ cwd: repo.root, patterns: ['-toolexec=x'], env: {} })).rejects.toThrow(
      '-toolexec=x is not a package path',
    );
  });

  it('gives per platform files and the union for selection', async () => {
    const inputs = await goModuleInputs(repo.root, '.', { ko_config: { import_path: './cmd/app' } }, ['linux/amd64'], goPackageLister());
    expect(await inputs.files()).toEqual(['cmd/app/banner.txt', 'cmd/app/main.go', 'go.mod', 'lib/lib.go', 'lib/lib_arm64.go']);
    expect(inputs.covers('lib/new.go')).toBe(true);
    expect(inputs.covers('lib/notes.md')).toBe(false);
    expect(inputs.covers('broken/main.go')).toBe(false);
  });

  it('falls back to the whole module, with a warning, when go cannot list', async () => {
    const inputs = await goModuleInputs(repo.root, '.', { ko_config: { import_path: './broken' } }, ['linux/amd64'], goPackageLister());
    expect(inputs.covers('anything/at/all')).toBe(true);
    expect(inputs.warnings[0]).toMatch(/^\.: Go could not list the packages \(go list: .*missing/);
  });

  it('parses nothing from empty output', () => {
    expect(parseGoListOutput('')).toEqual([]);
  });
});
