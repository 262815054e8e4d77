// `docker buildx build` of ONE platform, pushed by digest: the image exporter with
// push-by-digest=true creates no tag, and --metadata-file tells us the digest it pushed.
// Provenance and SBOM attestations are off unless asked for (`provenanceMode`): with BuildKit's
// provenance on it pushes an index (image + an `unknown/unknown` attestation manifest), and the
// leg hands the merge both: the platform manifest's digest and the index's (platformOfIndex).
// With push off the same image exporter runs with push=false: BuildKit assembles the manifest
// (and reports its digest in the metadata file) but sends nothing to the registry.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDigest, isImageManifestType, MEDIA_TYPES, type ManifestDocument } from '../core/oci.js';
import { BUILDKIT_IMAGE } from '../core/toolPins.js';
import { defaultDockerConfigDir } from './dockerConfig.js';
import { run, which, type Runner, type ToolContext } from './exec.js';

/** How to start buildx: [executable, ...leading args], e.g. ['docker', 'buildx'] or ['buildx']. */
export type BuildxCommand = [string, ...string[]];

export interface BuildxBuildOptions extends ToolContext {
  /** Absolute build context directory. */
  contextDir: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  platform: string;
  /** Repository to push to, without tag or digest. */
  repository: string;
  /** Dockerfile stage; empty or absent: the last stage. */
  target?: string;
  /** KEY=VALUE, already expanded. */
  buildArgs: string[];
  /** Named build contexts, name -> `docker-image://ref` (`--build-context`); a `FROM name` reads them. */
  contexts?: Record<string, string>;
  /**
   * Names of build secrets (build-config.yaml `secrets:`), each read by buildx from its own
   * environment variable of that name (`--secret id=NAME,env=NAME`) and mounted only into the RUN
   * steps that ask for it (`RUN --mount=type=secret,id=NAME`): never in a layer or the config.
   */
  buildSecrets?: string[];
  /** buildx builder name; absent: buildx's current builder. */
  builder?: string;
  /** Where buildx writes the build result metadata (JSON). */
  metadataFile: string;
  /** --cache-from / --cache-to values, e.g. type=gha,scope=app-linux-amd64. */
  cacheFrom: string[];
  cacheTo: string[];
  /** Push over plain http / unverified TLS. */
  insecure: boolean;
  /** False: build the image and push nothing. */
  push: boolean;
  /**
   * The commit time (seconds): SOURCE_DATE_EPOCH for the Dockerfile frontend, and every layer's
   * file times rewritten to it (image exporter `rewrite-timestamp`, moby/buildkit v0.32.2
   * exporter/containerimage/exptypes/keys.go), so the same commit gives the same digest.
   */
  sourceDateEpoch?: number;
  /**
   * Export the image as an OCI layout directory here instead (BuildKit's oci exporter with
   * tar=false; push is then ignored): the same image writer as the image exporter, so the same
   * manifest digest (exporter/oci and exporter/containerimage share containerimage's ImageWriter).
   */
  layoutDir?: string;
  /** Labels of the image config (`--label`), keys already checked (core/annotations.ts). */
  labels?: Record<string, string>;
  /**
   * Annotations of the image manifest (`--annotation`). A key without a `TYPE:` prefix is a
   * manifest annotation (buildx v0.36.1 util/buildflags/export.go ParseAnnotations); our keys
   * never hold a `:`, so none is read as a type.
   */
  annotations?: Record<string, string>;
  /**
   * BuildKit's own provenance attestation in the pushed index, in this mode (`--provenance=mode=min`:
   * no build argument values; `max`: all of them, the Dockerfile and its sources; buildx docs
   * "Provenance attestations"). Absent: none (`--provenance=false`).
   */
  provenanceMode?: 'min' | 'max';
  /** Reads a pushed index (imagetools inspect --raw), for the platform digest of an attestation index. */
  readIndex?: (reference: string) => Promise<ManifestDocument>;
}

