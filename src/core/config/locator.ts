// Where a value sits in a build-config.yaml: the key path, its line and column, and how the
// loader and the cross-key checks point a Problem at it. Its own module so both can share it.
export type ConfigPath = (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** How to point a Problem at a node, shared with the cross-key checks. */
export interface Locator {
  file: string;
  /** Position of the value at `path`; of the deepest existing ancestor when the path is missing. */
  value(path: ConfigPath): Position;
  /** Position of the key that ends `path` (falls back like `value`). */
  key(path: ConfigPath): Position;
  /** Position of a node already in hand, when it has one. */
  of(node: unknown): Position | undefined;
  /** The scalar's text as written (`1.10`, not the number 1.1), when the path ends at a scalar. */
  source(path: ConfigPath): string | undefined;
}

export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}
