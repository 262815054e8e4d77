// The input digest of one image on one platform: SHA-256 over everything that decides what the
// build produces (issue 10). Equal digests mean the build would read the same files, with the
// same settings, tool versions and base images; so an image published under a digest need not be
// built again. Pure: the caller hashes the files and resolves the base images (src/tools/), this
// only decides what counts and how it is encoded.
import { createHash } from 'node:crypto';
import type { BackendName } from './backendTraits.js';
import type { BuildConfig } from './config/schema.js';

/** Bumped whenever what the digest covers or its encoding changes: old records stop matching. */
export const INPUT_DIGEST_SCHEMA = 1;

export interface InputFile {
  /** Repository path, `/` separators. */
  path: string;
  /** Hex SHA-256 of the content; for a symlink, of its target text (Docker copies the link). */
  sha256: string;
  kind: 'file' | 'symlink';
  /** The owner's executable bit: COPY keeps the mode. */
  executable: boolean;
}

export interface InputDigestMaterial {
  backend: BackendName;
  /** Pinned versions of the tools that build (tool-pins.json), e.g. `{ ko: 'v0.19.1', go: 'go1.26.8' }`. */
  tools: Record<string, string>;
  /** Normalised platform, e.g. linux/arm64. */
  platform: string;
  /** The config as it decides the build (see effectiveConfig). */
  config: BuildConfig;
  /** build_args, ko env/ldflags/flags with every `${VAR}` expanded. */
  expanded: Record<string, string[]>;
  /** The Dockerfile as a repo path (its content is one of `files`). */
  dockerfile?: string;
  target?: string;
  /** Per-run backend options that reach the build (base image, Kaniko executor image). */
  options: Record<string, string>;
  files: readonly InputFile[];
  /** Each base image reference and the digest it resolved to at plan time. */
  baseImages: Record<string, string>;
  /**
   * Per need (issue 14), by its name as written: the input digest of the needed image's leg for
   * the same platform. The image it is built on is built in the same run, so its inputs are this
   * image's inputs too. Absent for an image without needs (its digest is as before).
   */
  needs?: Record<string, string>;
}

/**
 * The config less what is not an input: the published tags (`additional_tags`) and the image's
 * name (the record is kept per repository, so the name is already its key).
 */
export function effectiveConfig(config: BuildConfig): BuildConfig {
  const { additional_tags: _tags, image_name: _name, ...rest } = config;
  return rest;
}

/** JSON with object keys sorted at every depth, so equal material gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * `sha256:<hex>` over the canonical JSON of the material, files sorted by path.
 * @throws Error when two files share a path (a caller's bug: the digest would be ambiguous).
 */
export function inputDigest(material: InputDigestMaterial): string {
  const files = [...material.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < files.length; i++) {
    if (files[i].path === files[i - 1].path) throw new Error(`inputDigest: ${files[i].path} is listed twice`);
  }
  const document = { schema: INPUT_DIGEST_SCHEMA, ...material, config: effectiveConfig(material.config), files };
  return `sha256:${createHash('sha256').update(canonicalJson(document), 'utf8').digest('hex')}`;
}

/** The bookkeeping tag of an input digest: `in-` and its 64 hex digits (a valid tag, 67 chars). */
export function inputDigestTag(digest: string): string {
  const hex = /^sha256:([a-f0-9]{64})$/.exec(digest)?.[1];
  if (!hex) throw new Error(`not a sha256 digest: ${digest}`);
  return `in-${hex}`;
}

/** The annotation that carries an image's input digest, on each platform manifest and index entry. */
export const INPUT_DIGEST_ANNOTATION = 'dev.hephy.input-digest';

/**
 * The annotations of each platform's entry in the index: its input digest, keyed by platform
 * (imagetools create writes them as `manifest-descriptor[PLATFORM]:KEY=VALUE`, tools/imagetools.ts).
 */
export function indexInputAnnotations(
  entries: readonly { platform: string; inputDigest?: string }[],
): Record<string, Record<string, string>> {
  const annotations: Record<string, Record<string, string>> = {};
  for (const entry of entries) if (entry.inputDigest) annotations[entry.platform] = { [INPUT_DIGEST_ANNOTATION]: entry.inputDigest };
  return annotations;
}
