// The input digest of every planned leg (src/core/inputDigest.ts says what it covers): the app's
// input files hashed (tools/fileDigests.ts), its base images resolved once per reference for the
// whole plan (tools/registryRead.ts), expanded build settings and pinned tool versions. A leg
// whose digest cannot be known (a base image that does not resolve, an unset variable, an
// upstream source) gets none and a reason: it is always built.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BACKEND_OPTIONS, type BackendName, type BackendOptions } from '../core/backendTraits.js';
import { dockerfileBaseImages } from '../core/baseImages.js';
import { expandList } from '../core/expand.js';
import { inputDigest, type InputDigestMaterial } from '../core/inputDigest.js';
import { dockerContextPaths } from '../core/inputs/dockerContext.js';
import { imageInputs, type GoPackageLister } from '../core/inputs/index.js';
import type { IgnoreCheck } from '../core/discovery.js';
import type { ImageSpec, LegInputDigest, Plan } from '../core/model.js';
import { SPIN_GO_TOOLCHAIN, SPIN_VERSION, goToolPin } from '../core/toolPins.js';
import { traitsOf } from '../core/backendTraits.js';
import { fileDigester } from '../tools/fileDigests.js';
import { readUserKoConfig } from '../tools/ko.js';
import type { RegistryReader } from '../tools/registryRead.js';

/** ko's base image when nothing names one (ko v0.19.1 pkg/commands/options/build.go, configDefaultBaseImage). */
export const KO_DEFAULT_BASE_IMAGE = 'cgr.dev/chainguard/static:latest';

export interface InputDigestOptions {
  /** The tool environment the legs run with (ko's KO_DEFAULTBASEIMAGE is read from it). */
  env: NodeJS.ProcessEnv;
  /**
   * Where `${VAR}` in build_args and ko_config expand from: the same build environment the legs
   * get (core/buildEnv.ts; never the whole process environment). A variable it lacks leaves the
   * leg without a digest: it is always built.
   */
  buildEnv: Record<string, string>;
  backendOptions?: BackendOptions;
  /** Resolves base images; without it no leg with a base image gets a digest. */
  registry?: RegistryReader;
  goPackages?: GoPackageLister;
  /** `go env GOVERSION` of the Go that ko will build with (the workflow pins it). */
  goVersion?: string;
  isIgnored?: IgnoreCheck;
}

/** The pinned versions of what builds with each backend (tool-pins.json). */
export function backendTools(backend: BackendName, goVersion?: string): Record<string, string> {
  switch (backend) {
    case 'ko':
      return { ko: goToolPin('ko').version, ...(goVersion ? { go: goVersion } : {}) };
    case 'buildkit':
      return { buildkit: goToolPin('buildkit').version, buildx: goToolPin('buildx').version };
    case 'kaniko':
      return { kaniko: goToolPin('kaniko').version };
    case 'spin':
      return { spin: SPIN_VERSION, go: SPIN_GO_TOOLCHAIN };
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));

/** The base image references of one leg, before resolution. */
function baseImageRefs(root: string, spec: ImageSpec, platform: string, expanded: Record<string, string[]>, options: InputDigestOptions) {
  switch (traitsOf(spec.backend).input) {
    case 'dockerfile': {
      const { dockerfile } = dockerContextPaths(root, spec.dir, spec.config);
      return dockerfileBaseImages(readFileSync(resolve(root, dockerfile), 'utf8'), expanded.build_args ?? [], platform);
    }
    case 'go-module': {
      const userBase = readUserKoConfig(join(root, spec.dir))?.config.defaultBaseImage;
      const base =
        options.backendOptions?.baseImage ??
        spec.config.ko_config?.base_image ??
        (typeof userBase === 'string' && userBase ? userBase : undefined) ??
        (options.env.KO_DEFAULTBASEIMAGE || KO_DEFAULT_BASE_IMAGE);
      return { refs: [base], unresolved: [] };
    }
    case 'spin-manifest':
      return { refs: [], unresolved: [] };
  }
}

export async function computeInputDigests(
  root: string,
  plan: Pick<Plan, 'images' | 'matrix'>,
  options: InputDigestOptions,
): Promise<LegInputDigest[]> {
  const absRoot = resolve(root);
  const digestFiles = fileDigester(absRoot);
  const resolved = new Map<string, Promise<string>>();
  const resolveOnce = (ref: string) => {
    let pending = resolved.get(ref);
    if (!pending) {
      pending = options.registry ? options.registry.resolve(ref) : Promise.reject(new Error('no registry client'));
      pending.catch(() => undefined); // awaited below; keeps an unawaited rejection from warning
      resolved.set(ref, pending);
    }
    return pending;
  };

  const perImage = await Promise.all(
    plan.images.map(async (spec): Promise<LegInputDigest[]> => {
      const legs = plan.matrix.include.filter((leg) => leg.image === spec.image);
      const none = (reason: string) => legs.map((leg) => ({ legId: leg.id, reason }));
      if (spec.source.kind === 'upstream')
        return none(`built from ${spec.source.repo}: its sources are fetched by the build, not the plan`);
      let expanded: Record<string, string[]>;
      try {
        const ko = spec.config.ko_config;
        expanded = {
          build_args: expandList(spec.config.build_args ?? [], options.buildEnv, 'build_args'),
          ...(ko
            ? {
                'ko_config.env': expandList(ko.env ?? [], options.buildEnv, 'ko_config.env'),
                'ko_config.ldflags': expandList(ko.ldflags ?? [], options.buildEnv, 'ko_config.ldflags'),
                'ko_config.flags': expandList(ko.flags ?? [], options.buildEnv, 'ko_config.flags'),
              }
            : {}),
        };
      } catch (error) {
        return none(messageOf(error));
      }
      const inputs = await imageInputs(absRoot, spec, { goPackages: options.goPackages, isIgnored: options.isIgnored });
      if (inputs.warnings.length > 0) return none(inputs.warnings[0]);
      const allFiles = await inputs.files();
      const runOptions: Record<string, string> = {};
      for (const option of BACKEND_OPTIONS) {
        const value = options.backendOptions?.[option.key];
        if (option.backend === spec.backend && value) runOptions[option.key] = value;
      }
      return Promise.all(
        legs.map(async (leg): Promise<LegInputDigest> => {
          try {
            const platformFiles = inputs.perPlatform?.get(leg.platform);
            const paths = platformFiles ? [...new Set([...platformFiles, ...(spec.configFile ? [spec.configFile] : [])])] : allFiles;
            const { refs, unresolved } = baseImageRefs(absRoot, spec, leg.platform, expanded, options);
            if (unresolved.length > 0) return { legId: leg.id, reason: `FROM ${unresolved[0]}: a variable without a value` };
            const baseImages: Record<string, string> = {};
            for (const ref of refs) baseImages[ref] = await resolveOnce(ref);
            const dockerfile =
              traitsOf(spec.backend).input === 'dockerfile' ? dockerContextPaths(absRoot, spec.dir, spec.config).dockerfile : undefined;
            const material: InputDigestMaterial = {
              backend: spec.backend,
              tools: backendTools(spec.backend, options.goVersion),
              platform: leg.platform,
              config: spec.config,
              expanded,
              dockerfile,
              target: spec.config.target || undefined,
              options: runOptions,
              files: await digestFiles(paths),
              baseImages,
            };
            return { legId: leg.id, digest: inputDigest(material), files: material.files.length, baseImages };
          } catch (error) {
            return { legId: leg.id, reason: `base image: ${messageOf(error)}` };
          }
        }),
      );
    }),
  );
  return perImage.flat();
}
