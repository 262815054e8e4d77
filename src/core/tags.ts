// Where images are published. Two conventions:
// - single-repo (the origin project's): every image in ONE repository, each tag `{image}-{tag}`;
// - per-image: `REGISTRY/PREFIX/{image}`, tags as they are.
// Which tags: core/tagPolicy.ts, decided at plan time.
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
  /** Also publish each tag's per-platform variant, `{tag}-{arch}`, on that platform's manifest. */
  perArchTags: boolean;
}

/** The date tag of the default policy: the run's UTC date as YYYYMMDD. */
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

/** The per-platform variant of a tag, e.g. `20261125` on linux/arm64 -> `20261125-arm64`, linux/arm/v7 -> `-armv7`. */
export function perArchTag(tag: string, platform: string): string {
  return `${tag}-${platform.split('/').slice(1).join('')}`;
}

/**
 * The action's and `init`'s image prefix when none is given: the repository's own `owner/name`,
 * lower-cased (registries accept lower case only), so two repositories of one owner that both
 * have an `api/` app publish to `owner/one/api` and `owner/two/api`, never to one `owner/api`.
 * Falls back to the owner, then to `hephy` (the CLI's default), when the run names no repository.
 */
export function defaultImagePrefix(repository: string | undefined, owner?: string): string {
  return (repository || owner || 'hephy').toLowerCase();
}
