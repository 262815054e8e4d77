// One interface for every build backend. A backend builds ONE platform of ONE image and pushes it
// by digest: no tag moves until the merge has every platform. With target.push off (a pull request
// from a fork, `build --dry-run`) it builds for real and pushes nothing at all. Each backend lives in its own file
// and talks to its tool only through a typed wrapper in src/tools/. What the rest of the code
// knows about a backend (platforms, config section, tools, cache, options) is its row in
// core/backendTraits.ts.
import type { NeededImage } from '../core/imageGraph.js';
import type { BackendName, BackendOptions } from '../core/backendTraits.js';
import type { ImageMetadata } from '../core/imageMetadata.js';
import type { ImageSpec, Leg } from '../core/model.js';

export interface RegistryTarget {
  /** Repository the leg pushes to, without tag or digest, e.g. 127.0.0.1:5000/team/app. */
  repository: string;
  /** Plain-http registry (local, or a test one). */
  insecure: boolean;
  /**
   * False: build and push nothing, not even a scratch tag or cache layers (untrusted code, such as
   * a pull request from a fork, must not reach the registry). The repository still names the image.
   */
  push: boolean;
}

export interface LegContext {
  spec: ImageSpec;
  leg: Leg;
  /** Absolute directory of the app's sources (the checkout, or the upstream clone). */
  sourceDir: string;
  target: RegistryTarget;
  /** Scratch directory of this leg (metadata files, digest files), removed by the caller. */
  workDir: string;
  /**
   * Committer time of the commit being built, in seconds since the epoch (SOURCE_DATE_EPOCH):
   * the image's `created` time, so the same inputs give the same digest. Absent outside git.
   */
  sourceDateEpoch?: number;
  /**
   * Labels of the image config and annotations of the platform manifest, keys sorted
   * (core/imageMetadata.ts): every backend puts all of them on the image it builds (Spin, which
   * has no image config, the annotations only). Keys and values are checked (core/annotations.ts)
   * and always reach a tool inside one `--flag=KEY=VALUE` argument.
   */
  metadata: ImageMetadata;
  /** Persistent cache directory of this backend (restored/saved by the caller on runners). */
  cacheDir: string;
  /** Environment for the tools, including DOCKER_CONFIG with registry auth. */
  env: NodeJS.ProcessEnv;
  /**
   * What `${VAR}` in the config expands from: variables passed on purpose (build-env) and the safe
   * GitHub values (core/buildEnv.ts), never `env`.
   */
  buildEnv: Record<string, string>;
  /** Per-run settings of the backends (`--base-image`, `--kaniko-image`, ...), declared in core/backendTraits.ts. */
  options: BackendOptions;
  /** Secrets to mask in any output. */
  secrets: string[];
  /** True on a GitHub runner (enables the GitHub Actions cache backend of BuildKit). */
  onRunner: boolean;
  /**
   * The run is for a pull request: its code is not reviewed yet, so no registry login is ever
   * handed to code the build runs (Kaniko's RUN steps). Absent: not a pull request.
   */
  pullRequest?: boolean;
  /**
   * The images this one is built on (issue 14), as the earlier wave pushed them for this
   * platform: build args NAME_IMAGE, BuildKit named contexts NAME, ko's base image. Absent: none.
   */
  needs?: NeededImage[];
  /**
   * Push off, and images of the plan are built on this one (issue 14): the directory (absent,
   * in the run's own directories) the backend writes the built image's OCI layout to, for the
   * next wave to build on. A backend that cannot leaves it absent. Absent: keep nothing.
   */
  keepLayout?: string;
  log(line: string): void;
}

export interface LegBuildResult {
  /**
   * sha256:... of the pushed platform manifest (not an index). With push off: of the manifest as
   * built, or absent when the tool only knows it by pushing (spin).
   */
  digest?: string;
  /** Milliseconds of the run spent pushing, when the tool's output shows where pushing starts; 0 with push off. */
  pushMs: number;
  /** Compressed size of what was pushed, when the backend knows it without asking the registry. */
  compressedSize?: number;
  /**
   * An OCI layout on disk holding the built image (`digest`), still there until the leg ends: what
   * the leg's SBOM describes (syft). Absent: the SBOM is made from the pushed image.
   */
  layoutDir?: string;
  /**
   * The index the backend pushed around the platform manifest `digest` (BuildKit with its own
   * attestations: image + `unknown/unknown` attestation manifest): what the merge assembles from.
   */
  index?: string;
  /** The tool's own SPDX JSON SBOM of the image (ko), when the image's settings ask for one. */
  sbomFile?: string;
  /**
   * A directory of the app's sources the SBOM describes instead of the pushed artifact (Spin: syft
   * cannot read a Spin OCI artifact): the directory of the Spin manifest, whose components' lock
   * files (Cargo.lock, go.mod, package-lock.json) declare what went in.
   */
  sourceTree?: string;
  /** Milliseconds of the architecture check (backends/archVerify.ts), part of the build time; absent when it did not run. */
  verifyMs?: number;
}

export interface Backend {
  readonly name: BackendName;
  /**
   * Optional: once per `hephy-builder run`, before any of its legs, what the legs would otherwise
   * each prepare at the same time (Kaniko: the local executor image). Not called on runners.
   */
  prepareRun?(options: BackendOptions): Promise<void>;
  /** Checks or installs the tool; resolves to its version. */
  setup(ctx: LegContext): Promise<string>;
  /** Builds ctx.leg.platform and pushes it by digest to ctx.target.repository (unless target.push is off). */
  build(ctx: LegContext): Promise<LegBuildResult>;
}
