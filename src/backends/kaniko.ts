// Kaniko backend: the executor always runs in a container (it refuses the host, and we never pass
// --force), with the build context mounted read-only at /workspace, the leg's work dir for its
// digest file and OCI layout, and, only when the config asks for it (pull_credentials) and never
// on a pull request, the docker config dir read-only at /kaniko/.docker for registry auth, so no
// password is ever on a command line (kanikoAuthDir). One platform per leg via --custom-platform; a
// foreign platform's RUN steps go through QEMU binfmt on the host.
//
// Push: kaniko writes an OCI layout and skopeo copies it to REPO@DIGEST (no tag). Without skopeo,
// kaniko pushes to the scratch tag hephy-leg-<leg id> itself (see src/tools/kaniko.ts for why).
// Push disabled: the layout alone, whether skopeo is installed or not; its digest is the leg's.
//
// Executor image: ctx.options.kanikoImage (the `kaniko-image` input, `--kaniko-image`) when given.
// Otherwise the image that scripts/kaniko-image.sh builds from the pinned Go module into podman;
// setup builds it on first use where the script can run, and `run` builds it once before its
// legs (prepareRun) so that parallel legs do not each build it. On GitHub runners the action
// builds the executor from the same pinned module and imports it (action/toolSetup.ts), so the
// input is optional there too.
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { kanikoImage as buildLocalKanikoImage } from '../tools/localServices.js';
import { toolEnv } from '../tools/paths.js';
import { expandList } from '../core/expand.js';
import { platformBuildArgs, platformOfNodeArch, withGlobalPlatformArgs } from '../core/platformArgs.js';
import { isDigest } from '../core/oci.js';
import { UserError, messageOf } from '../core/problem.js';
import { scratchTag } from '../core/scratchTag.js';
import { detectEngine, runContainer, type ContainerEngine, type Mount } from '../tools/containerRunner.js';
import { run, ToolError, which, type Runner } from '../tools/exec.js';
import {
  IN_CONTAINER,
  kanikoArgs,
  kanikoFailureReason,
  isPushStart,
  LOCAL_KANIKO_IMAGE,
  runInstruction,
  stepOutputLine,
  type KanikoOutput,
} from '../tools/kaniko.js';
import { layoutManifestSize } from '../tools/ociLayout.js';
import { keepBuiltLayout } from './keepLayout.js';
import { existingDockerConfigDir } from '../tools/dockerConfig.js';
import { skopeoPusher } from '../tools/skopeo.js';
import { archCheckEnabled, verifyLayoutArch } from './archVerify.js';
import { needBuildArgs } from '../core/imageGraph.js';
import type { Backend, LegBuildResult, LegContext } from './backend.js';

const BUILD_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/** digest: layout + skopeo; scratch-tag: kaniko pushes under a scratch tag; none: push disabled. */
export type PushMode = 'digest' | 'scratch-tag' | 'none';

export interface KanikoBackendOptions {
  runner?: Runner;
  detectEngine?: (env: NodeJS.ProcessEnv) => Promise<ContainerEngine>;
  /** Builds LOCAL_KANIKO_IMAGE into podman; default: scripts/kaniko-image.sh. */
  buildLocalImage?: () => Promise<string>;
  /** Registry layer cache repository for a leg (kaniko --cache-repo); none by default. */
  cacheRepo?: (ctx: LegContext) => string | undefined;
  now?: () => number;
}

interface Prepared {
  image: string;
  engine: ContainerEngine;
  pull: 'missing' | 'never';
  pushMode: PushMode;
  version: string;
}

/** The executor image of a leg, or a UserError saying how to provide one. */
export function resolveKanikoImage(ctx: Pick<LegContext, 'options' | 'onRunner'>): string {
  const given = ctx.options.kanikoImage?.trim();
  if (given) return given;
  if (ctx.onRunner) {
    throw new UserError(
      'the kaniko backend got no executor image on this runner: the tool setup builds one from the pinned Go module; or set the `kaniko-image` input to an executor image pinned by digest',
    );
  }
  return LOCAL_KANIKO_IMAGE;
}

