// The data that flows plan -> legs -> merge. Plain JSON-serialisable shapes: the plan travels as a
// job output, leg records travel as artifacts, and the merge reads them back.
import type { BackendName, BuildConfig } from './config/schema.js';
import type { Problem } from './problem.js';
import type { Runner } from './runners.js';
import type { TagMode } from './tags.js';

/** Where an image's sources come from. */
export type Source =
  | { kind: 'local'; dir: string }
  | {
      kind: 'upstream';
      repo: string;
      ref: string;
      /** The commit the plan resolved `ref` to (core/upstreamRef.ts); every leg builds it. */
      commit?: string;
    };

/** The supply-chain settings of one image (core/supplyChain.ts decides them). */
export interface SupplyChainSettings {
  /** An SPDX SBOM per platform manifest, attached as an in-toto attestation (`cosign attest`). */
  sbom: boolean;
  /** A SLSA v1 provenance statement per platform manifest, attached as an in-toto attestation. */
  provenance: boolean;
  /**
   * How the index (and, recursively, its platform manifests) is signed: `keyless` with the
   * runner's GitHub OIDC token (Fulcio, Rekor), `key` with a cosign key pair given as a secret or
   * `--sign-key`, `none` for no signature.
   */
  sign: 'keyless' | 'key' | 'none';
  /**
   * BuildKit legs only: BuildKit's own provenance attestation in the pushed index (an
   * `unknown/unknown` attestation manifest beside the image, BuildKit docs "Provenance
   * attestations"), besides the signed SLSA statement the merge attaches. Absent: off.
   */
  buildkitAttestations?: boolean;
  /**
   * The mode of that provenance: `max` (every build argument, the Dockerfile, the sources) for a
   * public repository, `min` otherwise, as docker/github-builder chooses (docs.docker.com/build/ci/
   * github-actions/attestations: "mode=max for public repositories"). Absent: `min`.
   */
  buildkitProvenanceMode?: 'min' | 'max';
}

/** A need resolved (core/imageGraph.ts): NAME as written in `needs`, and the image it names. */
export interface ImageNeed {
  name: string;
  image: string;
}

/** One image, fully resolved from a build-config.yaml (or from detection alone). */
export interface ImageSpec {
  /** Image name: directory path with / -> -, the repo name for the root, or config image_name. */
  image: string;
  /** Directory relative to the repo root, '.' for the root. */
  dir: string;
  /** Config file relative to the repo root; absent for a config-less detected app. */
  configFile?: string;
  config: BuildConfig;
  backend: BackendName;
  /** One line saying why this backend, e.g. "go.mod and cmd/ found: ko". */
  backendReason: string;
  platforms: string[];
  source: Source;
  additionalTags: string[];
  /**
   * The tags this run publishes, decided at plan time (core/tagPolicy.ts) and checked against the
   * OCI grammar: full references (`host/prefix/app:tag`) when the plan was given a registry, bare
   * tags (with the single-repo `{image}-` prefix) otherwise. The merge publishes exactly these.
   */
  tags: string[];
  /** The image's version label, decided with the tags (core/tagPolicy.ts `ImageTags.version`). */
  version?: string;
  /** `images[].name` when its config file lists several images (issue 14). */
  entryName?: string;
  /** The images of this repository it is built on (`needs`, core/imageGraph.ts); absent: none. */
  needs?: ImageNeed[];
  /** Its build wave, 1-based: 1 without needs, else one past its deepest need's (core/imageGraph.ts). */
  wave?: number;
  /** SBOM, provenance and signature of this image (core/supplyChain.ts); absent: none. */
  supplyChain?: SupplyChainSettings;
}

/** How the plan decided the tags: the merge composes bare tags with the same settings. */
export interface PlanPublish {
  mode: TagMode;
  /** Set when the plan was given a registry: images[].tags are then full references. */
  registry?: string;
  prefix?: string;
  /** Per-platform variants of each tag were checked too. */
  perArchTags: boolean;
  /** The run the tags were decided for, e.g. "pull request #5 (head 1a2b3c4)". */
  run: string;
  /** False: this run pushes nothing (a pull request from a fork, pull_request_target); why says so. */
  push: boolean;
  pushWhy?: string;
  /**
   * True: the merge writes each built leg's input-digest record (`in-<digest>`) that later runs
   * select by. Only default-branch runs that push (core/tagPolicy.ts writesInputRecords); absent
   * in plans of older versions, which write none.
   */
  recordInputs?: boolean;
}

