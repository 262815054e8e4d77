// A starter build-config.yaml for an app directory that has none: the detected backend made
// explicit, the usual keys filled in, the optional ones shown commented out. It must parse with
// the schema as written (a test checks every backend).
import type { BackendName } from '../core/config/schema.js';
import { BACKENDS } from '../core/config/schema.js';
import { UserError } from '../core/problem.js';

const NATIVE_PLATFORMS = ['linux/amd64', 'linux/arm64'];

function list(key: string, items: string[], indent = ''): string {
  return `${indent}${key}:\n${items.map((i) => `${indent}  - ${i}`).join('\n')}\n`;
}

const ADDITIONAL_TAGS = `# Extra tags for every build, besides the date (and short sha) tags:
# additional_tags:
#   - latest
`;

function dockerfileBody(): string {
  return `dockerfile_path: Dockerfile
context_path: .
${list('platforms', NATIVE_PLATFORMS)}
# Build arguments as KEY=VALUE; \${VAR} expands from the environment of the build:
# build_args:
#   - VERSION=\${GITHUB_SHA}
# Dockerfile stage to build (default: the last one):
# target: runtime

${ADDITIONAL_TAGS}`;
}

const BODIES: Record<BackendName, () => string> = {
  ko: () => `${list('platforms', NATIVE_PLATFORMS)}
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
  kaniko: () => dockerfileBody(),
  buildkit: () => dockerfileBody(),
  spin: () => `spin_config:
  manifest_path: spin.toml
  runtime: wasi
# A WebAssembly component runs anywhere: one wasi/wasm32 build, no per-CPU images.
${list('platforms', ['wasi/wasm32'])}
${ADDITIONAL_TAGS}`,
};

/**
 * The text of a commented build-config.yaml for an app built with `backend`; `reason` says why
 * that backend (from auto-detection) and goes into the header comment.
 */
export function renderStarterConfig(backend: BackendName, reason: string): string {
  if (!BACKENDS.includes(backend)) throw new UserError(`unknown backend \`${String(backend)}\`: expected one of ${BACKENDS.join(', ')}`);
  const why = reason.replace(/\s+/g, ' ').trim() || `${backend} chosen`;
  return `# build-config.yaml: how hephy-builder builds the image of this directory.
# Written by \`hephy-builder init\`: ${why}.
# Every key is optional; \`npx hephy-builder schema\` prints the JSON Schema of this file.

use_local_context: true
build_backend: ${backend}
${BODIES[backend]()}`;
}
