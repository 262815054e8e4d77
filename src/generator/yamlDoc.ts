// Renders plain data into readable YAML with comments. Workflow sources in workflows/ are plain
// objects; `note()` wraps a value to attach a comment before its key (or list item), a trailing
// comment after a scalar, or a blank line before it. Everything else is ordinary data, so the
// sources stay easy to read and to test.
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

const NOTED = Symbol('hephy-builder.noted');

export interface NoteOptions {
  /** Comment lines written above the key or list item (without the leading `#`). */
  before?: string;
  /** A comment written at the end of the line of a scalar value. */
  after?: string;
  /** A blank line above the key or list item, to separate sections. */
  blank?: boolean;
  /** Write a multi-line string as a `|` block (run scripts). */
  literal?: boolean;
}

export interface Noted extends NoteOptions {
  readonly [NOTED]: true;
  readonly value: unknown;
}

export function note(value: unknown, options: NoteOptions): Noted {
  return { [NOTED]: true, value, ...options };
}

function isNoted(value: unknown): value is Noted {
  return typeof value === 'object' && value !== null && NOTED in value;
}

/** A YAML comment body: every line gets a leading space, so the output reads `# text`. */
function commentText(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? ` ${line}` : ''))
    .join('\n');
}

interface Built {
  node: Node;
  options: NoteOptions;
}

function build(value: unknown): Built {
  if (isNoted(value)) {
    const inner = build(value.value);
    const { before, after, blank, literal } = value;
    if (literal && inner.node instanceof Scalar) inner.node.type = Scalar.BLOCK_LITERAL;
    if (after !== undefined) {
      if (!(inner.node instanceof Scalar)) throw new Error('a trailing comment needs a scalar value');
      inner.node.comment = commentText(after);
    }
    return { node: inner.node, options: { before, blank } };
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value) {
      const child = build(item);
      applyBefore(child.node, child.options);
      seq.items.push(child.node);
    }
    return { node: seq, options: {} };
  }
  if (typeof value === 'object' && value !== null) {
    const map = new YAMLMap();
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) map.flow = true;
    for (const [key, v] of entries) {
      const keyNode = new Scalar(key);
      const child = build(v);
      applyBefore(keyNode, child.options);
      map.items.push(new Pair(keyNode, child.node));
    }
    return { node: map, options: {} };
  }
  if (typeof value === 'string' && value.includes('\n')) {
    const scalar = new Scalar(value);
    scalar.type = Scalar.BLOCK_LITERAL;
    return { node: scalar, options: {} };
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return { node: new Scalar(value), options: {} };
  }
  throw new Error(`cannot render ${typeof value} as YAML`);
}

function applyBefore(node: Node, options: NoteOptions): void {
  if (options.before !== undefined) node.commentBefore = commentText(options.before);
  if (options.blank) node.spaceBefore = true;
}

/** The YAML text of `data`, with `header` as the comment block at the top of the file. */
export function renderYaml(data: unknown, header?: string): string {
  const doc = new Document();
  doc.contents = build(data).node as Document['contents'];
  if (header) doc.commentBefore = commentText(header);
  const text = doc.toString({ lineWidth: 0, indent: 2, indentSeq: true, nullStr: '' });
  // A blank line before a commented key is printed with the key's indentation; drop that
  // whitespace so the file has no trailing spaces.
  return text.replace(/^[ \t]+$/gm, '');
}
