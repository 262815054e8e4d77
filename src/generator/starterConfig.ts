// A starter build-config.yaml for an app directory that has none: the detected backend made
// explicit, the usual keys filled in, the optional ones shown commented out. It must parse with
// the schema as written (a test checks every backend). The body depends on what the backend
// builds from (core/backendTraits.ts), not on its name.
import { BACKENDS, defaultPlatforms, traitsOf, type BackendInput, type BackendName } from '../core/backendTraits.js';
import { UserError } from '../core/problem.js';

function list(key: string, items: string[], indent = ''): string {
  return `${indent}${key}:\n${items.map((i) => `${indent}  - ${i}`).join('\n')}\n`;
}

const ADDITIONAL_TAGS = `# Extra tags for every build, besides the date (and short sha) tags:
# additional_tags:
#   - latest
`;

/** A stage of the app's Dockerfile, for the starter's comment: its name (if any) and line. */
export interface StarterStage {
  name?: string;
  line: number;
}

/**
 * The `target` comment. A multi-stage Dockerfile gets its stages listed, and which one builds
 * without `target` (the last: BuildKit and Kaniko both build the last stage by default), so a
 * Dockerfile ending in a dev or test stage is a choice the user sees, not one init made.
 */
function targetComment(stages: readonly StarterStage[]): string {
  if (stages.length < 2) return `# Dockerfile stage to build (default: the last one):\n# target: runtime\n`;
  const label = (stage: StarterStage) => stage.name ?? `(unnamed, line ${stage.line})`;
  const last = stages[stages.length - 1];
  // The example names another stage than the default one: the choice init leaves to the user.
  const other = stages.slice(0, -1).filter((stage) => stage.name);
  const example = other.length ? other[other.length - 1].name : (last.name ?? 'NAME');
  const lines = [
    `# The Dockerfile has ${stages.length} stages: ${stages.map(label).join(', ')}.`,
    `# Without target the last one, ${label(last)}, is built; set target to the stage this image ships:`,
    `# target: ${example}`,
  ];
  return `${lines.join('\n')}\n`;
}

function dockerfileBody(platforms: string[], stages: readonly StarterStage[] = []): string {
  return `dockerfile_path: Dockerfile
context_path: .
${list('platforms', platforms)}
# Build arguments as KEY=VALUE; \${VAR} expands from the environment of the build:
# build_args:
#   - VERSION=\${GITHUB_SHA}
${targetComment(stages)}
${ADDITIONAL_TAGS}`;
}

const BODIES: Record<BackendInput, (platforms: string[], stages?: readonly StarterStage[]) => string> = {
  'go-module': (platforms) => `${list('platforms', platforms)}
# ko builds the Go main package into a small image without a Dockerfile.
# ko_config:
#   import_path: ./cmd/server
#   base_image: registry.example.com/base/static:nonroot
#   env:
#     - CGO_ENABLED=0
#   ldflags:
#     - -s
#     - -w

${ADDITIONAL_TAGS}`,
  dockerfile: dockerfileBody,
  'spin-manifest': (platforms) => `spin_config:
  manifest_path: spin.toml
  runtime: wasi
# A WebAssembly component runs anywhere: one wasi/wasm32 build, no per-CPU images.
${list('platforms', platforms)}
${ADDITIONAL_TAGS}`,
};

/**
 * The text of a commented build-config.yaml for an app built with `backend`; `reason` says why
 * that backend (from auto-detection) and goes into the header comment; `stages` are the
 * Dockerfile's (core/dockerfile.ts scanDockerfile), listed in a comment when there are several.
 */
export function renderStarterConfig(backend: BackendName, reason: string, options: { stages?: readonly StarterStage[] } = {}): string {
  if (!BACKENDS.includes(backend)) throw new UserError(`unknown backend \`${String(backend)}\`: expected one of ${BACKENDS.join(', ')}`);
  const why = reason.replace(/\s+/g, ' ').trim() || `${backend} chosen`;
  return `# build-config.yaml: how hephy-builder builds the image of this directory.
# Written by \`hephy-builder init\`: ${why}.
# Every key is optional; \`npx hephy-builder schema\` prints the JSON Schema of this file.

use_local_context: true
build_backend: ${backend}
${BODIES[traitsOf(backend).input](defaultPlatforms(backend), options.stages)}`;
}
