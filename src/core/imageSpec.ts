// From a directory, its config and its detected backend to the ImageSpec the rest of the pipeline
// uses: the image name, the platforms to build, where the sources come from.
import { backendsWhere, defaultPlatforms, traitsOf, type BackendName } from './backendTraits.js';
import { effectivePlatforms } from './config/load.js';
import type { BuildConfig } from './config/schema.js';
import type { Detection } from './detect.js';
import type { ImageSpec } from './model.js';
import { isWasm, normalizePlatform } from './platform.js';
import type { Problem } from './problem.js';

/**
 * A valid image name from any text: lowercase letters and digits joined by single `.`, `_` or `-`
 * (the same rule as the config's image_name). Anything else becomes `-`.
 */
export function sanitizeImageName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[._-]{2,}/g, (run) => (run.includes('-') ? '-' : run[0]))
    .replace(/^[._-]+|[._-]+$/g, '');
}

/** `tools/arm-only` -> `tools-arm-only`; the root is named after the repository. */
export function defaultImageName(dir: string, repoName: string): string {
  const base = dir === '.' || dir === '' ? repoName : dir.replace(/\/+/g, '-');
  return sanitizeImageName(base) || 'app';
}

export interface ImageSpecInput {
  /** Directory relative to the repo root, '.' for the root. */
  dir: string;
  /** Config file relative to the repo root; absent for a config-less app. */
  configFile?: string;
  config: BuildConfig;
  detection: Detection & { backend: BackendName };
  repoName: string;
  /** The image name when the config is one of several `images:` (core/config/images.ts); default: image_name or the directory's. */
  image?: string;
  locate?: (path: (string | number)[]) => { line: number; column: number };
}

/** An image as its config and directory give it; its tags come with the run (core/tagPolicy.ts). */
export type ResolvedImage = Omit<ImageSpec, 'tags'>;

export function resolveImageSpec(input: ImageSpecInput): { spec: ResolvedImage; problems: Problem[] } {
  const { dir, config, detection } = input;
  const backend = detection.backend;
  const problems: Problem[] = [];
  const requested = effectivePlatforms(config, backend);
  // Normalised (linux/arm64/v8 -> linux/arm64) so runner lookup and leg ids agree; duplicates
  // that only differ in spelling are the config loader's to report.
  const platforms = [...new Set((requested ?? defaultPlatforms(backend)).map(normalizePlatform))];

  // The loader checks platforms against an explicit backend; a detected one is checked here.
  if (requested && !config.build_backend) {
    const at = input.locate?.(['platforms']) ?? { line: 1, column: 1 };
    const file = input.configFile ?? dir;
    const traits = traitsOf(backend);
    const buildsWasm = traits.artifact === 'wasm';
    const wrong = platforms.filter((p) => isWasm(p) !== buildsWasm);
    if (wrong.length > 0) {
      problems.push({
        file,
        ...at,
        // Not the top-level list: the backend's own section's (effectivePlatforms).
        path: config.platforms ? 'platforms' : `${traits.configSection}.platforms`,
        message: buildsWasm
          ? `the detected backend ${backend} (${detection.reason}) builds only ${traits.defaultPlatforms.join(', ')}, not ${wrong.join(', ')}`
          : `wasi/wasm32 is built only by ${backendsWhere((t) => t.artifact === 'wasm').join(' or ')}, but the detected backend is ${backend} (${detection.reason})`,
        hint: 'set build_backend, or fix platforms',
        severity: 'error',
      });
    }
  }

  const spec: ResolvedImage = {
    image: input.image ?? config.image_name ?? defaultImageName(dir, input.repoName),
    dir,
    ...(input.configFile ? { configFile: input.configFile } : {}),
    config,
    backend,
    backendReason: detection.reason,
    platforms,
    source:
      config.upstream_repo !== undefined
        ? { kind: 'upstream', repo: config.upstream_repo, ref: config.upstream_ref ?? 'HEAD' }
        : { kind: 'local', dir },
    additionalTags: config.additional_tags ?? [],
  };
  return { spec, problems };
}
