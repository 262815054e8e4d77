// The labels (image config) and annotations (manifest, index) of an image: the standard
// `org.opencontainers.image.*` keys hephy-builder knows from the build, then the config's
// `labels:`/`annotations:`, then the run's (action inputs, CLI flags). Later wins:
//   standard keys  <  description/licenses keys  <  config labels/annotations  <  inputs/flags
// except `revision` and `created`, which no user value can replace (core/annotations.ts).
//
// `created` is the commit time, never the time of the build, so the same commit keeps giving the
// same digest; `revision` is the commit built (the upstream commit of an upstream build, the pull
// request's head on a pull request).
import { OCI_KEYS } from './annotations.js';
import type { BuildConfig } from './config/schema.js';
import type { ImageSpec } from './model.js';
import type { RunContext } from './runContext.js';

export interface ImageMetadata {
  /** Labels of the image config (`config.Labels`), by key. */
  labels: Record<string, string>;
  /** Annotations of the platform manifest, by key; the index gets those every platform shares. */
  annotations: Record<string, string>;
}

export const NO_METADATA: ImageMetadata = Object.freeze({ labels: {}, annotations: {} }) as ImageMetadata;

/** What the run knows beyond the image's own config: the same for every leg of a run. */
export interface RunMetadata {
  /**
   * Web address of the repository being built: GITHUB_SERVER_URL/GITHUB_REPOSITORY on a runner,
   * locally the git remote made an https address without credentials (repositoryWebUrl); absent
   * when unknown. Becomes `source` and `url`.
   */
  repositoryUrl?: string;
  /** pull_request.head.sha on a `pull_request` run: the commit the revision names. */
  pullRequestHeadSha?: string;
  /** The `labels` input / `--label` flags: win over the config's. */
  labels: Record<string, string>;
  /** The `annotations` input / `--annotation` flags: win over the config's. */
  annotations: Record<string, string>;
}

export const EMPTY_RUN_METADATA: RunMetadata = Object.freeze({ labels: {}, annotations: {} }) as RunMetadata;

/** The facts of one image's build that become standard keys; absent facts give no key. */
export interface MetadataFacts {
  /** The image name: `title`. */
  title: string;
  /** Full commit sha built. */
  revision?: string;
  /** Commit time, seconds since the epoch (SOURCE_DATE_EPOCH). */
  created?: number;
  version?: string;
  source?: string;
  url?: string;
}