export interface BuildxBuildResult {
  /** The platform image manifest's digest. */
  digest: string;
  /** With attestations: the index BuildKit wrote (image + attestation manifest). */
  index?: string;
  /** Wall time between the start of the push and the end of the export step; 0 if not seen. */
  pushMs: number;
  durationMs: number;
}

/** The arguments after the buildx command, e.g. ['build', '--platform', ...]. */
export function buildxBuildArgs(opts: Omit<BuildxBuildOptions, keyof ToolContext>): string[] {
  const rewriteTimestamp = opts.sourceDateEpoch !== undefined ? ['rewrite-timestamp=true'] : [];
  const output = opts.layoutDir
    ? ['type=oci', `dest=${opts.layoutDir}`, 'tar=false', ...rewriteTimestamp].join(',')
    : [
        'type=image',
        `name=${opts.repository}`,
        'push-by-digest=true',
        'name-canonical=true',
        // OCI media types: Docker's schema 2 manifest has no annotations field.
        'oci-mediatypes=true',
        `push=${opts.push}`,
        ...(opts.insecure ? ['registry.insecure=true'] : []),
        ...rewriteTimestamp,
      ].join(',');
  return [
    'build',
    ...(opts.builder ? ['--builder', opts.builder] : []),
    '--progress=plain',
    // Every value from a config rides in `--flag=value`, and the context after `--` (buildx's
    // flags are cobra/pflag): none can be read as an option.
    `--platform=${opts.platform}`,
    `--file=${opts.dockerfile}`,
    ...(opts.target ? [`--target=${opts.target}`] : []),
    ...opts.buildArgs.map((arg) => `--build-arg=${arg}`),
    ...Object.entries(opts.contexts ?? {}).map(([name, source]) => `--build-context=${name}=${source}`),
    ...(opts.sourceDateEpoch !== undefined ? [`--build-arg=SOURCE_DATE_EPOCH=${opts.sourceDateEpoch}`] : []),
    ...(opts.buildSecrets ?? []).map((name) => `--secret=id=${name},env=${name}`),
    ...Object.entries(opts.labels ?? {}).map(([key, value]) => `--label=${key}=${value}`),
    ...Object.entries(opts.annotations ?? {}).map(([key, value]) => `--annotation=${key}=${value}`),
    opts.provenanceMode ? `--provenance=mode=${opts.provenanceMode}` : '--provenance=false',
    '--sbom=false',
    ...opts.cacheFrom.flatMap((c) => ['--cache-from', c]),
    ...opts.cacheTo.flatMap((c) => ['--cache-to', c]),
    '--output',
    output,
    '--metadata-file',
    opts.metadataFile,
    '--',
    opts.contextDir,
  ];
}

/**
 * buildx keeps its builders under BUILDX_CONFIG, else $DOCKER_CONFIG/buildx. A DOCKER_CONFIG made
 * fresh for registry auth would hide the builders created under ~/.docker (e.g. `hephy`), so we
 * point BUILDX_CONFIG back there unless the new DOCKER_CONFIG has builders of its own.
 */
export function buildxEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, NO_COLOR: '1' };
  if (env.DOCKER_CONFIG && !env.BUILDX_CONFIG) {
    const home = join(defaultDockerConfigDir(env), 'buildx');
    if (!existsSync(join(env.DOCKER_CONFIG, 'buildx')) && existsSync(home)) out.BUILDX_CONFIG = home;
  }
  return out;
}

/**
 * How to start buildx (for builds and for imagetools alike): `docker buildx` when the docker CLI
 * finds its plugin under this env, else a standalone `buildx` or `docker-buildx` (the same
 * program). The docker CLI looks for plugins under $DOCKER_CONFIG/cli-plugins and the system
 * plugin dirs, so a DOCKER_CONFIG made fresh for registry auth can hide the plugin: we probe
 * instead of assuming (registryAuth.withRegistryAuth links the plugins along).
 */
