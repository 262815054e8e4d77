// What hephy-builder knows about each build backend outside its own file, in one table. Every
// place that used to compare a backend's name (the config checks, detection, default platforms,
// tool setup on runners and locally, the build cache, the CLI flags and action inputs a backend
// reads) reads a row of this table instead. The backend itself, how it runs its tool, lives in
// src/backends/<name>.ts; a new backend is a row here plus that file (docs/dev/architecture.md).

/** What a backend builds from, checked at plan time in the app's directory (core/detect.ts). */
export type BackendInput = 'dockerfile' | 'go-module' | 'spin-manifest';

/** A service `hephy-builder run` starts before the legs of a backend that needs it. */
export type LocalService = 'buildkitd';

/**
 * A per-run setting of a backend that is not in build-config.yaml: the same name is a flag of
 * `build` and `run` (`--NAME VALUE`), an input of the action and one of the reusable workflow.
 */
export interface BackendOptionSpec {
  /** Flag and input name, e.g. `kaniko-image`. */
  name: string;
  /** What the value is, in `--help`: `--NAME VALUE`. */
  value: string;
  /** One line of `--help`. */
  help: string;
  /** The reusable workflow's and the action's description of the input. */
  description: string;
}

export interface BackendTraits {
  /** The name as prose writes it, e.g. Kaniko, BuildKit. */
  title: string;
  /** What a leg pushes: a container image (linux/amd64, ...) or a WebAssembly artifact (wasi/wasm32). */
  artifact: 'image' | 'wasm';
  /** The only OS it builds images for (ko and Kaniko build linux images only); absent: any. */
  os?: string;
  /** Platforms built when the config names none. For a wasm backend, also the only ones it builds. */
  defaultPlatforms: readonly string[];
  /**
   * Its own section of build-config.yaml (a key of core/config/schema.ts, e.g. ko_config); a
   * `platforms` list there stands for the top-level one. The config warns when another backend
   * is chosen and the section is set.
   */
  configSection?: string;
  /** What it builds from; a local app's config is checked against it at plan time. */
  input: BackendInput;
  /** A Dockerfile backend that also builds BuildKit-only syntax (RUN --mount, heredocs, COPY --link, # syntax=). */
  buildkitSyntax?: boolean;
  /**
   * True: it builds for any CPU without running that CPU's code (ko: `go build` with GOOS/GOARCH;
   * Spin: a wasm target), so a leg on a runner of another architecture needs no QEMU. False: the
   * build runs target-platform code (a Dockerfile's RUN steps), which a foreign runner emulates.
   */
  crossCompiles: boolean;
  /**
   * Pinned tools the action installs on a runner when PATH has none (names of action/toolSetup.ts
   * RUNNER_TOOLS). Tools that hosted runners ship (docker, buildx, skopeo) and tools the backend
   * installs itself (spin) are not listed.
   */
  runnerTools: readonly string[];
  /**
   * It runs the image's own executables while building (a Dockerfile's RUN steps): a leg for a
   * platform the runner cannot run natively gets QEMU registered first (action/toolSetup.ts). ko
   * cross-compiles and Spin builds wasm, so neither needs it.
   */
  runsForeignCode: boolean;
  /** Steps of scripts/install-tools.sh that `hephy-builder run` runs for it (beside apt, buildx and crane, which every run needs). */
  localTools: readonly string[];
  /** Services `hephy-builder run` starts for it, unless the environment names its own (HEPHY_BUILDX_BUILDER). */
  localServices: readonly LocalService[];
  /**
   * True: the action's build job restores and saves the backend's cache directory in the GitHub
   * Actions cache (action/build.ts). BuildKit talks to that cache itself instead.
   */
  actionsCache: boolean;
  /** Per-run settings it reads from LegContext.options, keyed by their name there. */
  options: Readonly<Record<string, BackendOptionSpec>>;
  /**
   * True: it builds on a need handed to it as an OCI layout, as push off hands one on (issue 14,
   * core/imageGraph.ts layoutNeedProblem). Else why not, the reason its dependant legs are skipped.
   */
  layoutBase: true | string;
}

const CONTAINER_PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;

