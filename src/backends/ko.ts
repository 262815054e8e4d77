// The ko backend: `ko build` of one Go package for one platform into an OCI layout, then a push of
// that layout by digest (see src/tools/ko.ts for why ko does not push itself). With push off the
// layout is the result: its digest is the leg's, and crane never runs.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { MEDIA_TYPES } from '../core/oci.js';
import { needDigest } from '../core/imageGraph.js';
import { join } from 'node:path';
import { expandList } from '../core/expand.js';
import { defaultImportPath } from '../core/goPackages.js';
import { goFlagProblem, ldflagsProblem } from '../core/grammar/goBuild.js';
import { koFailureReason } from '../core/failureReason.js';
import { UserError } from '../core/problem.js';
import { cranePusher, craneVersion } from '../tools/crane.js';
import { ToolError, which } from '../tools/exec.js';
import { koBuild, koVersion, readUserKoConfig, type KoBuildOptions } from '../tools/ko.js';
import { layoutManifestSize } from '../tools/ociLayout.js';
import { verifyLayoutArch } from './archVerify.js';
import { keepBuiltLayout } from './keepLayout.js';
import type { Backend, LegBuildResult, LegContext } from './backend.js';

/** The package to build when ko_config.import_path is unset (core/goPackages.ts). */
export { defaultImportPath };

/**
 * The base image to force, or undefined to let ko resolve its own (KO_DEFAULTBASEIMAGE, the app's
 * .ko.yaml defaultBaseImage, ko's built-in default). ko's built-in default lives on a public
 * registry: fine on a GitHub runner, unreachable on an offline machine, so off a runner we ask for
 * a base image instead of letting ko fail on a network error.
 */
export function resolveKoBaseImage(ctx: LegContext, userDefaultBase: unknown): string | undefined {
  // An image built on another of the repository (issue 14) is built on what its wave pushed.
  if (ctx.needs?.length) return ctx.needs[0].ref;
  const chosen = ctx.options.baseImage ?? ctx.spec.config.ko_config?.base_image;
  if (chosen) return chosen;
  const koHasOne = Boolean(ctx.env.KO_DEFAULTBASEIMAGE) || (typeof userDefaultBase === 'string' && userDefaultBase !== '');
  if (!koHasOne && !ctx.onRunner) {
    throw new UserError('ko needs a base image here: set ko_config.base_image or pass --base-image');
  }
  return undefined;
}

/** The KOCACHE, under the leg's workDir, of a leg whose base is an OCI layout. */
const KO_LAYOUT_BASE_CACHE = 'kocache-layout-base';

/** A value from build-env (a branch name, say) must not turn an allowed flag into another one. */
function checkedAfterExpansion(values: string[], key: string, problem: (value: string) => string | undefined): string[] {
  values.forEach((value, i) => {
    const why = problem(value);
    if (why) throw new UserError(`${key}[${i}] after \${VAR} expansion: ${why}`);
  });
  return values;
}

/** Everything `ko build` gets for this leg, from the leg context alone. */
export function koBuildOptions(ctx: LegContext, userConfig?: Record<string, unknown>): KoBuildOptions {
  const ko = ctx.spec.config.ko_config ?? {};
  const env: NodeJS.ProcessEnv = { ...ctx.env };
  // On a runner the caller saves ctx.cacheDir between runs; keep Go's build cache in it too, so
  // a warm leg recompiles only what changed. Locally Go's own default cache already persists.
  if (ctx.onRunner && !env.GOCACHE) env.GOCACHE = join(ctx.cacheDir, 'go-build');
  return {
    importPath: ko.import_path ?? defaultImportPath(ctx.sourceDir),
    cwd: ctx.sourceDir,
    platform: ctx.leg.platform,
    repo: ctx.target.repository,
    baseImage: resolveKoBaseImage(ctx, userConfig?.defaultBaseImage),
    goEnv: expandList(ko.env ?? [], ctx.buildEnv, 'ko_config.env'),
    ldflags: checkedAfterExpansion(expandList(ko.ldflags ?? [], ctx.buildEnv, 'ko_config.ldflags'), 'ko_config.ldflags', ldflagsProblem),
    flags: checkedAfterExpansion(expandList(ko.flags ?? [], ctx.buildEnv, 'ko_config.flags'), 'ko_config.flags', goFlagProblem),
    workDir: ctx.workDir,
    ...(ctx.spec.supplyChain?.sbom ? { sbomDir: join(ctx.workDir, 'ko-sbom') } : {}),
    // A base built without pushing is served from a cache of this leg's own (seedKoBaseCache).
    koCache: ctx.needs?.[0]?.layout ? join(ctx.workDir, KO_LAYOUT_BASE_CACHE) : ctx.env.KOCACHE || join(ctx.cacheDir, 'kocache'),
    labels: ctx.metadata.labels,
    annotations: ctx.metadata.annotations,
    env,
    secrets: ctx.secrets,
    onLine: ctx.log,
  };
}