export async function resolveBuildxCommand(env: NodeJS.ProcessEnv, runner: Runner = run): Promise<BuildxCommand> {
  const path = env.PATH ?? '';
  const docker = which('docker', path);
  if (docker) {
    const probe = await runner(docker, ['buildx', 'version'], { env, allowFailure: true, timeoutMs: 30_000 }).catch(() => undefined);
    if (probe && probe.code === 0) return [docker, 'buildx'];
  }
  const buildx = which('buildx', path) ?? which('docker-buildx', path);
  if (buildx) return [buildx];
  throw new Error(
    docker
      ? 'docker is on PATH but has no buildx plugin under this DOCKER_CONFIG (looked up under DOCKER_CONFIG/cli-plugins and the system plugin dirs), and no standalone buildx is on PATH: install buildx (scripts/install-tools.sh)'
      : 'neither docker with buildx nor a standalone buildx is on PATH: install buildx (scripts/install-tools.sh)',
  );
}

/**
 * The platform image manifest an index of one platform lists beside BuildKit's attestation
 * manifests (platform unknown/unknown, annotation vnd.docker.reference.type=attestation-manifest,
 * BuildKit docs "Attestation storage"). @throws Error unless there is exactly one.
 */
export function platformOfIndex(index: ManifestDocument): string {
  const images = (index.manifests ?? []).filter((m) => !(m.platform?.os === 'unknown' && m.platform?.architecture === 'unknown'));
  if (images.length !== 1)
    throw new Error(`BuildKit's index lists ${images.length} platform image(s) beside its attestations, expected one`);
  return images[0].digest;
}

/** The digest buildx pushed or built and whether it is an index, from its --metadata-file JSON. */
export function metadataResult(text: string, allowIndex: boolean): { digest: string; index: boolean } {
  const metadata = JSON.parse(text) as Record<string, unknown>;
  const descriptor = metadata['containerimage.descriptor'] as { mediaType?: string } | undefined;
  if (allowIndex && (descriptor?.mediaType === MEDIA_TYPES.ociIndex || descriptor?.mediaType === MEDIA_TYPES.dockerManifestList)) {
    const digest = metadata['containerimage.digest'];
    if (!isDigest(digest)) throw new Error('buildx metadata has no containerimage.digest');
    return { digest, index: true };
  }
  return { digest: metadataDigest(text), index: false };
}

/** The digest of the platform manifest buildx pushed (or, push off, built), from its --metadata-file JSON. */
export function metadataDigest(text: string): string {
  const metadata = JSON.parse(text) as Record<string, unknown>;
  const digest = metadata['containerimage.digest'];
  if (!isDigest(digest)) {
    throw new Error(`buildx metadata has no containerimage.digest (keys: ${Object.keys(metadata).join(', ') || 'none'})`);
  }
  const descriptor = metadata['containerimage.descriptor'] as { mediaType?: string } | undefined;
  if (descriptor?.mediaType && !isImageManifestType(descriptor.mediaType)) {
    // An index here means attestations (or several platforms) were pushed with the image.
    throw new Error(`buildx pushed a ${descriptor.mediaType}, expected one platform's image manifest`);
  }
  return digest;
}

/**
 * Times the push from plain progress output. The exporter vertex prints `#N pushing layers` when
 * it starts pushing and `#N DONE` when the push (layers, then manifest) has finished; cache export
 * is a separate vertex and is not counted. The printer receives status in batches, so a fast push
 * can start and end in one batch (0 ms by the wall clock) while BuildKit reports `pushing layers
 * 0.1s done`: the larger of the two measures wins.
 */
export class PushTimer {
  private start?: number;
  private end?: number;
  private vertex?: string;
  private reportedMs = 0;

