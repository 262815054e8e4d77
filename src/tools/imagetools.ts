// `docker buildx imagetools`: creates multi-arch indexes from per-platform digests and reads
// manifests back from the registry. It needs only registry access, no Docker daemon.
//
// Which binary: the one buildx lookup of buildx.ts (resolveBuildxCommand), once per environment.
//
// Plain http: buildx speaks http to 127.0.0.1:PORT and localhost:PORT without any config
// (verified with distribution 2.8). Any other plain-http or self-signed registry needs a buildx
// builder whose buildkitd.toml marks it (`[registry."host:port"] http = true, insecure = true`):
// imagetools reads that section from the builder's stored config (buildx's GetImageConfig), so
// create the builder with `docker buildx create --config buildkitd.toml ...` and pass its name
// as `builder` (or set BUILDX_BUILDER). The builder need not be running for imagetools.
import { resolveBuildxCommand } from './buildx.js';
import { run, ToolError, type RunOptions, type RunResult, type Runner } from './exec.js';
import { compressedSize, digestOf, isDigest, isIndex, type ManifestDocument } from '../core/oci.js';
import { messageOf } from '../core/problem.js';
import { samePlatform } from '../core/platform.js';

export interface CreateIndexOptions {
  /** Full references to push the result to; all of them get the same digest. */
  tags: string[];
  /** repository@digest of each platform manifest (or index) to combine. */
  sources: string[];
  env?: NodeJS.ProcessEnv;
  secrets?: string[];
  /**
   * With one source, false copies that manifest as it is (a per-arch tag) instead of wrapping it
   * in a one-entry index. Default true, as in buildx.
   */
  preferIndex?: boolean;
  /** buildx builder whose registry config applies (plain-http hosts other than localhost). */
  builder?: string;
  /**
   * Annotations of the index (`--annotation=index:KEY=VALUE`, buildx v0.36.1
   * commands/imagetools/create.go -> util/buildflags ParseAnnotations; keys already checked, so
   * none holds the `:` or `=` that parsing splits at). buildx keeps them only on an OCI index
   * (util/imagetools/create.go combine): over Docker-typed manifests it writes a Docker manifest
   * list, which has no annotations.
   */
  annotations?: Record<string, string>;
  /**
   * Annotations of one platform's entry (descriptor) in the index, keyed by platform, e.g.
   * `{ 'linux/amd64': { 'dev.hephy.input-digest': 'sha256:...' } }`: each becomes
   * `--annotation=manifest-descriptor[linux/amd64]:KEY=VALUE` (buildx v0.36.1
   * util/buildflags/export.go ParseAnnotations; OCI index only, as `annotations`).
   */
  entryAnnotations?: Record<string, Record<string, string>>;
  log?: (line: string) => void;
  timeoutMs?: number;
}

export interface InspectOptions {
  secrets?: string[];
  builder?: string;
  timeoutMs?: number;
}

export interface PlannedIndex {
  manifest: ManifestDocument;
  digest: string;
}

export type PlanIndexOptions = Pick<
  CreateIndexOptions,
  'sources' | 'env' | 'secrets' | 'builder' | 'timeoutMs' | 'annotations' | 'entryAnnotations'
>;

export interface Imagetools {
  createIndex(options: CreateIndexOptions): Promise<void>;
  /**
   * The index `createIndex` would push for these sources (`create --dry-run`): nothing moves.
   * `digest` is the sha256 of the exact bytes a push of the same sources sends: buildx prints the
   * combined document `dt` and returns on --dry-run, and otherwise pushes that same `dt` under
   * every tag (commands/imagetools/create.go, runCreate, buildx v0.2x), so a tag read back with
   * another digest was written by someone else.
   */
  planIndex(options: PlanIndexOptions): Promise<PlannedIndex>;
  inspectRaw(ref: string, env?: NodeJS.ProcessEnv, options?: InspectOptions): Promise<ManifestDocument>;
  /** sha256:... of the manifest or index the reference points at, as the registry reports it. */
  indexDigest(ref: string, env?: NodeJS.ProcessEnv, options?: InspectOptions): Promise<string>;
  /** Config size plus the sum of layer sizes of a platform manifest (what a pull downloads). */
  manifestCompressedSize(ref: string, env?: NodeJS.ProcessEnv, options?: InspectOptions): Promise<number>;
  /**
   * The image config (OCI image-spec config.md: history, rootfs, ...) of a platform manifest, read
   * with `inspect --format '{{json .Image}}'` (buildx util/imagetools/printers.go). For an index,
   * buildx prints one config per platform, keyed os/arch[/variant]: the one for `platform`.
   */
  imageConfig(ref: string, env?: NodeJS.ProcessEnv, options?: InspectOptions & { platform?: string }): Promise<ImageConfig>;
}

