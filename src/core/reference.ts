// The OCI distribution grammar of image references, as the registry client of every tool we drive
// (buildx, crane, ko, skopeo) checks it: github.com/distribution/reference v0.6.0, regexp.go and
// reference.go. A reference that fails here would fail at push time, after other tags moved, so
// the plan checks every final reference with these functions before anything builds.
//
//   tag            [\w][\w.-]{0,127}           (\w is [A-Za-z0-9_] in Go's regexp)
//   path component [a-z0-9]+ ((?:[._]|__|[-]+) [a-z0-9]+)*
//   repository     [domain[:port]/] component (/ component)*; the path (without the domain)
//                  is at most 255 characters (RepositoryNameTotalLengthMax, checked in Parse)

import {
  DOMAIN_AND_PORT,
  MAX_PATH_LENGTH,
  PATH_COMPONENT as PATH_COMPONENT_SOURCE,
  TAG as TAG_SOURCE,
  TAG_MAX_LENGTH,
} from './grammar/imageReference.js';

// One grammar (grammar/imageReference.ts, read from distribution/reference): these are its parts,
// anchored, so a tag or repository fails here exactly when the whole reference would fail there.
export { TAG_MAX_LENGTH };
/** distribution/reference RepositoryNameTotalLengthMax: the repository path, without the registry host. */
export const REPOSITORY_PATH_MAX_LENGTH = MAX_PATH_LENGTH;

const TAG = new RegExp(`^${TAG_SOURCE}$`);
const PATH_COMPONENT = new RegExp(`^${PATH_COMPONENT_SOURCE}$`);
const DOMAIN = new RegExp(`^${DOMAIN_AND_PORT}$`);

/** Why `tag` is not a valid tag, or undefined when it is. */
export function tagProblem(tag: string): string | undefined {
  if (tag.length === 0) return 'a tag cannot be empty';
  if (tag.length > TAG_MAX_LENGTH) return `the tag \`${tag}\` is ${tag.length} characters long, over the limit of ${TAG_MAX_LENGTH}`;
  if (!TAG.test(tag)) {
    const bad = [...new Set(tag.replace(/[A-Za-z0-9_.-]/g, ''))].join('');
    return bad
      ? `the tag \`${tag}\` has characters a tag cannot have (\`${bad}\`): only letters, digits, _ . -`
      : `the tag \`${tag}\` starts with \`${tag[0]}\`: a tag starts with a letter, a digit or _`;
  }
  return undefined;
}

/** Splits `host[:port]/path` the way distribution/reference's splitDomain does for our references (the host always given). */
function splitRepository(repository: string): { domain: string; path: string } {
  const slash = repository.indexOf('/');
  const first = slash < 0 ? repository : repository.slice(0, slash);
  // A first component with a dot or a port, or localhost, is the registry host.
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')))
    return { domain: first, path: repository.slice(slash + 1) };
  return { domain: '', path: repository };
}

/** Why `repository` (host[:port]/path, no tag) is not a valid repository name, or undefined. */
export function repositoryProblem(repository: string): string | undefined {
  const { domain, path } = splitRepository(repository);
  if (domain && !DOMAIN.test(domain)) return `the registry host \`${domain}\` is not a valid host[:port]`;
  if (path.length > REPOSITORY_PATH_MAX_LENGTH)
    return `the repository name \`${path}\` is ${path.length} characters long, over the limit of ${REPOSITORY_PATH_MAX_LENGTH}`;
  const bad = path.split('/').find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined)
    return `the repository name \`${path}\` has an invalid component \`${bad}\`: lowercase letters and digits, separated by . _ __ or -`;
  return undefined;
}

/** Why `reference` (repository:tag) is not valid, or undefined. The tag is after the last `:` that follows the last `/`. */
export function referenceProblem(reference: string): string | undefined {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon <= slash) return `\`${reference}\` has no tag`;
  return repositoryProblem(reference.slice(0, colon)) ?? tagProblem(reference.slice(colon + 1));
}

/**
 * docker/metadata-action's tag sanitising (src/meta.ts, sanitizeTag): every run of characters a tag
 * cannot have becomes one `-`. `feature/x-y` -> `feature-x-y`.
 */
export function sanitizeTag(text: string): string {
  return text.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

/**
 * A git ref name (branch, tag, upstream_ref) made a valid tag: sanitised as metadata-action does,
 * and without the leading `.`/`-` a tag cannot start with. Empty when nothing is left.
 */
export function tagFromName(name: string): string {
  return sanitizeTag(name).replace(/^[.-]+/, '');
}