  observe(line: string, now = Date.now()): void {
    if (this.start === undefined) {
      const m = /^#(\d+) pushing layers\b/.exec(line);
      if (!m) return;
      this.start = now;
      this.vertex = m[1];
    }
    if (!line.startsWith(`#${this.vertex} `)) return;
    const reported = /^#\d+ pushing (?:layers|manifest for \S+) ([\d.]+)s done$/.exec(line);
    if (reported) this.reportedMs += Math.round(Number(reported[1]) * 1000);
    if (this.end === undefined && /^#\d+ (DONE|ERROR|CANCELED)\b/.test(line)) this.end = now;
  }

  pushMs(now = Date.now()): number {
    if (this.start === undefined) return 0;
    return Math.max(this.reportedMs, (this.end ?? now) - this.start);
  }
}

/**
 * Did the build fail fetching a Dockerfile frontend image (what a `# syntax=` line asks for)?
 * BuildKit reports that step as `resolve image config for docker-image://...`; base images of FROM
 * lines show up as `load metadata for ...` instead.
 */
export function frontendPullFailed(output: string): boolean {
  return /^#(\d+) resolve image config for docker-image:\/\/.*\n(?:#\1 .*\n)*?#\1 ERROR/m.test(output);
}

export async function buildxBuild(opts: BuildxBuildOptions, runner: Runner = run): Promise<BuildxBuildResult> {
  const env = buildxEnv(opts.env);
  const [cmd, ...lead] = await resolveBuildxCommand(env, runner);
  const timer = new PushTimer();
  const result = await runner(cmd, [...lead, ...buildxBuildArgs(opts)], {
    env,
    secrets: opts.secrets,
    onLine: (_stream, line) => {
      timer.observe(line);
      opts.onLine?.(line);
    },
  });
  const written = metadataResult(readFileSync(opts.metadataFile, 'utf8'), Boolean(opts.provenanceMode));
  const pushMs = opts.push && !opts.layoutDir ? timer.pushMs() : 0;
  if (!written.index) return { digest: written.digest, pushMs, durationMs: result.durationMs };
  // The index's platform image: from the layout's blob, else from the registry it was pushed to.
  const index = opts.layoutDir
    ? (JSON.parse(readFileSync(join(opts.layoutDir, 'blobs', ...written.digest.split(':')), 'utf8')) as ManifestDocument)
    : await (opts.readIndex ?? (() => Promise.reject(new Error('no way to read the pushed index'))))(
        `${opts.repository}@${written.digest}`,
      );
  return { digest: platformOfIndex(index), index: written.digest, pushMs, durationMs: result.durationMs };
}

/** `buildx version` prints e.g. "github.com/docker/buildx v0.36.1 <revision>"; resolves to v0.36.1. */
export async function buildxVersion(env: NodeJS.ProcessEnv, runner: Runner = run): Promise<string> {
  const e = buildxEnv(env);
  const [cmd, ...lead] = await resolveBuildxCommand(e, runner);
  const { stdout } = await runner(cmd, [...lead, 'version'], { env: e });
  return stdout.trim().split(/\s+/)[1] ?? stdout.trim();
}

/** Is this builder known to buildx (under this env)? */
export async function builderExists(name: string, env: NodeJS.ProcessEnv, runner: Runner = run): Promise<boolean> {
  const e = buildxEnv(env);
  const [cmd, ...lead] = await resolveBuildxCommand(e, runner);
  const { code } = await runner(cmd, [...lead, 'inspect', name], { env: e, allowFailure: true });
  return code === 0;
}

/**
 * `buildx create` of a docker-container builder running the pinned BuildKit image (by version and
 * index digest, tool-pins.json): without `--driver-opt image=` buildx runs whatever its default
 * tag `moby/buildkit:buildx-stable-1` points to that day (buildx v0.36.1,
 * driver/docker-container/driver.go:95, driver/bkimage/bkimage.go).
 */
export function createContainerBuilderArgs(name: string, image: string = BUILDKIT_IMAGE): string[] {
  return ['create', '--name', name, '--driver', 'docker-container', '--driver-opt', `image=${image}`, '--bootstrap'];
}

/** Creates a docker-container builder (what the GitHub Actions cache backend needs) and boots it. */
export async function createContainerBuilder(name: string, env: NodeJS.ProcessEnv, runner: Runner = run): Promise<void> {
  const e = buildxEnv(env);
  const [cmd, ...lead] = await resolveBuildxCommand(e, runner);
  await runner(cmd, [...lead, ...createContainerBuilderArgs(name)], { env: e });
}
