// The inputs of one planned image, whatever builds it (core/backendTraits.ts `input` says which
// kind): see appInputs.ts for the shape, and one file per kind.
import { traitsOf } from '../backendTraits.js';
import type { IgnoreCheck } from '../discovery.js';
import type { ImageSpec } from '../model.js';
import { configOnlyInputs, withConfigFile, type AppInputs } from './appInputs.js';
import { dockerContextInputs, dockerContextPaths } from './dockerContext.js';
import { goModuleInputs, type GoPackageLister } from './goModule.js';
import { spinManifestInputs } from './spinManifest.js';

export type { AppInputs } from './appInputs.js';
export type { GoPackage, GoPackageLister, GoListRequest } from './goModule.js';

export interface InputOptions {
  /** Runs `go list -deps` (src/tools/goList.ts); without it ko apps count their whole module. */
  goPackages?: GoPackageLister;
  /** Drops git-ignored files from Spin apps' inputs (build outputs). */
  isIgnored?: IgnoreCheck;
}

/** Per platform input files, where they differ by platform (ko: build constraints). */
export type PlatformFiles = Map<string, string[]>;

export async function imageInputs(
  root: string,
  spec: Pick<ImageSpec, 'source' | 'configFile' | 'backend' | 'dir' | 'config' | 'platforms'>,
  options: InputOptions = {},
): Promise<AppInputs & { perPlatform?: PlatformFiles }> {
  if (spec.source.kind === 'upstream') return configOnlyInputs(spec.configFile);
  switch (traitsOf(spec.backend).input) {
    case 'dockerfile':
      return withConfigFile(dockerContextInputs(root, dockerContextPaths(root, spec.dir, spec.config)), spec.configFile);
    case 'go-module': {
      const inputs = await goModuleInputs(root, spec.dir, spec.config, spec.platforms, options.goPackages);
      return { ...withConfigFile(inputs, spec.configFile), perPlatform: inputs.perPlatform };
    }
    case 'spin-manifest':
      return withConfigFile(spinManifestInputs(root, spec.dir, spec.config, options.isIgnored), spec.configFile);
  }
}