/** The Dockerfile the executor builds, in the leg's work dir. */
const BUILT_DOCKERFILE = 'hephy.Dockerfile';

/**
 * The docker config dir to mount into the executor, or undefined for none. Whatever is mounted,
 * the Dockerfile's RUN steps can read (they run in the executor's own filesystem, and masking
 * stops no reversed or encoded copy), so the login goes in only when the config asks for it
 * (`pull_credentials: true`, for a private base image), never on a pull request, and never just
 * to push: pushing by digest is skopeo's, on the host. Kaniko pushing a scratch tag itself (no
 * skopeo) would need it: that is refused instead of handing the login over.
 */
export function kanikoAuthDir(ctx: Pick<LegContext, 'spec' | 'env' | 'pullRequest' | 'secrets'>, pushMode: PushMode): string | undefined {
  const requested = ctx.spec.config.pull_credentials === true;
  if (pushMode === 'scratch-tag' && ctx.secrets.length > 0 && !requested) {
    throw new UserError(
      "kaniko cannot push with the registry login without handing it to the Dockerfile's RUN steps: install skopeo (the push by digest runs on the host)",
    );
  }
  if (!requested || ctx.pullRequest) return undefined;
  return existingDockerConfigDir(ctx.env);
}

export interface KanikoInvocation {
  mounts: Mount[];
  args: string[];
  /** Host paths of the executor's outputs. */
  digestFile: string;
  layoutDir: string;
  destination: string;
  dockerfile: string;
  /** Lines the built Dockerfile has before the user's: line numbers in the executor's errors are shifted by this. */
  addedLines: number;
}

/** The mounts and executor flags of a leg; throws a UserError for a missing context or Dockerfile. */
export function kanikoInvocation(ctx: LegContext, pushMode: PushMode, cacheRepo?: string): KanikoInvocation {
  const config = ctx.spec.config;
  const contextDir = resolve(ctx.sourceDir, config.context_path ?? '.');
  if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) {
    throw new UserError(`context_path ${config.context_path ?? '.'}: ${contextDir} is not a directory`);
  }
  const dockerfileRel = config.dockerfile_path ?? 'Dockerfile';
  const dockerfileHost = resolve(contextDir, dockerfileRel);
  if (!existsSync(dockerfileHost) || !statSync(dockerfileHost).isFile()) {
    throw new UserError(`dockerfile_path ${dockerfileRel}: no such file in ${contextDir}`);
  }

  const mounts: Mount[] = [{ host: contextDir, container: IN_CONTAINER.context, readonly: true }];
  // The executor builds a copy of the Dockerfile that declares BuildKit's automatic platform args
  // (Kaniko has none of its own: core/platformArgs.ts). It sits in the leg's work dir, with the
  // Dockerfile's own <Dockerfile>.dockerignore beside it, which Kaniko reads before the context's
  // .dockerignore (pkg/util/fs_util.go getExcludedFiles), as BuildKit does.
  // The executor runs natively (its image is of this machine's platform); RUN steps of another
  // platform go through QEMU. So BUILDPLATFORM is this machine, TARGETPLATFORM the leg's.
  const declared = withGlobalPlatformArgs(
    readFileSync(dockerfileHost, 'utf8'),
    platformBuildArgs(ctx.leg.platform, platformOfNodeArch(process.arch), config.target),
  );
  writeFileSync(join(ctx.workDir, BUILT_DOCKERFILE), declared.text);
  if (existsSync(`${dockerfileHost}.dockerignore`))
    copyFileSync(`${dockerfileHost}.dockerignore`, join(ctx.workDir, `${BUILT_DOCKERFILE}.dockerignore`));
  const dockerfile = `${IN_CONTAINER.out}/${BUILT_DOCKERFILE}`;
  mounts.push({ host: ctx.workDir, container: IN_CONTAINER.out });
  const auth = kanikoAuthDir(ctx, pushMode);
  if (auth) mounts.push({ host: auth, container: IN_CONTAINER.dockerConfig, readonly: true });

  const destination = pushMode === 'scratch-tag' ? `${ctx.target.repository}:${scratchTag(ctx.leg.id)}` : ctx.target.repository;
  const layoutDir = `${IN_CONTAINER.out}/layout`;
  // Scratch-tag mode writes the layout too when the architecture check will read it.
  const output: KanikoOutput =
    pushMode === 'scratch-tag'
      ? { kind: 'scratch-tag', destination, ...(archCheckEnabled(ctx) ? { layoutDir } : {}) }
      : { kind: 'layout', layoutDir };
  const args = kanikoArgs({
    dockerfile,
    platform: ctx.leg.platform,
    buildArgs: [...expandList(config.build_args ?? [], ctx.buildEnv, 'build_args'), ...needBuildArgs(ctx.needs)],
    target: config.target || undefined,
    output,
    digestFile: `${IN_CONTAINER.out}/digest`,
    insecure: ctx.target.insecure,
    cacheRepo,
    cacheReadOnly: pushMode === 'none',
    labels: ctx.metadata.labels,
    annotations: ctx.metadata.annotations,
  });
  return {
    mounts,
    args,
    digestFile: join(ctx.workDir, 'digest'),
    layoutDir: join(ctx.workDir, 'layout'),
    destination,
    dockerfile: dockerfileRel,
    addedLines: declared.addedLines,
  };
}