export interface Leg {
  /** Stable, artifact-name-safe id: `${image}--${os}-${arch}[-${variant}]`. */
  id: string;
  image: string;
  dir: string;
  backend: BackendName;
  platform: string;
  /** What the build job's `runs-on` gets: a label, a list of labels, or a group (core/runners.ts). */
  runner: Runner;
  /**
   * True when the runner is not native for the platform and the build runs target-platform code
   * there, under QEMU. False for native runners and for backends that cross-compile (ko, Spin).
   */
  emulated: boolean;
  /** An upstream image's commit, resolved once at plan time, so that every leg builds the same one. */
  upstreamCommit?: string;
  /** The leg's input digest when the plan computed one: published with the image. */
  inputDigest?: string;
  /**
   * Its image's build wave, 1-based (core/imageGraph.ts): the reusable workflow builds wave N
   * after wave N-1. Set on every planned leg; absent in plans of older versions (wave 1).
   */
  wave?: number;
}

/** A leg's input digest (src/core/inputDigest.ts), or why it has none (then it always builds). */
export interface LegInputDigest {
  legId: string;
  /** sha256:<hex>; absent when it cannot be known. */
  digest?: string;
  /** Why there is no digest, e.g. a base image that does not resolve. */
  reason?: string;
  /** How many input files it hashed. */
  files?: number;
  /** Each base image reference and the digest it resolved to. */
  baseImages?: Record<string, string>;
}

/** An image whose every platform a default-branch run already built from the same inputs. */
export interface UnchangedImage {
  image: string;
  dir: string;
  /** The tags this run gives it (core/tagPolicy.ts), as ImageSpec.tags: the re-tag publishes these. */
  tags: string[];
  /** The digest of the index a default-branch run published over these platforms (absent for a WebAssembly artifact). */
  index?: string;
  /** Each platform's published manifest digest and the input digest it was built from. */
  platforms: { platform: string; digest: string; inputDigest: string }[];
  /**
   * The image's supply-chain settings for this run (ImageSpec.supplyChain): whether the merge signs
   * the published index it re-tags, and which attestations it looks for. Absent: a plan written
   * before the settings; the merge then signs with the key it was given.
   */
  supplyChain?: SupplyChainSettings;
}

export interface SkippedDir {
  dir: string;
  reason: string;
}

export type SelectionMode =
  { kind: 'all' } | { kind: 'since'; rev: string } | { kind: 'rebuild-list'; file: string } | { kind: 'dirs'; dirs: string[] };

export interface Plan {
  mode: SelectionMode;
  images: ImageSpec[];
  matrix: { include: Leg[] };
  skipped: SkippedDir[];
  problems: Problem[];
  publish: PlanPublish;
  /** Per leg, when the plan computed input digests (plan --json, the action's plan). */
  inputDigests?: LegInputDigest[];
  /** Selected images not built: their inputs are published (selection by digest). */
  unchanged?: UnchangedImage[];
}

export type LegStatus = 'success' | 'failure';

/** What one build leg did, written by `build` and read by `merge`. */
export interface LegRecord {
  schema: 1;
  legId: string;
  image: string;
  dir: string;
  platform: string;
  backend: BackendName;
  runner: Runner;
  /** The leg's build wave (Leg.wave), 1-based; absent in records of plans without waves (wave 1). */
  wave?: number;
  /** Repository the digest was pushed to, e.g. 127.0.0.1:5000/hephy/app. */
  repository?: string;
  digest?: string;
  /** Sum of compressed layer sizes plus config, from the pushed manifest. */
  compressedSize?: number;
  /**
   * False: built with push disabled, so the digest (if any) is in no registry. Absent in records
   * written before this field and in failed legs' records; a successful record without it pushed.
   */
  pushed?: boolean;
  /** verify: the architecture check (part of build); sbom: writing the SBOM after the push. */
  durationsMs: { setup: number; build: number; push: number; total: number; verify?: number; sbom?: number };
  sourceCommit?: string;
  /**
   * The annotations hephy-builder put on the platform manifest (core/imageMetadata.ts); the merge
   * puts those every leg of the image shares on the index. Absent in records of older builds.
   */
  annotations?: Record<string, string>;
  /**
   * The SPDX JSON SBOM of the built image, a file beside this record (core/sbom.ts): its name, the
   * tool that wrote it, and the document's sha256. Absent when none was asked for.
   */
  sbom?: { file: string; tool: string; sha256: string };
  /**
   * The index the leg pushed around `digest` (BuildKit's own attestations on: image + attestation
   * manifest); the merge assembles the image's index from it, so the attestation stays with it.
   */
  index?: string;
  /**
   * Built without pushing, for images built on this one (issue 14): the name of the directory the
   * leg kept its image's OCI layout in (core/legRecord.ts layoutName), found by the record's
   * reader in the run's own directories. Absent: no layout kept.
   */
  layout?: string;
  status: LegStatus;
  error?: string;
  startedAt: string;
  finishedAt: string;
}