/** The table. Its order is the order of build_backend's values in the schema and in messages. */
export const BACKEND_TRAITS = {
  kaniko: {
    title: 'Kaniko',
    artifact: 'image',
    os: 'linux',
    defaultPlatforms: CONTAINER_PLATFORMS,
    input: 'dockerfile',
    buildkitSyntax: false,
    crossCompiles: false,
    runnerTools: [],
    runsForeignCode: true,
    localTools: ['kaniko', 'containers-conf', 'binfmt'],
    localServices: [],
    actionsCache: false,
    // The executor takes a base from an earlier stage, its warmer's cache or a registry
    // (chainguard-dev/kaniko v1.25.5 pkg/image/image_util.go RetrieveSourceImage).
    layoutBase: 'Kaniko cannot build FROM an OCI layout; push the base or use BuildKit',
    options: {
      kanikoImage: {
        name: 'kaniko-image',
        value: 'REF',
        help: 'Kaniko executor image, pinned by digest (default: built from the pinned Go module)',
        description:
          'Kaniko executor image for kaniko builds, pinned by digest (a tag alone draws a warning). Empty: built on the runner from the pinned Go module, verified by the Go checksum database.',
      },
    },
  },
  ko: {
    title: 'ko',
    artifact: 'image',
    os: 'linux',
    defaultPlatforms: CONTAINER_PLATFORMS,
    configSection: 'ko_config',
    input: 'go-module',
    crossCompiles: true,
    runnerTools: ['ko', 'crane'],
    runsForeignCode: false,
    localTools: ['ko', 'crane'],
    localServices: [],
    actionsCache: true,
    // Through its cache of base images (backends/ko.ts seedKoBaseCache).
    layoutBase: true,
    options: {
      baseImage: {
        name: 'base-image',
        value: 'REF',
        help: 'base image for ko apps without ko_config.base_image',
        description: 'Base image for ko builds whose build-config.yaml sets no ko_config.base_image. Empty: ko decides.',
      },
    },
  },
  buildkit: {
    title: 'BuildKit',
    artifact: 'image',
    defaultPlatforms: CONTAINER_PLATFORMS,
    input: 'dockerfile',
    buildkitSyntax: true,
    // RUN steps run as the target platform; a Dockerfile that cross-compiles from
    // --platform=$BUILDPLATFORM still runs its final stage's RUN steps emulated.
    crossCompiles: false,
    runnerTools: [],
    runsForeignCode: true,
    localTools: ['buildkit', 'binfmt'],
    localServices: ['buildkitd'],
    actionsCache: false,
    // An oci-layout:// named build context (backends/buildkit.ts needContext).
    layoutBase: true,
    options: {},
  },
  spin: {
    title: 'Spin',
    artifact: 'wasm',
    defaultPlatforms: ['wasi/wasm32'],
    configSection: 'spin_config',
    input: 'spin-manifest',
    crossCompiles: true,
    runnerTools: [],
    runsForeignCode: false,
    localTools: [],
    localServices: [],
    // The pinned Spin CLI the backend installs into its cache dir; installSpin hashes the tarball
    // again and unpacks the binary again after a restore, before it runs.
    actionsCache: true,
    layoutBase: 'Spin builds on no image',
    options: {},
  },
} as const satisfies Record<string, BackendTraits>;

export type BackendName = keyof typeof BACKEND_TRAITS;

/** The backend names, in the table's order (a non-empty tuple, as z.enum wants). */
export const BACKENDS = Object.keys(BACKEND_TRAITS) as [BackendName, ...BackendName[]];

export function traitsOf(backend: BackendName): BackendTraits {
  return BACKEND_TRAITS[backend];
}

/** The backends whose row satisfies `test`, in the table's order. */
export function backendsWhere(test: (traits: BackendTraits) => boolean): BackendName[] {
  return BACKENDS.filter((name) => test(traitsOf(name)));
}

/** A copy of the platforms a backend builds when the config names none. */
export function defaultPlatforms(backend: BackendName): string[] {
  return [...traitsOf(backend).defaultPlatforms];
}

/** Every config section that belongs to a backend, with its owner, in the table's order. */
export function configSections(): { section: string; backend: BackendName }[] {
  return BACKENDS.flatMap((backend) => {
    const section = traitsOf(backend).configSection;
    return section ? [{ section, backend }] : [];
  });
}

/** The keys of every backend's options, e.g. `kanikoImage`. */
export type BackendOptionKey = {
  [B in BackendName]: keyof (typeof BACKEND_TRAITS)[B]['options'];
}[BackendName];

/** The per-run settings of all backends, as one value that travels to every leg; absent: unset. */
export type BackendOptions = Partial<Record<BackendOptionKey, string>>;

/** Every backend option with its key and owner, in the table's order. */
export const BACKEND_OPTIONS: readonly (BackendOptionSpec & { key: BackendOptionKey; backend: BackendName })[] = BACKENDS.flatMap(
  (backend) => Object.entries(traitsOf(backend).options).map(([key, spec]) => ({ ...spec, key: key as BackendOptionKey, backend })),
);

/**
 * The backend options from a reader of flags or inputs by name (`--kaniko-image`, input
 * `kaniko-image`). Blank values are unset, as an empty action input is.
 */
export function readBackendOptions(read: (name: string) => string | undefined): BackendOptions {
  const options: BackendOptions = {};
  for (const option of BACKEND_OPTIONS) {
    const value = read(option.name)?.trim();
    if (value) options[option.key] = value;
  }
  return options;
}
