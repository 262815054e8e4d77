// Checked against the real go on PATH (Go 1.26): `go help list` documents -deps (dependencies
// before dependents, each package once), -e (errors as the Error field instead of a failure) and
// -json=FIELDS (Go 1.19+: only those fields).
import { goModuleInputs } from '../../src/core/inputs/goModule.js';
import { run, type Runner } from '../../src/tools/exec.js';
import { goListArgs, goPackageLister, parseGoListOutput, workspaceGoPackageLister } from '../../src/tools/goList.js';
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

describe('workspaceGoPackageLister (real go): one go list per platform for a whole plan', () => {
  const repo = tempRepo({
    // One module at the root with two apps, one importing a library from outside its directory.
    'go.mod': 'module example.com/m\n\ngo 1.22\n',
    'apps/api/main.go': 'package main\n\nimport "example.com/m/libs/common"\n\nfunc main() { println(common.X) }\n',
    'apps/web/main.go': 'package main\n\nfunc main() {}\n',
    'libs/common/common.go': 'package common\n\nconst X = 1\n',
    'libs/common/common_arm64.go': 'package common\n\nconst Y = 2\n',
    // A module of its own, as a generated monorepo's services are.
    'svc/go.mod': 'module example.com/svc\n\ngo 1.21\n',
    'svc/cmd/svc/main.go': 'package main\n\nimport "example.com/svc/internal/x"\n\nfunc main() { println(x.Y) }\n',
    'svc/internal/x/x.go': 'package x\n\nconst Y = 3\n',
    // A vendored module: workspace mode ignores vendor/, so it is listed alone.
    'vend/go.mod': 'module example.com/vend\n\ngo 1.22\n',
    'vend/main.go': 'package main\n\nfunc main() {}\n',
    'vend/vendor/modules.txt': '',
    // A broken app: its error must be the single listing's, in Go's words.
    'bad/go.mod': 'module example.com/bad\n\ngo 1.22\n',
    'bad/main.go': 'package main\n\nimport "example.com/bad/missing"\n\nfunc main() {}\n',
  });
  afterAll(() => repo.remove());

  const requests = (env: Record<string, string>) => [
    { cwd: `${repo.root}/apps/api`, patterns: ['.'], env },
    { cwd: `${repo.root}/apps/web`, patterns: ['.'], env },
    { cwd: `${repo.root}/svc`, patterns: ['./cmd/svc'], env },
    { cwd: `${repo.root}/vend`, patterns: ['.'], env },
  ];
  const local = (packages: { importPath: string; dir: string; standard: boolean; files: string[]; goMod?: string }[]) =>
    packages
      .filter((p) => !p.standard)
      .map((p) => ({ ...p, files: [...p.files].sort() }))
      .sort((a, b) => a.importPath.localeCompare(b.importPath));

  it('gives every app what its own go list gives, with one go list per platform for the modules it can batch', async () => {
    const calls: string[][] = [];
    const counting: Runner = (command, args, options) => {
      calls.push([command, ...args]);
      return run(command, args, options);
    };
    const batched = workspaceGoPackageLister(repo.root, goPackageLister(counting), counting);
    const single = goPackageLister();
    for (const arch of ['amd64', 'arm64']) {
      calls.length = 0;
      const env = { GOOS: 'linux', GOARCH: arch, CGO_ENABLED: '0' };
      const together = await Promise.all(requests(env).map((r) => batched(r)));
      const alone = await Promise.all(requests(env).map((r) => single(r)));
      expect(together.map(local)).toEqual(alone.map(local));
      // One workspace listing for the root module's two apps and svc; vend/ alone.
      // calls: ['go', 'list', '-e', '-deps', '-json=...', ...patterns]
      expect(calls.map((c) => c.slice(5)).sort()).toEqual([['.'], ['./apps/api', './apps/web', './svc/cmd/svc']]);
    }
    expect(local(await batched(requests({ GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' })[0])).map((p) => p.importPath)).toEqual([
      'example.com/m/apps/api',
      'example.com/m/libs/common',
    ]);
  });

  it("leaves a broken app to its own listing, which says what is wrong in Go's words", async () => {
    const batched = workspaceGoPackageLister(repo.root);
    const env = { GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' };
    const [bad, web] = await Promise.allSettled([
      batched({ cwd: `${repo.root}/bad`, patterns: ['.'], env }),
      batched({ cwd: `${repo.root}/apps/web`, patterns: ['.'], env }),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/^go list: .*missing/) } });
    expect(web.status).toBe('fulfilled');
  });

  it('refuses a pattern that go would read as a flag, as the single listing does', async () => {
    const batched = workspaceGoPackageLister(repo.root);
    const env = { GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' };
    const results = await Promise.allSettled([
      batched({ cwd: `${repo.root}/apps/web`, patterns: ['-toolexec=x'], env }),
      batched({ cwd: `${repo.root}/apps/api`, patterns: ['.'], env }),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { message: '-toolexec=x is not a package path' } });
  });
});
