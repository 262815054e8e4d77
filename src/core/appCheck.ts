// One app directory checked the way `validate`, `detect` and the plan all check it: its
// build-config.yaml loaded (when it has one), then its backend detected from that config and the
// directory's files. A config with errors stops there: detection would only guess.
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

export interface AppCheck {
  /** The config as loaded, `{}` for an app without a file; absent when it has errors. */
  config?: BuildConfig;
  /** Where the config's values sit (absent without a file). */
  locate?: Locate;
  /** Absent when the config has errors. */
  detection?: Detection;
  /** The config's problems, then the detection's. */
  problems: Problem[];
}

export function checkApp(dir: string, configFile: ConfigFile | undefined, options: Omit<DetectOptions, 'configFile'> = {}): AppCheck {
  const loaded = configFile
    ? loadBuildConfig(configFile.path, configFile.shown, options.root ?? dir)
    : { config: {}, problems: [], locate: undefined };
  if (!loaded.config) return { problems: loaded.problems };
  const detection = detectBackend(dir, loaded.config, loaded.locate, { ...options, configFile: configFile?.shown });
  return { config: loaded.config, locate: loaded.locate, detection, problems: [...loaded.problems, ...detection.problems] };
}
