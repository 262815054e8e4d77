// `images:` (issue 14): one build-config.yaml, several images. Each entry's keys lie over the
// file's top-level keys, as a Docker Bake target over the one it `inherits`
// (docs.docker.com/build/bake/inheritance: maps such as args and labels merge key by key, other
// attributes are replaced). A file without `images:` is one image, as before.
import type { ConfigPath, Locator, Position } from './locator.js';
import type { BuildConfig } from './schema.js';

/** An entry of `images:`, as the schema reads it. */
export type ImageEntry = NonNullable<BuildConfig['images']>[number];

/** One image of a config file: its config with the file's keys filled in, and where its keys sit. */
export interface ImageConfig {
  /** `images[].name`; absent for a file without `images:`. */
  name?: string;
  /** Its index in `images:`; absent for a file without `images:`. */
  index?: number;
  /** The keys of this image: the entry's over the file's, without `images` and `name`. */
  config: BuildConfig;
  /** Where a key of this image is written: in its entry when the entry sets it, else at the top level. */
  locate?: (path: ConfigPath) => Position;
}

/** Keys whose mappings merge key by key (the entry's value wins). */
const MERGED_MAPS = ['labels', 'annotations'] as const;

/** `KEY=VALUE` lists merged by KEY, the entry's winning, in the file's order then the entry's new keys. */
function mergeBuildArgs(base: readonly string[], over: readonly string[]): string[] {
  const keyOf = (entry: string) => entry.slice(0, entry.indexOf('='));
  const overKeys = new Map(over.map((entry) => [keyOf(entry), entry]));
  const merged = base.map((entry) => overKeys.get(keyOf(entry)) ?? entry);
  const baseKeys = new Set(base.map(keyOf));
  return [...merged, ...over.filter((entry) => !baseKeys.has(keyOf(entry)))];
}

/**
 * The merged keys of one entry over the file's top level. Works on raw parsed YAML too (the
 * cross-key checks run on it before the schema has passed), so it never trusts shapes.
 */
export function mergeImageKeys<T extends Record<string, unknown>>(top: T, entry: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const set = (key: string, value: unknown) =>
    Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  // image_name names one image: an entry without its own is `{file's image name}-{name}`.
  for (const [key, value] of Object.entries(top)) if (key !== 'images' && key !== 'image_name') set(key, value);
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'name') continue;
    const base = merged[key];
    if ((MERGED_MAPS as readonly string[]).includes(key) && isRecord(base) && isRecord(value)) {
      set(key, { ...base, ...value });
    } else if (key === 'build_args' && isStringList(base) && isStringList(value)) {
      set(key, mergeBuildArgs(base, value));
    } else {
      set(key, value);
    }
  }
  return merged;
}

/** The images a loaded config describes: one per `images:` entry, or the file itself. */
export function imageConfigs(config: BuildConfig, locate?: (path: ConfigPath) => Position): ImageConfig[] {
  if (!config.images) return [{ config, locate }];
  return config.images.map((entry, index) => ({
    name: entry.name,
    index,
    config: mergeImageKeys(config, entry) as BuildConfig,
    locate: locate && ((path: ConfigPath) => locate(entryPath(entry, index, path))),
  }));
}

/** The path of a key of entry `index`: in the entry when it sets the key, else the file's top level. */
export function entryPath(entry: unknown, index: number, path: ConfigPath): ConfigPath {
  const key = path[0];
  return typeof key === 'string' && isRecord(entry) && Object.prototype.hasOwnProperty.call(entry, key) ? ['images', index, ...path] : path;
}

/** A Locator for one entry's merged keys (the cross-key checks point into the entry or the top level). */
export function entryLocator(at: Locator, entry: unknown, index: number): Locator {
  return {
    file: at.file,
    value: (path) => at.value(entryPath(entry, index, path)),
    key: (path) => at.key(entryPath(entry, index, path)),
    of: at.of,
    source: (path) => at.source(entryPath(entry, index, path)),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((item) => typeof item === 'string');
}
