// The published JSON Schema of build-config.yaml, generated from the zod schema so editors
// validate exactly what the builder accepts. Committed as schema/build-config.schema.json; a test
// fails when the committed file is stale.
import { z } from 'zod';
import { KNOWN_ARCHES, KNOWN_OSES } from '../platform.js';
import { EXTENSION_KEY_PREFIX } from './load.js';
import { buildConfigSchema, platformString } from './schema.js';

export const SCHEMA_ID = 'https://raw.githubusercontent.com/hephy/builder/main/schema/build-config.schema.json';

/**
 * What an editor can check of a platform without running parsePlatform: a known os and arch, an
 * optional vN variant, and wasm32 only with wasi. parsePlatform stays the authority (exact variants).
 */
function platformPattern(): string {
  const oses = KNOWN_OSES.filter((os) => os !== 'wasi').join('|');
  const arches = KNOWN_ARCHES.filter((arch) => arch !== 'wasm32').join('|');
  return `^((${oses})/(${arches})(/v[1-8])?|wasi/wasm32)$`;
}

export function buildConfigJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(buildConfigSchema, {
    target: 'draft-7',
    // The file is input: optional keys stay optional, defaults are not required.
    io: 'input',
    // Refinements (e.g. "relative path") have no JSON Schema form; the builder checks them.
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === platformString) {
        ctx.jsonSchema.pattern = platformPattern();
        ctx.jsonSchema.examples = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'wasi/wasm32'];
      }
      // `x-` extension keys are free-form at every level (config/load.ts EXTENSION_KEY_PREFIX).
      if (ctx.jsonSchema.additionalProperties === false) {
        ctx.jsonSchema.patternProperties = { [`^${EXTENSION_KEY_PREFIX}`]: {} };
      }
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: SCHEMA_ID,
    title: 'hephy-builder build-config.yaml',
    ...rest,
  };
}
