// The build-config.yaml schema. One zod schema is the single source of truth: it validates files,
// generates the published JSON Schema, and its key list drives "did you mean" hints and the README
// reference table.
import { z } from 'zod';
import { BACKENDS, configSections, type BackendName } from '../backendTraits.js';
import { gitRefProblem } from '../grammar/gitRef.js';
import { goEnvProblem, goFlagProblem, ldflagsProblem } from '../grammar/goBuild.js';
import { koImportPathProblem } from '../grammar/goImportPath.js';
import { imageReferenceProblem } from '../grammar/imageReference.js';
import { stageNameProblem } from '../grammar/stageName.js';
import { tagProblem } from '../reference.js';
import { metadataValue, userMetadataMap } from '../annotations.js';

// The backend names come from the table of backend traits; re-exported for the config's users.
export { BACKENDS, type BackendName } from '../backendTraits.js';

export const CONFIG_FILE_NAME = 'build-config.yaml';

const buildArgPattern = /^[A-Za-z_][A-Za-z0-9_]*=.*$/s;

const nonEmpty = (what: string) => z.string().min(1, { message: `${what} must not be empty` });

/**
 * A string checked with a tool's own grammar (core/grammar/): `problem` says why a value is not
 * one, so that no config value reaches a tool as an option or as anything but what the key means.
 */
const grammar = (schema: z.ZodString, what: string, problem: (value: string) => string | undefined) =>
  schema.superRefine((value, ctx) => {
    if (value === '') return; // the schema's own message
    const why = problem(value);
    if (why) ctx.addIssue({ code: 'custom', message: `not a valid ${what}: ${why}` });
  });

/** A path of the repository: relative, no NUL, not an option; where it leads is checked on disk (core/repoPath.ts). */
const relativePath = (what: string) =>
  z
    .string()
    .refine((p) => !p.startsWith('/'), { message: `${what} must be relative to the config's directory` })
    .refine((p) => !p.includes('\0'), { message: `${what} must not contain a NUL character` })
    .refine((p) => !p.startsWith('-'), { message: `${what} must not start with \`-\` (write ./-name for a file named so)` });