/** RFC 3339 UTC, to the second: 1700000000 -> 2023-11-14T22:13:20Z. */
export function rfc3339(secondsSinceEpoch: number): string {
  return new Date(secondsSinceEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// semver.org's regular expression, with the `v` that git tags usually carry.
const SEMVER =
  /^v?((?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?)$/;

/** `v1.2.3` and `1.2.3` -> `1.2.3`; anything else undefined. */
export function semverOf(name: string): string | undefined {
  return SEMVER.exec(name)?.[1];
}

/**
 * The image's version (`org.opencontainers.image.version`, "version of the packaged software"):
 * an upstream build's upstream_ref when it is a semver (`v0.4.1` -> `0.4.1`, the packaged
 * software's own); else the version the tag policy decided with the tags (`ImageTags.version`,
 * core/tagPolicy.ts); else (a build with no tag, e.g. a run the tag table does not know) the short
 * sha of the commit built.
 */
export function imageVersion(input: { planned?: string; upstreamRef?: string; revision?: string }): string | undefined {
  if (input.upstreamRef !== undefined) {
    const upstream = semverOf(input.upstreamRef.replace(/^refs\/tags\//, ''));
    if (upstream) return upstream;
  }
  return input.planned ?? (input.revision ? input.revision.slice(0, 7) : undefined);
}

/**
 * The web address of a git remote, for `source` and `url`: `https://host/owner/repo` from
 * `https://user:token@host/owner/repo.git`, `git@host:owner/repo.git`, `ssh://git@host:22/owner/repo`
 * or `git://host/owner/repo`. Credentials, `.git`, a query and an ssh port are dropped; an http
 * remote stays http. A local path, a `file://` URL or anything unparsable gives undefined: it
 * would name a place on one machine, or leak what it should not.
 */
export function repositoryWebUrl(remote: string | undefined): string | undefined {
  const text = remote?.trim();
  if (!text) return undefined;
  let scheme = 'https';
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/\/)([^\s]+)$/.exec(text);
  if (scp && !/^[A-Za-z]:[\\/]/.test(text)) {
    [, host, path] = scp;
  } else {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    if (url.protocol === 'http:') scheme = 'http';
    else if (!['https:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(url.protocol)) return undefined;
    // An ssh or git port is not the web server's; an http(s) one is.
    host = ['http:', 'https:'].includes(url.protocol) ? url.host : url.hostname;
    path = url.pathname;
  }
  path = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  if (!host || !path || path.split('/').some((part) => part === '' || part === '.' || part === '..')) return undefined;
  let web: URL;
  try {
    web = new URL(`${scheme}://${host}/${path}`);
  } catch {
    return undefined;
  }
  if (web.username || web.password || web.search || web.hash) return undefined;
  return web.href.replace(/\/$/, '');
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The run's part of every image's metadata, from the GitHub context and the user's labels and
 * annotations (inputs or flags, already checked). The pull request's head sha counts only on a
 * `pull_request` run: that is the code the job checked out (merged into its base); a
 * `pull_request_target` run builds its base branch.
 */
export function runMetadata(
  context: Pick<RunContext, 'serverUrl' | 'repository' | 'eventName' | 'pullRequest'>,
  user: Pick<RunMetadata, 'labels' | 'annotations'>,
  localRemote?: string,
): RunMetadata {
  const github = context.serverUrl && context.repository ? `${context.serverUrl.replace(/\/+$/, '')}/${context.repository}` : undefined;
  const head = context.eventName === 'pull_request' ? context.pullRequest?.headSha : undefined;
  return {
    repositoryUrl: repositoryWebUrl(github ?? localRemote),
    pullRequestHeadSha: head && SHA.test(head) ? head : undefined,
    labels: user.labels,
    annotations: user.annotations,
  };
}

/** The facts of one image's build, from its spec, the run and the commit its sources are at. */
export function metadataFacts(
  spec: Pick<ImageSpec, 'image' | 'source' | 'version'>,
  run: Pick<RunMetadata, 'repositoryUrl' | 'pullRequestHeadSha'>,
  checkout: { commit?: string; commitTime?: number },
): MetadataFacts {
  if (spec.source.kind === 'upstream') {
    return {
      title: spec.image,
      revision: checkout.commit,
      created: checkout.commitTime,
      version: imageVersion({ planned: spec.version, upstreamRef: spec.source.ref, revision: checkout.commit }),
      source: repositoryWebUrl(spec.source.repo),
      url: run.repositoryUrl,
    };
  }
  const revision = run.pullRequestHeadSha ?? checkout.commit;
  return {
    title: spec.image,
    revision,
    created: checkout.commitTime,
    version: imageVersion({ planned: spec.version, revision }),
    source: run.repositoryUrl,
    url: run.repositoryUrl,
  };
}

function sorted(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Labels and annotations of an image, keys sorted (the order tools get them in). */
export function imageMetadata(
  facts: MetadataFacts,
  config: Pick<BuildConfig, 'labels' | 'annotations' | 'description' | 'licenses'>,
  run: Pick<RunMetadata, 'labels' | 'annotations'>,
): ImageMetadata {
  const standard: Record<string, string | undefined> = {
    [OCI_KEYS.title]: facts.title,
    [OCI_KEYS.revision]: facts.revision,
    [OCI_KEYS.created]: facts.created === undefined ? undefined : rfc3339(facts.created),
    [OCI_KEYS.version]: facts.version,
    [OCI_KEYS.source]: facts.source,
    [OCI_KEYS.url]: facts.url,
    [OCI_KEYS.description]: config.description,
    [OCI_KEYS.licenses]: config.licenses,
  };
  const known = Object.fromEntries(Object.entries(standard).filter((entry): entry is [string, string] => entry[1] !== undefined));
  // revision and created last again: no user map can hold them (core/annotations.ts), but a leg
  // record or a caller written before that check must not win either.
  const fixed = Object.fromEntries([OCI_KEYS.revision, OCI_KEYS.created].filter((k) => k in known).map((k) => [k, known[k]]));
  return {
    labels: sorted({ ...known, ...config.labels, ...run.labels, ...fixed }),
    annotations: sorted({ ...known, ...config.annotations, ...run.annotations, ...fixed }),
  };
}

/**
 * The annotations every one of `sets` has with the same value: what an index over those
 * platforms may say about all of them. No set: none.
 */
export function sharedAnnotations(sets: readonly (Record<string, string> | undefined)[]): Record<string, string> {
  if (sets.length === 0 || sets.some((s) => s === undefined)) return {};
  const [first, ...rest] = sets as Record<string, string>[];
  return sorted(Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((s) => s[key] === value))));
}
