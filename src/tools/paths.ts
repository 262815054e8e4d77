// Where the package's own files are, from either the sources (tests) or the ncc bundles (dist/).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name in our package.json: what packageRoot checks it found. */
export const PACKAGE_NAME = 'hephy-builder';

/**
 * The directory of our package.json, found at a FIXED place relative to this code, never by
 * searching: src/tools/paths.ts, dist/cli/index.js and dist/action/index.js all sit two levels
 * below it. ncc leaves `import.meta.url` alone in an ESM bundle (it is the bundle's own URL at run
 * time: see the `createRequire(import.meta.url)` lines of dist/cli/index.js), so the same two
 * levels hold there. Installed from npm that is node_modules/hephy-builder; a search upward from
 * there would reach the user's project and run ITS scripts/ (issue 11).
 * @param moduleUrl the URL of a module two levels below the root (default: this one's)
 * @throws Error when that directory holds no package.json named hephy-builder (a bundle moved
 *   elsewhere): the files we run at run time would not be there either.
 */
export function packageRoot(moduleUrl: string = import.meta.url): string {
  const root = resolve(dirname(fileURLToPath(moduleUrl)), '..', '..');
  let name: unknown;
  try {
    name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown }).name;
  } catch {
    name = undefined;
  }
  if (name !== PACKAGE_NAME)
    throw new Error(`hephy-builder's files are not where its code expects them: ${root} is not the ${PACKAGE_NAME} package`);
  return root;
}

/** A file the package ships, e.g. scripts/registry.sh (listed in package.json `files`). */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HEPHY_TOOLS_DIR || join(env.HOME || '/root', '.local', 'hephy-builder');
}

/**
 * PATH and CONTAINERS_CONF as scripts/env.sh sets them, for tools we spawn. PATH loses its empty
 * and relative entries: they name the working directory (the user's project), and a tool found
 * there would be the project's file, not the tool.
 */
export function toolEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tools = toolsDir(env);
  const inherited = (env.PATH ?? '').split(':').filter((dir) => isAbsolute(dir));
  const path = [join(tools, 'bin'), '/usr/local/go/bin', ...inherited].join(':');
  return {
    ...env,
    HEPHY_TOOLS_DIR: tools,
    PATH: path,
    CONTAINERS_CONF: env.CONTAINERS_CONF || join(tools, 'containers.conf'),
    KOCACHE: env.KOCACHE || join(tools, 'cache', 'ko'),
  };
}
