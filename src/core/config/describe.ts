// Words for "expected X, got Y" messages: X read from the zod schema itself (so a schema change
// updates the messages), Y from the value the YAML produced.

// The parts of zod 4's schema definitions we read. `def.type` names the kind of schema.
interface Def {
  type: string;
  innerType?: { def: Def };
  element?: { def: Def };
  shape?: Record<string, { def: Def }>;
  /** A record's values (zod 4 `z.record`). */
  valueType?: { def: Def };
  entries?: Record<string, string | number>;
  values?: unknown[];
  in?: { def: Def };
}

type WithDef = { def: Def } | { _zod: { def: Def } };

function defOf(schema: unknown): Def | undefined {
  const s = schema as Partial<{ def: Def; _zod: { def: Def } }> | undefined;
  return s?.def ?? s?._zod?.def;
}

/** Unwraps optional/nullable/default/pipe wrappers, which say nothing about the expected shape. */
function unwrap(def: Def | undefined): Def | undefined {
  let d = def;
  for (let i = 0; d && i < 10; i++) {
    if (d.innerType) d = defOf(d.innerType);
    else if (d.type === 'pipe' && d.in) d = defOf(d.in);
    else break;
  }
  return d;
}

function defAt(schema: WithDef, path: (string | number)[]): Def | undefined {
  let d = unwrap(defOf(schema));
  for (const seg of path) {
    if (!d) return undefined;
    if (d.type === 'object' && typeof seg === 'string') d = unwrap(defOf(d.shape?.[seg]));
    else if (d.type === 'array' && typeof seg === 'number') d = unwrap(defOf(d.element));
    else if (d.type === 'record' && typeof seg === 'string') d = unwrap(defOf(d.valueType));
    else return undefined;
  }
  return d;
}

function describeDef(d: Def | undefined, plural = false): string {
  if (!d) return plural ? 'values' : 'a value';
  switch (d.type) {
    case 'string':
      return plural ? 'strings' : 'a string';
    case 'boolean':
      return plural ? 'booleans' : 'true or false';
    case 'number':
    case 'int':
      return plural ? 'numbers' : 'a number';
    case 'enum':
      return `${plural ? 'each ' : ''}one of ${Object.values(d.entries ?? {}).join(', ')}`;
    case 'literal':
      return (d.values ?? []).map((v) => `\`${String(v)}\``).join(' or ');
    case 'array':
      return plural ? 'lists' : `a list of ${describeDef(unwrap(defOf(d.element)), true)}`;
    case 'object':
      return plural ? 'mappings' : 'a mapping (indented `key: value` lines)';
    case 'record':
      return plural ? 'mappings' : `a mapping of names to ${describeDef(unwrap(defOf(d.valueType)), true)} (indented \`key: value\` lines)`;
    default:
      return plural ? 'values' : 'a value';
  }
}

/** What the schema expects at a path, e.g. "a list of strings", "true or false". */
export function describeExpected(schema: WithDef, path: (string | number)[]): string {
  return describeDef(defAt(schema, path));
}

const MAX_QUOTED = 60;

/** User text made safe inside a one-line message: control characters escaped, long text cut. */
export function short(value: string): string {
  const s = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped here
  return s.replace(/[\u0000-\u001F\u007F`]/g, (c) => (c === '`' ? "'" : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** A value quoted for a message: `short` in backticks, with the length when it was cut. */
export function quote(value: string): string {
  return value.length > MAX_QUOTED ? `\`${short(value)}\` (${value.length} characters)` : `\`${short(value)}\``;
}

/** What a YAML value is, in the words of a config reader: "a string (`x`)", "a list", "nothing". */
export function describeValue(value: unknown, written?: string): string {
  if (value === null || value === undefined) return 'nothing (an empty value)';
  if (typeof value === 'string') return `a string (${quote(value)})`;
  if (typeof value === 'number') return `a number (${written ?? String(value)})`;
  if (typeof value === 'bigint') return `a number (${value.toString()})`;
  if (typeof value === 'boolean') return `${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
