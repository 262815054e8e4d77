// The layering of src/ (docs/dev/architecture.md): each folder imports only from the folders
// below it, and no two files import each other, directly or around a loop. A new import that
// breaks either fails here, naming the file and the import.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** What each top folder of src/ may import from (besides itself and node/npm packages). */
const MAY_IMPORT: Record<string, string[]> = {
  core: [],
  tools: ['core'],
  backends: ['core', 'tools'],
  pipeline: ['core', 'tools', 'backends'],
  generator: ['core'],
  action: ['core', 'tools', 'backends', 'pipeline'],
  cli: ['core', 'tools', 'backends', 'pipeline', 'generator'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file, resolved to the files they name (.ts for code). */
function specifiersOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'|import\s*\(?\s*'(\.[^']+)'/g)].map(
    (m) => m[1] ?? m[2],
  );
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Data files (JSON, e.g. the tool pins) have no layer: only code imports count. */
const isData = (path: string) => path.endsWith('.json');
const importsOf = (file: string) => specifiersOf(file).filter((target) => !isData(target));

const topFolder = (file: string) => relative(SRC, file).split('/')[0];
const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the layers of src/', () => {
  it('has a rule for every top folder', () => {
    const folders = new Set(files.map(topFolder));
    expect([...folders].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('imports only downward', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = topFolder(file);
      for (const target of imports) {
        const to = topFolder(target);
        if (to !== from && !MAY_IMPORT[from]?.includes(to)) upward.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (state.get(target) === 'open') {
          cycles.push(
            stack
              .slice(stack.indexOf(target))
              .concat(target)
              .map((f) => relative(SRC, f))
              .join(' -> '),
          );
        } else if (!state.has(target)) {
          visit(target);
        }
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('resolves every relative import to a file of src/', () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => !graph.has(target)).map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`),
    );
    expect(missing).toEqual([]);
  });

  it('imports data only from files that exist', () => {
    const missing = files.flatMap((file) =>
      specifiersOf(file)
        .filter((target) => isData(target) && !existsSync(target))
        .map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('docs/dev/architecture.md', () => {
  const ROOT = fileURLToPath(new URL('..', import.meta.url));
  const doc = readFileSync(join(ROOT, 'docs/dev/architecture.md'), 'utf8');

  it('names only files that exist (paths from the repository root, or from src/)', () => {
    const paths = [...doc.matchAll(/`([\w./-]+\/[\w.-]+\.(?:ts|mjs|sh|json|yml|md))`/g)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(50);
    const missing = paths.filter((path) => !existsSync(join(ROOT, path)) && !existsSync(join(SRC, path)));
    expect(missing).toEqual([]);
  });
});
