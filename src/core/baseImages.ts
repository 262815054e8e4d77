// The base images a build pulls, as references the plan resolves to digests (their digests are
// part of the input digest, so a base re-pushed under the same tag rebuilds what is built on it).
// Dockerfile: every FROM that names an image (not `scratch`, not an earlier stage), with `${ARG}`
// expanded the way BuildKit's Dockerfile frontend does for FROM: from the ARGs declared before
// the first FROM (defaults), overridden by build args, plus the automatic platform ARGs
// (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go, v0.32: global ARGs and
// TARGETPLATFORM/TARGETOS/TARGETARCH/TARGETVARIANT, BUILDPLATFORM... are in scope for FROM).
import { scanDockerfile } from './dockerfile.js';
import { isPlatformError, parsePlatform } from './platform.js';

/** Keys and values of KEY=VALUE build args (a bare KEY has no value here). */
function argMap(buildArgs: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const arg of buildArgs) {
    const eq = arg.indexOf('=');
    if (eq > 0) map.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return map;
}

function platformArgs(platform: string): Map<string, string> {
  const parsed = parsePlatform(platform);
  if (isPlatformError(parsed)) return new Map();
  return new Map([
    ['TARGETPLATFORM', platform],
    ['TARGETOS', parsed.os],
    ['TARGETARCH', parsed.arch],
    ['TARGETVARIANT', parsed.variant ?? ''],
  ]);
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Expands $X, ${X}, ${X:-default}, ${X:+alt}; undefined when a variable has no value. */
function expand(text: string, vars: Map<string, string>): string | undefined {
  let missing = false;
  const out = text.replace(
    VARIABLE,
    (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const value = vars.get(name);
      if (op === '-') return value ? value : (word ?? '');
      if (op === '+') return value ? (word ?? '') : '';
      if (value === undefined) {
        missing = true;
        return '';
      }
      return value;
    },
  );
  return missing ? undefined : out;
}

export interface BaseImageRefs {
  /** Image references in FROM order, each once. */
  refs: string[];
  /** FROM values that could not be expanded (an ARG without a value): the digest cannot be known. */
  unresolved: string[];
}

export function dockerfileBaseImages(dockerfile: string, buildArgs: readonly string[], platform: string): BaseImageRefs {
  const scan = scanDockerfile(dockerfile);
  const given = argMap(buildArgs);
  const vars = platformArgs(platform);
  const firstFrom = scan.instructions.findIndex((ins) => ins.keyword === 'FROM');
  for (const ins of scan.instructions.slice(0, firstFrom < 0 ? undefined : firstFrom)) {
    if (ins.keyword !== 'ARG') continue;
    for (const word of ins.args) {
      const eq = word.indexOf('=');
      const name = eq < 0 ? word : word.slice(0, eq);
      const value = given.get(name) ?? (eq < 0 ? undefined : word.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
      if (value !== undefined) vars.set(name, value);
    }
  }
  const stages = new Set<string>();
  const refs: string[] = [];
  const unresolved: string[] = [];
  for (const stage of scan.stages) {
    const image = expand(stage.image, vars);
    if (image === undefined) unresolved.push(stage.image);
    else if (image.toLowerCase() !== 'scratch' && !stages.has(image.toLowerCase()) && !refs.includes(image)) refs.push(image);
    if (stage.name) stages.add(stage.name.toLowerCase());
  }
  return { refs, unresolved };
}