/** The parts of an image config hephy-builder reads. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  history?: { created_by?: string; comment?: string; author?: string; empty_layer?: boolean }[];
  rootfs?: { diff_ids?: string[] };
  [key: string]: unknown;
}

const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;

/** The command that runs `imagetools`: [executable, ...leading args]. */
export type ImagetoolsCommand = [string, ...string[]];

/** `docker buildx imagetools` or `buildx imagetools`, as resolveBuildxCommand finds buildx. */
export async function resolveImagetoolsCommand(env: NodeJS.ProcessEnv, runner: Runner = run): Promise<ImagetoolsCommand> {
  return [...(await resolveBuildxCommand(env, runner)), 'imagetools'];
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what}: output is not JSON (${messageOf(error)}): ${text.slice(0, 200)}`);
  }
}

const AUTH_FAILURE = /\b(401 Unauthorized|403 Forbidden|authentication required|UNAUTHORIZED|DENIED)\b/;

/** A refused request gets a hint at the login, the usual cause. */
function withAuthHint(error: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!(error instanceof ToolError) || !AUTH_FAILURE.test(error.message)) return error;
  const config = env.DOCKER_CONFIG ? `DOCKER_CONFIG=${env.DOCKER_CONFIG}` : 'the default docker config (no DOCKER_CONFIG set)';
  const hint = `hint: the registry refused the request; check the registry login (credentials are read from ${config})`;
  return new ToolError(`${error.message}\n${hint}`, error.command, error.code, error.stdout, error.stderr);
}

function builderArgs(builder: string | undefined): string[] {
  return builder ? ['--builder', builder] : [];
}

/**
 * One `--annotation=index:KEY=VALUE` argument per index annotation, then one
 * `--annotation=manifest-descriptor[PLATFORM]:KEY=VALUE` per annotation of a platform's entry.
 */
export function indexAnnotationArgs(
  annotations: Record<string, string> | undefined,
  entryAnnotations: Record<string, Record<string, string>> = {},
): string[] {
  return [
    ...Object.entries(annotations ?? {}).map(([key, value]) => `--annotation=index:${key}=${value}`),
    ...Object.entries(entryAnnotations).flatMap(([platform, entry]) =>
      Object.entries(entry).map(([key, value]) => `--annotation=manifest-descriptor[${platform}]:${key}=${value}`),
    ),
  ];
}

export function createImagetools(runner: Runner = run): Imagetools {
  const commands = new Map<string, Promise<ImagetoolsCommand>>();
  const command = (env: NodeJS.ProcessEnv): Promise<ImagetoolsCommand> => {
    const key = [env.PATH, env.DOCKER_CONFIG, env.HOME].join('\0');
    let found = commands.get(key);
    if (!found) {
      found = resolveImagetoolsCommand(env, runner);
      // A failed lookup is not cached: the user may install buildx and retry in the same process.
      found.catch(() => commands.delete(key));
      commands.set(key, found);
    }
    return found;
  };

  const imagetools = async (env: NodeJS.ProcessEnv, args: string[], options: RunOptions): Promise<RunResult> => {
    const [cmd, ...lead] = await command(env);
    try {
      return await runner(cmd, [...lead, ...args], { env, timeoutMs: DEFAULT_TIMEOUT_MS, ...options });
    } catch (error) {
      throw withAuthHint(error, env);
    }
  };

  const inspectText = async (ref: string, format: string[], env: NodeJS.ProcessEnv, options: InspectOptions): Promise<string> => {
    const result = await imagetools(env, ['inspect', ...builderArgs(options.builder), ...format, ref], {
      secrets: options.secrets,
      timeoutMs: options.timeoutMs,
    });
    return result.stdout;
  };

  const inspectRaw: Imagetools['inspectRaw'] = async (ref, env = process.env, options = {}) => {
    const data = parseJson(await inspectText(ref, ['--raw'], env, options), `imagetools inspect --raw ${ref}`);
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`imagetools inspect --raw ${ref}: not a manifest object`);
    return data as ManifestDocument;
  };

  return {
    async createIndex(options) {
      if (options.tags.length === 0) throw new Error('createIndex: no tags to create');
      if (options.sources.length === 0) throw new Error(`createIndex ${options.tags[0]}: no source manifests`);
      const args = [
        'create',
        '--progress',
        'plain',
        ...builderArgs(options.builder),
        ...(options.preferIndex === false ? ['--prefer-index=false'] : []),
        ...indexAnnotationArgs(options.annotations, options.entryAnnotations),
        ...options.tags.flatMap((tag) => ['-t', tag]),
        ...options.sources,
      ];
      const log = options.log;
      await imagetools(options.env ?? process.env, args, {
        secrets: options.secrets,
        timeoutMs: options.timeoutMs,
        onLine: log ? (_stream, line) => log(line) : undefined,
      });
    },

    async planIndex(options) {
      if (options.sources.length === 0) throw new Error('planIndex: no source manifests');
      const result = await imagetools(
        options.env ?? process.env,
        [
          'create',
          '--dry-run',
          ...builderArgs(options.builder),
          ...indexAnnotationArgs(options.annotations, options.entryAnnotations),
          ...options.sources,
        ],
        {
          secrets: options.secrets,
          timeoutMs: options.timeoutMs,
        },
      );
      const data = parseJson(result.stdout, `imagetools create --dry-run ${options.sources.join(' ')}`);
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('imagetools create --dry-run: not a manifest object');
      // fmt.Printf("%s\n", dt): the document is everything but the one newline buildx adds.
      return { manifest: data as ManifestDocument, digest: digestOf(result.stdout.replace(/\n$/, '')) };
    },

    inspectRaw,

    async indexDigest(ref, env = process.env, options = {}) {
      // .Manifest is the descriptor the registry resolved the reference to; its digest is the one
      // a pull by tag gets (the e2e test checks it against the sha256 of the raw bytes).
      const data = parseJson(await inspectText(ref, ['--format', '{{json .Manifest}}'], env, options), `imagetools inspect ${ref}`) as {
        digest?: unknown;
      };
      if (!isDigest(data.digest)) {
        throw new Error(`imagetools inspect ${ref}: no sha256 digest in the output`);
      }
      return data.digest;
    },

    async imageConfig(ref, env = process.env, options = {}) {
      const data = parseJson(await inspectText(ref, ['--format', '{{json .Image}}'], env, options), `imagetools inspect ${ref}`);
      if (!data || typeof data !== 'object' || Array.isArray(data))
        throw new Error(`imagetools inspect ${ref}: no image config in the output`);
      const config = data as Record<string, unknown>;
      // A single manifest's config has rootfs; an index gives {platform: config}.
      if ('rootfs' in config || 'history' in config) return config as ImageConfig;
      const wanted = options.platform;
      const key = Object.keys(config).find((k) => wanted !== undefined && samePlatform(k, wanted));
      if (!key)
        throw new Error(
          `imagetools inspect ${ref}: no image config for ${wanted ?? 'a platform'} (has ${Object.keys(config).join(', ') || 'none'})`,
        );
      return config[key] as ImageConfig;
    },

    async manifestCompressedSize(ref, env = process.env, options = {}) {
      const raw = await inspectRaw(ref, env, options);
      if (isIndex(raw)) throw new Error(`${ref} is an image index, not a platform manifest: pass repository@digest of one platform`);
      const size = compressedSize(raw);
      if (size === undefined) throw new Error(`${ref}: the manifest has no config or a blob without a size`);
      return size;
    },
  };
}

const defaults = createImagetools();
export const createIndex = defaults.createIndex;
export const planIndex = defaults.planIndex;
export const inspectRaw = defaults.inspectRaw;
export const indexDigest = defaults.indexDigest;
export const manifestCompressedSize = defaults.manifestCompressedSize;
export const imageConfig = defaults.imageConfig;
/** The real imagetools, for callers that take an injectable one. */
export const defaultImagetools: Imagetools = defaults;
