// The config reference table of the README, generated from the JSON Schema (itself generated from
// the zod schema), so the documentation cannot drift from what the loader accepts.
import { buildConfigJsonSchema } from './jsonSchema.js';

interface SchemaNode {
  type?: string;
  enum?: string[];
  const?: string;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  description?: string;
}

export const REFERENCE_START = '<!-- config-reference:start (generated from the schema: do not edit) -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

function typeOf(node: SchemaNode): string {
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (node.const !== undefined) return `\`${node.const}\``;
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  if (node.type === 'object') return 'mapping';
  return node.type ?? 'any';
}

function rows(properties: Record<string, SchemaNode>, prefix: string): string[] {
  return Object.entries(properties).flatMap(([key, node]) => {
    const path = `${prefix}${key}`;
    const row = `| \`${path}\` | ${typeOf(node)} | ${(node.description ?? '').replace(/\|/g, '\\|')} |`;
    return node.properties ? [row, ...rows(node.properties, `${path}.`)] : [row];
  });
}

export function renderConfigReference(): string {
  const schema = buildConfigJsonSchema() as SchemaNode;
  return ['| Key | Type | Meaning |', '| --- | --- | --- |', ...rows(schema.properties ?? {}, '')].join('\n');
}