export const platformString = z.string().describe('A platform as os/arch[/variant], e.g. linux/amd64, linux/arm64, wasi/wasm32');
const platformList = z.array(platformString).min(1, { message: 'platforms must list at least one platform' });
// The OCI grammar's own check (core/reference.ts), so the message names the tag, its length and the limit.
const tagList = z.array(
  z.string().superRefine((tag, ctx) => {
    const problem = tagProblem(tag);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);
const tagRules = z.union([z.string(), z.array(z.string())]);
const envList = z.array(
  z
    .string()
    .regex(buildArgPattern, { message: 'expected KEY=VALUE' })
    .superRefine((entry, ctx) => {
      const why = goEnvProblem(entry.slice(0, entry.indexOf('=')));
      if (why) ctx.addIssue({ code: 'custom', message: why });
    }),
);

export const koConfigSchema = z.strictObject({
  import_path: grammar(nonEmpty('import_path'), 'Go package', koImportPathProblem)
    .describe('Go import path or ./relative package to build, e.g. ./cmd/server')
    .optional(),
  base_image: grammar(nonEmpty('base_image'), 'image reference', imageReferenceProblem)
    .describe('Base image for the Go binary (ko defaults to a distroless static image)')
    .optional(),
  platforms: platformList.describe('Platforms to build; same as the top-level platforms key').optional(),
  env: envList.describe('Environment for go build, e.g. CGO_ENABLED=0').optional(),
  ldflags: z
    .array(grammar(z.string(), 'linker flag list', ldflagsProblem))
    .describe('Linker flags, e.g. -s -w -X main.version=v1 (only -s -w -X -buildid -B -compressdwarf -checklinkname -strictdups)')
    .optional(),
  flags: z
    .array(grammar(z.string(), 'go build flag', goFlagProblem))
    .describe('Extra go build flags, one per entry, e.g. -trimpath or -tags=netgo (an allowlist: see the README)')
    .optional(),
});

export const spinConfigSchema = z.strictObject({
  manifest_path: relativePath('manifest_path')
    .min(1, { message: 'manifest_path must not be empty' })
    .describe('Path of the Spin manifest (default spin.toml)')
    .optional(),
  runtime: z.literal('wasi').describe('Runtime of the component; only wasi').optional(),
  platforms: platformList.describe('Always [wasi/wasm32]').optional(),
});

const imageNamePart = z
  .string()
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, { message: 'an image name is lowercase letters, digits and . _ - separators' })
  .max(128, { message: 'an image name is at most 128 characters' });

/** How many items a too-long list has, for its error (zod 4 passes the list as the issue's input). */
function countOf(input: unknown): string {
  return Array.isArray(input) ? String(input.length) : 'more';
}

/**
 * `needs`: the images this one is built on, by name: an `images[].name` of the same file first,
 * else an image name of the repository (issue 14). Declared, never guessed from a FROM line, as
 * Skaffold's `requires` (skaffold.dev/docs/design/config: artifact dependencies) and Docker Bake's
 * `contexts: {name: "target:other"}` (docs.docker.com/build/bake/contexts) are.
 */
const needsList = z
  .array(imageNamePart)
  .max(16, { error: (issue) => `needs lists at most 16 images, not ${countOf(issue.input)}` })
  .describe(
    "Images of this repository this one is built FROM, by name (an images[].name of this file, or an image name): each arrives as the digest the earlier wave pushed, in the build arg NAME_IMAGE, a named build context NAME and ko's base image",
  );

// The keys that describe one image: the file's top level, and each entry of `images:`.
const imageKeys = {
  use_local_context: z.boolean().describe('Build from the directory holding this file').optional(),
  upstream_repo: nonEmpty('upstream_repo').describe('A git URL to clone and build instead of the local directory').optional(),
  upstream_ref: grammar(nonEmpty('upstream_ref'), 'git ref', gitRefProblem)
    .describe('Branch, tag or commit of upstream_repo to build')
    .optional(),
  build_backend: z
    .enum(BACKENDS)
    .describe(`${BACKENDS.join(' | ')}; absent: auto-detected`)
    .optional(),
  image_name: imageNamePart.describe('Image name; default: the directory path with / replaced by -').optional(),
  dockerfile_path: relativePath('dockerfile_path')
    .min(1, { message: 'dockerfile_path must not be empty' })
    .describe('Dockerfile, relative to context_path (default Dockerfile)')
    .optional(),
  context_path: relativePath('context_path').describe('Build context, relative to this file (default .)').optional(),
  target: grammar(z.string(), 'stage name', stageNameProblem).describe('Dockerfile stage to build; empty: the last stage').optional(),
  build_args: z
    .array(z.string().regex(buildArgPattern, { message: 'expected KEY=VALUE' }))
    .describe('Build arguments as KEY=VALUE, public (they stay in the image history); ${VAR} expands only from build-env')
    .optional(),
  secrets: z
    .array(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
        message: 'expected a variable name: letters, digits and _, not starting with a digit',
      }),
    )
    .describe(
      'Build secrets (buildkit only): names of job environment variables, mounted with RUN --mount=type=secret,id=NAME; never in the image or the log',
    )
    .optional(),
  platforms: platformList.describe('Platforms to build (default linux/amd64 and linux/arm64; spin: wasi/wasm32)').optional(),
  additional_tags: tagList.describe('Extra tags published with the image on the default branch and on releases, e.g. latest').optional(),
  tags: tagRules
    .describe('docker/metadata-action tag rules replacing the default tag table, one per line or list item, e.g. type=ref,event=branch')
    .optional(),
  verify_arch: z
    .boolean()
    .describe(
      'Check that every executable and shared library in each platform image is built for that platform (wasm: is WebAssembly) before it can be published (default true); false for images that ship foreign binaries on purpose',
    )
    .optional(),
  description: metadataValue.describe('One line about the image: its org.opencontainers.image.description label and annotation').optional(),
  licenses: z
    .string()
    .regex(/^[A-Za-z0-9(][A-Za-z0-9.+:()-]*(?: [A-Za-z0-9(][A-Za-z0-9.+:()-]*)*$/, {
      message: 'expected an SPDX license expression, e.g. Apache-2.0 or MIT OR Apache-2.0',
    })
    .max(256, { message: 'an SPDX license expression is at most 256 characters' })
    .describe('SPDX license expression of the image, e.g. Apache-2.0: its org.opencontainers.image.licenses label and annotation')
    .optional(),
  labels: userMetadataMap.describe('Labels of the image config, KEY: value; the labels input and --label win over them').optional(),
  annotations: userMetadataMap
    .describe('Annotations of each platform manifest and of the index, KEY: value; the annotations input and --annotation win over them')
    .optional(),
  pull_credentials: z
    .boolean()
    .describe(
      "kaniko: hand the run's registry login to the executor, to pull a private base image. The Dockerfile's RUN steps can read it; never given on pull requests. Default false",
    )
    .optional(),
  sbom: z
    .boolean()
    .describe(
      'An SPDX SBOM per platform, attached as a signed attestation (written beside the leg records when unsigned); wins over the sbom input and --sbom. Default true',
    )
    .optional(),
  provenance: z
    .boolean()
    .describe(
      'A SLSA v1 provenance statement per platform, attached as a signed attestation (written beside the leg records when unsigned); wins over the provenance input and --provenance. Default true',
    )
    .optional(),
  sign: z
    .boolean()
    .describe(
      'Sign the published index and its platform manifests: keyless on GitHub runners, with the key where one is given; wins over the sign input and --sign. Default: on for default-branch, scheduled, manual and tag runs on runners, and locally with --sign-key',
    )
    .optional(),
  buildkit_provenance: z
    .boolean()
    .describe(
      "buildkit: also push BuildKit's own provenance attestation in the leg's index (an unknown/unknown entry beside the image, which some platforms and registry UIs do not expect): mode=max in public repositories, min otherwise. Default false",
    )
    .optional(),
  ko_config: koConfigSchema.describe('Settings of the ko backend').optional(),
  spin_config: spinConfigSchema.describe('Settings of the spin backend').optional(),
  needs: needsList.optional(),
};

/**
 * One entry of `images:`: its `name` and any image key, which replaces the file's top-level one
 * (labels, annotations and build_args are merged key by key, the entry's winning), as a Bake
 * target that `inherits` another (docs.docker.com/build/bake/inheritance).
 */
export const imageEntrySchema = z
  .strictObject({
    name: imageNamePart.describe("The image's name in this file; published as `{image name}-{name}` unless it sets image_name"),
    ...imageKeys,
  })
  .describe('One image of this directory');

/** At most this many images per file: one directory, a few variants (Kaniko ships three). */
export const MAX_IMAGES_PER_FILE = 32;

export const buildConfigSchema = z
  .strictObject({
    ...imageKeys,
    images: z
      .array(imageEntrySchema)
      .min(1, { message: 'images must list at least one image' })
      .max(MAX_IMAGES_PER_FILE, {
        error: (issue) => `images lists at most ${MAX_IMAGES_PER_FILE} images per file, not ${countOf(issue.input)}`,
      })
      .describe("Several images from this directory, each with a name and its own keys over the file's (e.g. target); absent: one image")
      .optional(),
  })
  .describe('hephy-builder build-config.yaml: how to build the images of this directory');

export type BuildConfig = z.infer<typeof buildConfigSchema>;

/** Every key path the schema knows, for "did you mean" hints. */
export const TOP_LEVEL_KEYS = Object.keys(buildConfigSchema.shape);
/** The keys of one `images:` entry. */
export const IMAGE_ENTRY_KEYS = Object.keys(imageEntrySchema.shape);
/** The keys of every section (a key whose value is a mapping), e.g. ko_config: [import_path, ...]. */
export const NESTED_KEYS: Record<string, string[]> = Object.fromEntries(
  Object.entries(buildConfigSchema.shape).flatMap(([key, value]) => {
    const inner = value instanceof z.ZodOptional ? value.unwrap() : value;
    return inner instanceof z.ZodObject ? [[key, Object.keys(inner.shape)]] : [];
  }),
);

/** The backends' config sections (see core/backendTraits.ts) that hold a platforms list of their own. */
export const PLATFORM_SECTIONS: readonly { section: string; backend: BackendName }[] = configSections().filter(({ section }) =>
  NESTED_KEYS[section]?.includes('platforms'),
);
