// `go list -deps -json` for the plan: which packages a main package builds from, per platform
// (src/core/inputs/goModule.ts turns them into input files). Fields and their meaning: `go help
// list` (Go 1.26; `-json=FIELDS` since Go 1.19 prints only those). `-e` keeps going past a broken
// package so that its error, not a bare exit code, is what the plan shows.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { GoListRequest, GoPackage, GoPackageLister } from '../core/inputs/goModule.js';
import { run, type Runner } from './exec.js';

/** Every per-package file list go list has; together, every file `go build` may read. */
const FILE_FIELDS = [
  'GoFiles',
  'CgoFiles',
  'CFiles',
  'CXXFiles',
  'MFiles',
  'HFiles',
  'FFiles',
  'SFiles',
  'SwigFiles',
  'SwigCXXFiles',
  'SysoFiles',
  'EmbedFiles',
  'IgnoredGoFiles',
  'IgnoredOtherFiles',
] as const;

const FIELDS = ['ImportPath', 'Dir', 'Standard', 'Module', 'Error', 'DepsErrors', ...FILE_FIELDS];

export function goListArgs(patterns: readonly string[], extraFields: readonly string[] = []): string[] {
  // `--` would be read as a package pattern by go list; patterns come from the config, so one
  // starting with `-` is refused by the caller (koListPattern) instead.
  return ['list', '-e', '-deps', `-json=${[...FIELDS, ...extraFields].join(',')}`, ...patterns];
}

interface GoListJson {
  ImportPath?: string;
  Dir?: string;
  Standard?: boolean;
  Module?: { GoMod?: string; Replace?: { GoMod?: string } };
  Error?: { Err?: string };
  DepsErrors?: { Err?: string }[];
  [field: string]: unknown;
}

/** go list prints one JSON object per package, one after the other (not an array). */
function goListObjects(stdout: string): GoListJson[] {
  return stdout
    .split(/^}$/m)
    .map((chunk) => chunk.trim())
    .filter((text) => text !== '')
    .map((text) => JSON.parse(`${text}\n}`) as GoListJson);
}

function toPackage(json: GoListJson & { ImportPath: string; Dir: string }): GoPackage {
  const files = FILE_FIELDS.flatMap((field) => (Array.isArray(json[field]) ? (json[field] as string[]) : []));
  return {
    importPath: json.ImportPath,
    dir: json.Dir,
    standard: json.Standard === true,
    files,
    goMod: json.Module?.Replace?.GoMod ?? json.Module?.GoMod,
  };
}

export function parseGoListOutput(stdout: string): GoPackage[] {
  const packages: GoPackage[] = [];
  const errors: string[] = [];
  for (const json of goListObjects(stdout)) {
    if (json.Error?.Err) errors.push(`${json.ImportPath ?? '?'}: ${json.Error.Err}`);
    if (!json.ImportPath || !json.Dir) continue;
    packages.push(toPackage({ ...json, ImportPath: json.ImportPath, Dir: json.Dir }));
  }
  // A package that does not build has inputs we cannot know: the caller falls back to the module.
  if (errors.length > 0) throw new Error(`go list: ${errors[0]}`);
  return packages;
}

/** A GoPackageLister that runs the `go` on PATH with the platform's environment. */
export function goPackageLister(runner: Runner = run, baseEnv: NodeJS.ProcessEnv = process.env): GoPackageLister {
  return async (request: GoListRequest) => {
    const bad = request.patterns.find((pattern) => pattern.startsWith('-'));
    if (bad) throw new Error(`${bad} is not a package path`);
    const result = await runner('go', goListArgs(request.patterns), {
      cwd: request.cwd,
      env: { ...baseEnv, ...request.env },
      timeoutMs: 10 * 60 * 1000,
    });
    return parseGoListOutput(result.stdout);
  };
}

/** `go env GOVERSION` of the go on PATH (e.g. go1.26.8): the compiler ko builds with. */
export async function goVersion(env: NodeJS.ProcessEnv = process.env, runner: Runner = run): Promise<string | undefined> {
  const result = await runner('go', ['env', 'GOVERSION'], { env, allowFailure: true }).catch(() => undefined);
  return result?.code === 0 ? result.stdout.trim() || undefined : undefined;
}

/** The go.mod that holds `dir` (its nearest, up to `root`), or undefined. */
function moduleFileOf(root: string, dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'go.mod'))) return join(at, 'go.mod');
    if (at === root || !at.startsWith(root + sep)) return undefined;
  }
}

/** A go.mod's `module` path and `go` version, or undefined for a file it cannot read. */
function moduleLine(goMod: string): { path: string; go?: string } | undefined {
  try {
    const text = readFileSync(goMod, 'utf8');
    const path = /^module\s+"?([^\s"]+)"?\s*$/m.exec(text)?.[1];
    return path ? { path, go: /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(text)?.[1] } : undefined;
  } catch {
    return undefined;
  }
}

const newerGo = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0) ? a : b;
  return a;
};

interface Pending {
  request: GoListRequest;
  resolve: (packages: GoPackage[]) => void;
  reject: (error: unknown) => void;
}

