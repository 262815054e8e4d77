// Where images are published and under which tags. Two conventions:
// - single-repo (the origin project's): every image in ONE repository, tags `{image}-{YYYYMMDD}`
//   and `{image}-{extra}` for each additional tag;
// - per-image: `REGISTRY/PREFIX/{image}` with tags `{YYYYMMDD}`, the short commit sha and extras.
import { UserError } from './problem.js';

export const TAG_MODES = ['single-repo', 'per-image'] as const;
export type TagMode = (typeof TAG_MODES)[number];
export const DEFAULT_TAG_MODE: TagMode = 'per-image';

/**
 * The tag mode as given by an action input, a CLI flag or a workflow option (`source` names it in
 * the error, e.g. `--tag-mode`); absent or empty means the default, per-image.
 * @throws UserError naming the source, the modes and the value given.
 */
export function parseTagMode(value: string | undefined, source: string): TagMode {
  if (value === undefined || value === '') return DEFAULT_TAG_MODE;
  const mode = TAG_MODES.find((m) => m === value);
  if (!mode) throw new UserError(`${source}: expected one of ${TAG_MODES.join(', ')}, got \`${value}\``);
  return mode;
}

export interface PublishOptions {
  /** Registry host[:port], e.g. 127.0.0.1:5000. */
  registry: string;
  /** Path under the registry: the single repository, or the prefix of per-image repositories. */
  prefix: string;
  mode: TagMode;
  /** The build date that goes into date tags. */
  date: Date;
  /** Commit being built; its first 7 characters become a tag in per-image mode. */
  sha?: string;
  /** Also publish `{image}-{date}-{arch}` (single-repo) or `{date}-{arch}` (per-image) per platform. */
  perArchTags: boolean;
}

export function dateStamp(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, '');
}

function joinPath(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
}

export function repositoryFor(image: string, opts: Pick<PublishOptions, 'registry' | 'prefix' | 'mode'>): string {
  if (opts.mode === 'single-repo') return joinPath(opts.registry, opts.prefix || 'images');
  return joinPath(opts.registry, opts.prefix, image);
}

/** Tags (without repository) of an image's multi-arch index. */
export function indexTags(image: string, additionalTags: string[], opts: PublishOptions): string[] {
  const date = dateStamp(opts.date);
  const tags =
    opts.mode === 'single-repo'
      ? [`${image}-${date}`, ...additionalTags.map((t) => `${image}-${t}`)]
      : [date, ...(opts.sha ? [opts.sha.slice(0, 7)] : []), ...additionalTags];
  return [...new Set(tags)];
}

/** The per-architecture tag of one platform's manifest, e.g. app-20261125-arm64. */
export function perArchTag(image: string, platform: string, opts: PublishOptions): string {
  const arch = platform.split('/').slice(1).join('');
  const date = dateStamp(opts.date);
  return opts.mode === 'single-repo' ? `${image}-${date}-${arch}` : `${date}-${arch}`;
}