function pushDescription(mode: PushMode, ctx: LegContext): string {
  if (mode === 'none') return 'push disabled';
  return mode === 'digest' ? 'push by digest with skopeo' : `push to ${scratchTag(ctx.leg.id)}`;
}

export function createKanikoBackend(options: KanikoBackendOptions = {}): Backend {
  const runner = options.runner ?? run;
  const detect = options.detectEngine ?? ((env: NodeJS.ProcessEnv) => detectEngine(env, runner));
  const buildLocalImage = options.buildLocalImage ?? buildLocalKanikoImage;
  const now = options.now ?? Date.now;
  const pusher = skopeoPusher(runner);
  const prepared = new WeakMap<LegContext, Prepared>();

  async function prepare(ctx: LegContext): Promise<Prepared> {
    const env = toolEnv(ctx.env);
    const image = resolveKanikoImage(ctx);
    const local = image.startsWith('localhost/');
    // A local build exists only in podman's storage, so podman runs it even where docker answers.
    const engine: ContainerEngine = local ? 'podman' : await detect(env);
    if (local) {
      if (!which('podman', env.PATH))
        throw new UserError(`the Kaniko executor image ${image} is a local podman image, but podman is not installed`);
      const exists = await runner('podman', ['image', 'exists', image], { env, allowFailure: true });
      if (exists.code !== 0) {
        ctx.log(`${image} is not in podman's storage: building it from the pinned Go module (scripts/kaniko-image.sh)`);
        await buildLocalImage().catch((error: unknown) => {
          throw new UserError(
            `cannot build the Kaniko executor image ${image} (scripts/kaniko-image.sh, needs root, Go and podman): ${messageOf(error)}`,
          );
        });
      }
    }
    const pull = local ? 'never' : 'missing';
    const versionRun = await runContainer(
      { image, args: ['version'], pull },
      { engine, runner, env, secrets: ctx.secrets, timeoutMs: 15 * 60 * 1000 },
    );
    const version = /version\s*:\s*(\S+)/i.exec(versionRun.stdout)?.[1] ?? 'unknown';
    const pushMode: PushMode = !ctx.target.push ? 'none' : which('skopeo', env.PATH) ? 'digest' : 'scratch-tag';
    if (pushMode === 'scratch-tag') {
      ctx.log(`skopeo is not installed: kaniko pushes to the scratch tag ${scratchTag(ctx.leg.id)} instead of by digest only`);
    }
    const result = { image, engine, pull, pushMode, version } satisfies Prepared;
    prepared.set(ctx, result);
    return result;
  }

  async function build(ctx: LegContext): Promise<LegBuildResult> {
    let p = prepared.get(ctx);
    // A push mode chosen for another value of target.push (set up, then flipped) is chosen again.
    if (!p || (p.pushMode === 'none') === ctx.target.push) p = await prepare(ctx);
    const env = toolEnv(ctx.env);
    const invocation = kanikoInvocation(ctx, p.pushMode, options.cacheRepo?.(ctx));
    let lastRun: string | undefined;
    let lastOutput: string | undefined;
    let pushStarted: number | undefined;
    try {
      await runContainer(
        { image: p.image, args: invocation.args, mounts: invocation.mounts, network: 'host', pull: p.pull },
        {
          engine: p.engine,
          runner,
          env,
          secrets: ctx.secrets,
          timeoutMs: BUILD_TIMEOUT_MS,
          onLine: (_stream, line) => {
            const instruction = runInstruction(line);
            if (instruction) {
              lastRun = instruction;
              lastOutput = undefined;
            } else if (lastRun) lastOutput = stepOutputLine(line) ?? lastOutput;
            if (pushStarted === undefined && isPushStart(line)) pushStarted = now();
            ctx.log(line);
          },
        },
      );
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      const reason = kanikoFailureReason({
        output: `${error.stderr}\n${error.stdout}`,
        exitCode: error.code,
        platform: ctx.leg.platform,
        lastRun,
        lastOutput,
        dockerfile: invocation.dockerfile,
        addedLines: invocation.addedLines,
        target: ctx.spec.config.target,
        destination: invocation.destination,
      });
      throw new Error(`kaniko: ${reason}`);
    }
    const kanikoDone = now();
    const digest = existsSync(invocation.digestFile) ? readFileSync(invocation.digestFile, 'utf8').trim() : '';
    if (!isDigest(digest)) throw new Error(`kaniko: the executor succeeded but wrote no digest (${invocation.digestFile}: "${digest}")`);

    if (p.pushMode === 'scratch-tag') {
      // The executor pushed to the scratch tag already (no skopeo to push the layout by digest):
      // the check comes after that push, and a failed leg leaves its image under the scratch tag
      // only, which the merge never publishes.
      const verifyMs = await verifyLayoutArch(ctx, invocation.layoutDir, digest);
      return { digest, pushMs: pushStarted === undefined ? 0 : kanikoDone - pushStarted, verifyMs, ...layoutOf(invocation.layoutDir) };
    }
    // Before anything of the image leaves this machine.
    const verifyMs = await verifyLayoutArch(ctx, invocation.layoutDir, digest);
    if (p.pushMode === 'none') {
      ctx.log(`built ${digest}; push disabled: nothing pushed`);
      keepBuiltLayout(ctx, invocation.layoutDir);
      return { digest, pushMs: 0, verifyMs, ...layoutOf(invocation.layoutDir) };
    }

    const pushStart = now();
    await pusher.push({
      layoutDir: invocation.layoutDir,
      repository: ctx.target.repository,
      digest,
      insecure: ctx.target.insecure,
      env,
      secrets: ctx.secrets,
      onLine: ctx.log,
      workDir: ctx.workDir,
    });
    return {
      digest,
      pushMs: now() - pushStart,
      compressedSize: layoutManifestSize(invocation.layoutDir, digest),
      verifyMs,
      ...layoutOf(invocation.layoutDir),
    };
  }

  return {
    name: 'kaniko',
    async prepareRun(runOptions) {
      // The script is idempotent: it also refreshes an executor image of the same tag built from an older binary.
      if (!runOptions.kanikoImage?.trim()) await buildLocalImage();
    },
    async setup(ctx) {
      const p = await prepare(ctx);
      return `${p.version} (${p.engine}, ${p.image}, ${pushDescription(p.pushMode, ctx)})`;
    },
    build,
  };
}

/** The layout the executor wrote, for the leg's SBOM (scratch-tag mode writes one only for the architecture check). */
function layoutOf(layoutDir: string): { layoutDir?: string } {
  return existsSync(join(layoutDir, 'index.json')) ? { layoutDir } : {};
}

export const kanikoBackend = createKanikoBackend();
