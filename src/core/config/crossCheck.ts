// Checks that span several keys and need no filesystem: source mode, platforms against the
// backend, platforms set twice, the tag rules. They read the raw parsed YAML defensively (it may not match the
// schema), so their problems arrive together with the schema's in one pass.
import type { Problem } from '../problem.js';
import { isPlatformError, normalizePlatform, parsePlatform, type Platform } from '../platform.js';
import { BACKENDS, backendsWhere, configSections, traitsOf, type BackendName } from '../backendTraits.js';
import { PLATFORM_SECTIONS } from './schema.js';
import type { ConfigPath, Locator } from './locator.js';
import { parseConfigRules } from '../tagPolicy.js';
import { upstreamUrlProblem } from '../upstreamUrl.js';

const PLATFORM_LISTS: ConfigPath[] = [['platforms'], ...PLATFORM_SECTIONS.map(({ section }) => [section, 'platforms'])];
const WASM_BACKENDS = backendsWhere((t) => t.artifact === 'wasm');

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function get(raw: Record<string, unknown>, path: ConfigPath): unknown {
  let v: unknown = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, seg)) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function dotted(path: ConfigPath): string {
  return path
    .map((s) => (typeof s === 'number' ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');
}

export function crossCheck(raw: Record<string, unknown>, at: Locator): Problem[] {
  const problems: Problem[] = [];
  const error = (where: 'key' | 'value', path: ConfigPath, message: string, hint?: string) =>
    problems.push({ file: at.file, ...at[where](path), path: dotted(path), message, hint, severity: 'error' });
  const warning = (path: ConfigPath, message: string, hint?: string) =>
    problems.push({ file: at.file, ...at.key(path), path: dotted(path), message, hint, severity: 'warning' });

  // --- where the sources come from
  const local = raw.use_local_context;
  const hasRepo = present(raw.upstream_repo);
  const hasRef = present(raw.upstream_ref);
  if (local === true && (hasRepo || hasRef)) {
    error(
      'key',
      [hasRepo ? 'upstream_repo' : 'upstream_ref'],
      'use either use_local_context or upstream_repo/upstream_ref, not both',
      'remove `use_local_context: true` to build the upstream repo, or remove upstream_repo/upstream_ref to build this directory',
    );
  }
  if (hasRepo && !hasRef) {
    error(
      'key',
      ['upstream_repo'],
      'upstream_repo needs upstream_ref: the branch, tag or commit to build',
      'add e.g. `upstream_ref: v1.2.3`',
    );
  }
  if (hasRef && !hasRepo) {
    error(
      'key',
      ['upstream_ref'],
      'upstream_ref needs upstream_repo: the git URL to check it out from',
      'add `upstream_repo: <git URL>`, or remove upstream_ref',
    );
  }
  if (local === false && !hasRepo && !hasRef) {
    error(
      'value',
      ['use_local_context'],
      'nothing to build: use_local_context is false and there is no upstream_repo',
      'set `use_local_context: true`, or give upstream_repo and upstream_ref',
    );
  }

  if (typeof raw.upstream_repo === 'string') {
    const problem = upstreamUrlProblem(raw.upstream_repo);
    if (problem) error('value', ['upstream_repo'], problem.message, problem.hint);
  }

  // --- platforms
  const backend = (BACKENDS as readonly unknown[]).includes(raw.build_backend) ? (raw.build_backend as BackendName) : undefined;
  const lists = new Map<string, string[]>();
  for (const listPath of PLATFORM_LISTS) {
    const list = get(raw, listPath);
    if (!Array.isArray(list)) continue;
    const valid: { text: string; platform: Platform; path: ConfigPath }[] = [];
    const seen = new Map<string, string>();
    list.forEach((item, i) => {
      if (typeof item !== 'string') return; // the schema reports the type
      const path = [...listPath, i];
      const parsed = parsePlatform(item);
      if (isPlatformError(parsed)) {
        error('value', path, `expected os/arch[/variant], e.g. linux/amd64; ${parsed.reason}`, parsed.hint);
        return;
      }
      if (!backend && parsed.os !== 'linux' && parsed.os !== 'wasi') {
        // Detection picks ko, Kaniko or Spin by the files it finds, and they build linux (Spin:
        // wasi) images only (core/backendTraits.ts `os`); BuildKit, chosen on purpose, builds
        // other OSes from a base image of that OS (no RUN step runs on a Linux runner).
        error(
          'value',
          path,
          `\`${item}\`: without build_backend this is built by ko, Kaniko or Spin, which build linux (Spin: wasi/wasm32) images, not ${parsed.os}`,
          'list linux platforms, or set `build_backend: buildkit` to build it from a base image of that OS',
        );
        return;
      }
      const normal = normalizePlatform(item);
      const first = seen.get(normal);
      if (first !== undefined) {
        error(
          'value',
          path,
          first === item ? `\`${item}\` is listed twice` : `\`${item}\` is the same platform as \`${first}\``,
          'remove one of them',
        );
        return;
      }
      seen.set(normal, item);
      valid.push({ text: item, platform: parsed, path });
    });
    lists.set(listPath.join('.'), [...seen.keys()]);

    const traits = backend && traitsOf(backend);
    for (const { text, platform, path } of valid) {
      const wasm = platform.arch === 'wasm32';
      if (wasm && traits && traits.artifact !== 'wasm') {
        error(
          'value',
          path,
          `wasi/wasm32 is built only by the ${WASM_BACKENDS.join(' or ')} backend, not ${backend}`,
          `set \`build_backend: ${WASM_BACKENDS[0]}\`, or remove wasi/wasm32`,
        );
      } else if (!wasm && traits && traits.artifact === 'wasm') {
        const only = traits.defaultPlatforms.join(', ');
        error(
          'value',
          path,
          `the ${backend} backend builds only ${only}, not \`${text}\``,
          `use \`platforms: [${only}]\`, or leave platforms out`,
        );
      } else if (traits && traits.os && platform.os !== traits.os && !wasm) {
        error(
          'value',
          path,
          `the ${backend} backend builds ${traits.os} images only, not \`${text}\``,
          `use ${traits.os}/${platform.arch}`,
        );
      }
    }
    // Without an explicit backend one backend is still chosen per image; none builds both kinds.
    if (!backend) {
      const wasmItem = valid.find((v) => v.platform.arch === 'wasm32');
      const other = valid.find((v) => v.platform.arch !== 'wasm32');
      if (wasmItem && other) {
        const builders = WASM_BACKENDS.join(' or ');
        error(
          'value',
          wasmItem.path,
          `wasi/wasm32 cannot be built together with \`${other.text}\`: only ${builders} builds wasm, and ${builders} builds nothing else`,
          'give the wasm app its own directory and build-config.yaml',
        );
      }
    }
  }

  // --- platforms given twice
  const top = lists.get('platforms');
  for (const { section } of PLATFORM_SECTIONS) {
    const nested = lists.get(`${section}.platforms`);
    if (!top || !nested) continue;
    const same = top.length === nested.length && top.every((p) => nested.includes(p));
    if (!same) {
      const topLine = at.key(['platforms']).line;
      error(
        'key',
        [section, 'platforms'],
        `platforms differ between the top level (line ${topLine}) and ${section}.platforms`,
        'keep one of the two lists',
      );
    }
  }

  // --- sections the chosen backend ignores
  for (const { section, backend: owner } of configSections()) {
    if (backend && backend !== owner && present(raw[section])) {
      warning([section], `${section} is ignored: build_backend is ${backend}`, `remove ${section}, or set \`build_backend: ${owner}\``);
    }
  }

  // --- tag rules (docker/metadata-action syntax): each rule read now, so an error names its line
  const tags = raw.tags;
  if (typeof tags === 'string' || (Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) {
    problems.push(...parseConfigRules(tags, at.file, (path) => at.value(path)).problems);
  }
  return problems;
}
