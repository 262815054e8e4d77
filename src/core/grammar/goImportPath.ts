// Go package paths as the go command checks them, so that ko_config.import_path is only ever a
// package to build.
//
// Source: golang.org/x/mod v0.38.0 module/module.go: `CheckImportPath` -> `checkPath(path,
// importPath)` -> `checkElem` (ASCII letters, digits and `- . _ ~ +`; no leading `-`; no `//`;
// no trailing `/`; no element of dots only or ending in `.`; no Windows-reserved element name;
// no element ending in `~` and digits). ko builds such an import path, or a package directory
// relative to the Go module: `.`, `./cmd/app`, `../app` (ko's `qualifyLocalImport`), checked here
// element by element with the same rules, `..` allowed, the repository boundary being checked
// against the filesystem elsewhere (core/repoPath.ts).

// module.go badWindowsNames.
const WINDOWS_RESERVED = new Set([
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...Array.from({ length: 9 }, (_, i) => `COM${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `LPT${i + 1}`),
]);

/** module.go importPathOK: modPathOK (ASCII letters, digits, `- . _ ~`) or `+`. */
const ELEMENT_CHARACTERS = /^[A-Za-z0-9\-._~+]+$/;

function elementProblem(element: string): string | undefined {
  if (element === '') return 'it has an empty path element';
  if (/^\.+$/.test(element)) return `\`${element}\` is not a valid path element`;
  if (element.endsWith('.')) return `the path element \`${element}\` ends with \`.\``;
  if (!ELEMENT_CHARACTERS.test(element)) {
    const bad = [...element].find((c) => !ELEMENT_CHARACTERS.test(c)) ?? '';
    return /\s/.test(bad) ? 'it contains whitespace' : `it contains \`${bad}\` (letters, digits and - . _ ~ + only)`;
  }
  const short = element.split('.')[0];
  if (WINDOWS_RESERVED.has(short.toUpperCase())) return `\`${short}\` is a reserved name on Windows`;
  if (/~[0-9]+$/.test(short)) return `the path element \`${element}\` ends with \`~\` and digits`;
  return undefined;
}

/** Why `path` is not a valid Go import path (CheckImportPath), or undefined. */
export function importPathProblem(path: string): string | undefined {
  if (path === '') return 'it is empty';
  if (path.startsWith('-')) return 'it starts with `-`, which ko would read as an option';
  if (path.includes('//')) return 'it contains `//`';
  if (path.endsWith('/')) return 'it ends with `/`';
  for (const element of path.split('/')) {
    const problem = elementProblem(element);
    if (problem) return problem;
  }
  return undefined;
}

const KO_STRICT_SCHEME = 'ko://';

/** `.`, `./x/y` or `../x`: a package directory relative to the module, as ko takes one. */
export function isRelativePackage(path: string): boolean {
  return path === '.' || path === '..' || path.startsWith('./') || path.startsWith('../');
}

/** Why `value` is not a package ko can be asked to build (an import path or a relative package), or undefined. */
export function koImportPathProblem(written: string): string | undefined {
  // ko's strict scheme (pkg/build/strict.go, StrictScheme "ko://") only says the path must be a
  // Go package; what follows it is checked like any other path.
  const value = written.startsWith(KO_STRICT_SCHEME) ? written.slice(KO_STRICT_SCHEME.length) : written;
  if (value === '') return 'it names no package after `ko://`';
  if (value.startsWith('-')) return 'it starts with `-`, which ko would read as an option';
  if (!isRelativePackage(value)) return importPathProblem(value);
  const elements = value.split('/').filter((element, i) => !(i === 0 && element === '.'));
  if (value.endsWith('/')) return 'it ends with `/`';
  for (const element of elements) {
    if (element === '..') continue;
    if (element === '...') return 'a `...` pattern names many packages; ko builds one image from one package';
    const problem = elementProblem(element);
    if (problem) return problem;
  }
  return undefined;
}