/**
 * ko takes its base image from a registry or a Docker daemon, through a cache (ko v0.19.1
 * pkg/commands/config.go getBaseImage -> pkg/commands/cache.go imageCache.get): with KOCACHE set,
 * `$KOCACHE/img` is an OCI layout, and a base named by digest whose manifest that layout's
 * index.json lists is served from its blobs, the registry never asked (a layer missing there
 * would be fetched). So a base built without pushing is handed to ko as a fresh KOCACHE whose
 * `img` holds the base's blobs and an index.json listing just its platform manifest (the layout
 * the base's leg wrote may list an index around it, which that lookup does not descend into),
 * and the base image is its ref by digest (resolveKoBaseImage).
 */
export function seedKoBaseCache(layout: string, koCache: string, digest: string): void {
  const [algorithm, hex] = digest.split(':');
  const manifest = readFileSync(join(layout, 'blobs', algorithm, hex));
  const mediaType = (JSON.parse(manifest.toString('utf8')) as { mediaType?: string }).mediaType ?? MEDIA_TYPES.ociManifest;
  const img = join(koCache, 'img');
  rmSync(koCache, { recursive: true, force: true });
  mkdirSync(img, { recursive: true });
  cpSync(join(layout, 'blobs'), join(img, 'blobs'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(img, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(img, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType, digest, size: manifest.length }] }));
}

function requireTools(ctx: LegContext, tools: string[]): void {
  const missing = tools.filter((tool) => !which(tool, ctx.env.PATH ?? ''));
  if (missing.length > 0) {
    throw new Error(`the ko backend needs ${missing.join(', ')} on PATH (ko builds with go and pushes with crane); install them first`);
  }
}

const KO_TOOLS = ['ko', 'go', 'crane'];
/** Without a push crane has nothing to do. */
const KO_BUILD_TOOLS = ['ko', 'go'];

export const koBackend: Backend = {
  name: 'ko',

  async setup(ctx) {
    if (!ctx.target.push) {
      requireTools(ctx, KO_BUILD_TOOLS);
      const ko = await koVersion(ctx.env);
      ctx.log(`ko ${ko} (push disabled: crane is not used)`);
      return ko;
    }
    requireTools(ctx, KO_TOOLS);
    const [ko, crane] = await Promise.all([koVersion(ctx.env), craneVersion(ctx.env)]);
    ctx.log(`ko ${ko}, crane ${crane}`);
    return ko;
  },

  async build(ctx): Promise<LegBuildResult> {
    const options = koBuildOptions(ctx, readUserKoConfig(ctx.sourceDir)?.config);
    const layoutBase = ctx.needs?.[0];
    if (layoutBase?.layout && options.koCache) {
      seedKoBaseCache(layoutBase.layout, options.koCache, needDigest(layoutBase));
      ctx.log(`base image ${options.baseImage}, built without pushing: from its OCI layout ${layoutBase.layout}`);
    } else if (options.baseImage) ctx.log(`base image ${options.baseImage}`);
    const built = await koBuild(options).catch((error: unknown) => {
      // The compiler's or ko's own error, not ko's command line.
      if (error instanceof ToolError) throw new Error(`ko: ${koFailureReason(error.stderr) ?? error.message}`);
      throw error;
    });
    try {
      // Before anything of the image leaves this machine.
      const verifyMs = await verifyLayoutArch(ctx, built.layoutDir, built.digest);
      if (!ctx.target.push) {
        ctx.log(`built ${built.digest}; push disabled: nothing pushed`);
        keepBuiltLayout(ctx, built.layoutDir);
        return { digest: built.digest, pushMs: 0, verifyMs, ...(built.sbomFile ? { sbomFile: built.sbomFile } : {}) };
      }
      ctx.log(`pushing ${ctx.target.repository}@${built.digest}`);
      const pushMs = await cranePusher().push({
        layoutDir: built.layoutDir,
        repository: ctx.target.repository,
        digest: built.digest,
        insecure: ctx.target.insecure,
        env: ctx.env,
        secrets: ctx.secrets,
        onLine: ctx.log,
        workDir: ctx.workDir,
      });
      return {
        digest: built.digest,
        pushMs,
        compressedSize: layoutManifestSize(built.layoutDir, built.digest),
        verifyMs,
        ...(built.sbomFile ? { sbomFile: built.sbomFile } : {}),
      };
    } finally {
      if (built.layoutIsTemporary) rmSync(built.layoutDir, { recursive: true, force: true });
    }
  },
};
