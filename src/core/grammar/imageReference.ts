// Image references (`registry.example.com/team/base:1.2@sha256:...`) as the container tools parse
// them, so that a base or executor image from a config or an input is only ever an image.
//
// Source: github.com/distribution/reference v0.6.0 (what buildx, BuildKit and the docker CLI use):
// regexp.go (`referencePat`, its domain, path-component, tag and digest patterns), reference.go
// `Parse` (the 255-character limit of the repository path) and normalize.go `ParseNormalizedNamed`
// (the name is lowercase, and a bare 64-hex identifier is not a name); the digest's encoded part
// as go-digest v1.0.0 validates it for the algorithms it knows (sha256, sha384, sha512: lowercase
// hex of 64, 96 and 128 digits). go-containerregistry's `name` package, which ko and Kaniko use,
// accepts every reference this grammar accepts.

const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
/** regexp.go `domainAndPort` (unanchored source): a registry host name or [IPv6], with an optional port. */
export const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
/** regexp.go `pathComponent` (unanchored source): lowercase alphanumerics separated by . _ __ or dashes. */
export const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
/** regexp.go `tag` (unanchored source): at most 128 characters, see TAG_MAX_LENGTH. */
export const TAG = '[\\w][\\w.-]{0,127}';
/** regexp.go: a tag is at most 128 characters. */
export const TAG_MAX_LENGTH = 128;
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** reference.go RepositoryNameTotalLengthMax: the repository path, without the registry host. */
export const MAX_PATH_LENGTH = 255;
/** go-digest: the encoded length of each algorithm it knows. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ImageReference {
  /** Registry host[:port], when the reference names one. */
  domain?: string;
  /** Repository path under the registry, e.g. team/base. */
  path: string;
  tag?: string;
  digest?: string;
}

/** The parts of an image reference, or why it is not one. */
export function parseImageReference(text: string): ImageReference | { problem: string } {
  if (text === '') return { problem: 'it is empty' };
  if (text.startsWith('-')) return { problem: 'it starts with `-`, which a tool would read as an option' };
  if (IDENTIFIER.test(text)) return { problem: 'a bare 64-digit hex string is an image ID, not a name' };
  const match = REFERENCE.exec(text);
  if (!match) {
    if (REFERENCE.test(text.toLowerCase())) return { problem: 'the repository name must be lowercase' };
    if (/\s/.test(text)) return { problem: 'it contains whitespace' };
    return { problem: 'expected [registry/]repository[:tag][@sha256:digest], e.g. registry.example.com/base/static:1' };
  }
  const [, name, tag, digest] = match;
  const named = ANCHORED_NAME.exec(name);
  const domain = named?.[1];
  const path = named?.[2] ?? name;
  if (path.length > MAX_PATH_LENGTH) return { problem: `the repository name is longer than ${MAX_PATH_LENGTH} characters` };
  if (digest) {
    const [algorithm, encoded] = digest.split(':');
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined) return { problem: `unsupported digest algorithm ${algorithm} (sha256, sha384 or sha512)` };
    if (!new RegExp(`^[a-f0-9]{${length}}$`).test(encoded)) return { problem: `a ${algorithm} digest is ${length} lowercase hex digits` };
  }
  return { ...(domain ? { domain } : {}), path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Why `text` is not an image reference, or undefined when it is one. */
export function imageReferenceProblem(text: string): string | undefined {
  const parsed = parseImageReference(text);
  return 'problem' in parsed ? parsed.problem : undefined;
}
