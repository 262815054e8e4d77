// One app directory checked the way `validate`, `detect` and the plan all check it: its
// build-config.yaml loaded (when it has one), then its backend detected from that config and the
// directory's files. A config with errors stops there: detection would only guess.
import { entryPath, imageConfigs } from './config/images.js';
import { formatPath } from './config/locator.js';
import { loadBuildConfig } from './config/load.js';
import type { BuildConfig } from './config/schema.js';
import { detectBackend, type DetectOptions, type Detection, type Locate } from './detect.js';
import type { Problem } from './problem.js';

export interface ConfigFile {
  /** Where to read it. */
  path: string;
  /** How problems name it, e.g. `apps/api/build-config.yaml`. */
  shown: string;
}

/** One image of an app directory, checked (core/config/images.ts). */
export interface CheckedImage {
  /** `images[].name`; absent for a file without `images:`. */
  name?: string;
  /** Its keys with the file's filled in. */
  config: BuildConfig;
  locate?: Locate;
  detection: Detection;
}

export interface AppCheck {
  /** The config as loaded, `{}` for an app without a file; absent when it has errors. */
  config?: BuildConfig;
  /** Where the config's values sit (absent without a file). */
  locate?: Locate;
  /** Absent when the config has errors; of the first image when the file lists several. */
  detection?: Detection;
  /** Each image of the directory with its detection; absent when the config has errors. */
  images?: CheckedImage[];
  /** The config's problems, then the detection's (of every image). */
  problems: Problem[];
}

export function checkApp(dir: string, configFile: ConfigFile | undefined, options: Omit<DetectOptions, 'configFile'> = {}): AppCheck {
  const loaded = configFile
    ? loadBuildConfig(configFile.path, configFile.shown, options.root ?? dir)
    : { config: {}, problems: [], locate: undefined };
  if (!loaded.config) return { problems: loaded.problems };
  const problems = [...loaded.problems];
  const images = imageConfigs(loaded.config, loaded.locate).map(({ name, index, config, locate }) => {
    const detection = detectBackend(dir, config, locate, { ...options, configFile: configFile?.shown });
    problems.push(...detection.problems);
    const extraNeed = detection.backend === 'ko' ? koExtraNeed(config, locate, index, loaded.config!, configFile?.shown ?? dir) : undefined;
    if (extraNeed) problems.push(extraNeed);
    return { ...(name !== undefined ? { name } : {}), config, locate, detection };
  });
  // Two images reading one Dockerfile report its problems once.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const id = `${p.file}:${p.line}:${p.column}:${p.message}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
  return { config: loaded.config, locate: loaded.locate, detection: images[0]?.detection, images, problems: unique };
}

/**
 * ko builds every image on exactly one base: its GetBase resolves one reference per import path
 * (ko v0.19.1 pkg/build/gobuild.go `type GetBase func(context.Context, string) (name.Reference,
 * Result, error)`; .ko.yaml `baseImageOverrides` maps an import path to one image). A ko image that
 * needs several images of the repository could only use one of them, so the second is an error.
 */
function koExtraNeed(
  config: BuildConfig,
  locate: Locate | undefined,
  index: number | undefined,
  file: BuildConfig,
  shown: string,
): Problem | undefined {
  const needs = config.needs ?? [];
  if (needs.length < 2) return undefined;
  const path = index === undefined ? ['needs', 1] : entryPath(file.images?.[index], index, ['needs', 1]);
  return {
    file: shown,
    ...(locate?.(['needs', 1]) ?? { line: 1, column: 1 }),
    path: formatPath(path),
    message: `ko builds on one base image, and needs lists ${needs.length} (${needs.join(', ')})`,
    hint: 'keep the one image this app runs on in needs, or build it with a Dockerfile (build_backend: buildkit)',
    severity: 'error',
  };
}
