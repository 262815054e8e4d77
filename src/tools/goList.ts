// `go list -deps -json` for the plan: which packages a main package builds from, per platform
// (src/core/inputs/goModule.ts turns them into input files). Fields and their meaning: `go help
// list` (Go 1.26; `-json=FIELDS` since Go 1.19 prints only those). `-e` keeps going past a broken
// package so that its error, not a bare exit code, is what the plan shows.
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

export function goListArgs(patterns: readonly string[]): string[] {
  // `--` would be read as a package pattern by go list; patterns come from the config, so one
  // starting with `-` is refused by the caller (koListPattern) instead.
  return ['list', '-e', '-deps', `-json=${FIELDS.join(',')}`, ...patterns];
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
export function parseGoListOutput(stdout: string): GoPackage[] {
  const packages: GoPackage[] = [];
  const errors: string[] = [];
  for (const chunk of stdout.split(/^}$/m)) {
    const text = chunk.trim();
    if (!text) continue;
    const json = JSON.parse(`${text}\n}`) as GoListJson;
    if (json.Error?.Err) errors.push(`${json.ImportPath ?? '?'}: ${json.Error.Err}`);
    if (!json.ImportPath || !json.Dir) continue;
    const files = FILE_FIELDS.flatMap((field) => (Array.isArray(json[field]) ? (json[field] as string[]) : []));
    packages.push({
      importPath: json.ImportPath,
      dir: json.Dir,
      standard: json.Standard === true,
      files,
      goMod: json.Module?.Replace?.GoMod ?? json.Module?.GoMod,
    });
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
