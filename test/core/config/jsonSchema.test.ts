import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfigJsonSchema, SCHEMA_ID } from '../../../src/core/config/jsonSchema.js';
import { TOP_LEVEL_KEYS } from '../../../src/core/config/schema.js';

const committedPath = join(process.cwd(), 'schema/build-config.schema.json');
const generated = `${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`;

// UPDATE_SCHEMA=1 rewrites the committed file, for use before the CLI can do it.
if (process.env.UPDATE_SCHEMA === '1') writeFileSync(committedPath, generated);

test('schema/build-config.schema.json is up to date with the zod schema', () => {
  let committed = '';
  try {
    committed = readFileSync(committedPath, 'utf8');
  } catch {
    // reported by the comparison below
  }
  if (committed !== generated) {
    throw new Error(
      'schema/build-config.schema.json is stale. Regenerate it with\n' +
        '  npx hephy-builder schema > schema/build-config.schema.json\n' +
        'or UPDATE_SCHEMA=1 NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit -- test/core/config/jsonSchema.test.ts',
    );
  }
});

describe('buildConfigJsonSchema', () => {
  const schema = buildConfigJsonSchema() as {
    $schema: string;
    $id: string;
    title: string;
    additionalProperties: boolean;
    properties: Record<string, { additionalProperties?: boolean; items?: { pattern?: string }; enum?: string[] }>;
    required?: string[];
  };

  test('declares draft-07, an id and a title', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe(SCHEMA_ID);
    expect(schema.title).toContain('build-config.yaml');
  });

  test('rejects unknown keys at the top and in the sections, like the loader', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.ko_config.additionalProperties).toBe(false);
    expect(schema.properties.spin_config.additionalProperties).toBe(false);
  });

  test('allows x- extension keys wherever the loader ignores them', () => {
    const all = schema as unknown as { patternProperties?: object; properties: Record<string, { patternProperties?: object }> };
    expect(all.patternProperties).toEqual({ '^x-': {} });
    expect(all.properties.ko_config.patternProperties).toEqual({ '^x-': {} });
  });

  test('lists every key as optional', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...TOP_LEVEL_KEYS].sort());
    expect(schema.required ?? []).toEqual([]);
  });

  test('platform items carry a pattern an editor can check', () => {
    const pattern = new RegExp(schema.properties.platforms.items!.pattern!);
    for (const ok of ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'wasi/wasm32', 'windows/amd64']) expect(ok).toMatch(pattern);
    for (const bad of ['linux/amd65', 'linux/wasm32', 'wasi/amd64', 'linux', 'linux/arm64/v8/x']) expect(bad).not.toMatch(pattern);
  });

  test('the backend is an enum', () => {
    expect(schema.properties.build_backend.enum).toEqual(['kaniko', 'ko', 'buildkit', 'spin']);
  });
});