/**
 * A GoPackageLister for a whole plan: the requests made at the same time (every ko app of the
 * plan, one platform each) are answered by one `go list` per platform environment instead of one
 * per app and platform (a 500-directory monorepo had 332), in workspace mode over every module
 * they name (GOWORK pointing at a go.work of our own: `go help work`). Each app gets its main
 * package and the packages in its `Deps`, as the single listing gives them.
 *
 * Workspace mode is not how ko builds an app, so only modules it cannot change the answer for
 * take part: no go.work of the repository's own (the build would use it), no vendor/ directory
 * (workspace mode ignores it, and vendored files are inputs), distinct module paths. One module
 * requiring another of the batch reads the other's local files instead of the module cache's
 * copy: more inputs, never fewer. Anything else, and any error, falls back to `single` per app.
 */
export function workspaceGoPackageLister(
  root: string,
  single: GoPackageLister = goPackageLister(),
  runner: Runner = run,
  baseEnv: NodeJS.ProcessEnv = process.env,
): GoPackageLister {
  const absRoot = resolve(root);
  let queue: Pending[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    const groups = new Map<string, Pending[]>();
    for (const item of batch) {
      const key = JSON.stringify(Object.entries(item.request.env).sort());
      groups.set(key, [...(groups.get(key) ?? []), item]);
    }
    for (const group of groups.values()) void answerGroup(group);
  };
  const alone = (item: Pending) => single(item.request).then(item.resolve, item.reject);

  async function answerGroup(group: Pending[]): Promise<void> {
    if (group.length < 2 || baseEnv.GOWORK || baseEnv.GOFLAGS || existsSync(join(absRoot, 'go.work'))) {
      await Promise.all(group.map(alone));
      return;
    }
    const modules = new Map<string, string>(); // module dir -> module path
    let goVersion = '1.22';
    const batched: Array<Pending & { pattern: string }> = [];
    const rest: Pending[] = [];
    for (const item of group) {
      const goMod = moduleFileOf(absRoot, resolve(item.request.cwd));
      const line = goMod && moduleLine(goMod);
      const moduleDir = goMod && dirname(goMod);
      const [pattern] = item.request.patterns;
      // A pattern that reads as an option is the single lister's to refuse.
      const unfit = !pattern || pattern.startsWith('-') || item.request.patterns.length !== 1;
      if (unfit || !goMod || !line || !moduleDir || existsSync(join(moduleDir, 'vendor'))) {
        rest.push(item);
        continue;
      }
      if ([...modules].some(([dir, path]) => path === line.path && dir !== moduleDir)) {
        rest.push(item);
        continue;
      }
      modules.set(moduleDir, line.path);
      if (line.go) goVersion = newerGo(goVersion, line.go);
      // A directory pattern is relative to the app; the batch runs at the repository root.
      const atRoot = pattern.startsWith('.') ? `./${relative(absRoot, resolve(item.request.cwd, pattern)).split(sep).join('/')}` : pattern;
      batched.push({ ...item, pattern: atRoot === './' ? '.' : atRoot });
    }
    const answers = batched.length > 1 ? await listWorkspace(batched, [...modules.keys()], goVersion, group[0].request.env) : undefined;
    await Promise.all([
      ...rest.map(alone),
      ...batched.map((item) => {
        const packages = answers?.get(item.pattern);
        return packages ? Promise.resolve(item.resolve(packages)) : alone(item);
      }),
    ]);
  }

  /** One workspace `go list`; per pattern, its packages, or nothing for a pattern to list alone. */
  async function listWorkspace(
    items: Array<{ pattern: string }>,
    moduleDirs: string[],
    goVersion: string,
    env: Record<string, string>,
  ): Promise<Map<string, GoPackage[]> | undefined> {
    const temp = mkdtempSync(join(tmpdir(), 'hephy-gowork-'));
    try {
      const work = join(temp, 'go.work');
      writeFileSync(work, `go ${goVersion}\n\nuse (\n${moduleDirs.map((dir) => `\t${JSON.stringify(dir)}\n`).join('')})\n`);
      const patterns = [...new Set(items.map((item) => item.pattern))];
      const result = await runner('go', goListArgs(patterns, ['Deps', 'Match', 'DepsErrors']), {
        cwd: absRoot,
        // GOTOOLCHAIN=local: a go line newer than this Go is an error (then each app alone), never a download.
        env: { ...baseEnv, ...env, GOWORK: work, GOTOOLCHAIN: 'local' },
        timeoutMs: 10 * 60 * 1000,
      });
      const all = goListObjects(result.stdout);
      const byPath = new Map(all.filter((p) => p.ImportPath).map((p) => [p.ImportPath!, p]));
      const answers = new Map<string, GoPackage[]>();
      for (const pattern of patterns) {
        const mains = all.filter((p) => Array.isArray(p.Match) && (p.Match as string[]).includes(pattern));
        const closure = new Map<string, GoListJson>();
        for (const main of mains) {
          closure.set(main.ImportPath!, main);
          for (const dep of (main.Deps as string[] | undefined) ?? []) {
            const found = byPath.get(dep);
            if (found) closure.set(dep, found);
          }
        }
        const broken = mains.length === 0 || [...closure.values()].some((p) => p.Error?.Err || p.DepsErrors?.length || !p.Dir);
        if (!broken)
          answers.set(
            pattern,
            [...closure.values()].map((p) => toPackage({ ...p, ImportPath: p.ImportPath!, Dir: p.Dir! })),
          );
      }
      return answers;
    } catch {
      return undefined;
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }

  return (request) =>
    new Promise<GoPackage[]>((resolveRequest, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ request, resolve: resolveRequest, reject });
    });
}
