// What an app's image is built from, as repository paths: the rule that says whether a changed
// path is one of its inputs (selection by `--since`), and the files that exist now (the input
// digest). One implementation per kind of backend input (core/backendTraits.ts `input`).

export interface AppInputs {
  /**
   * Whether the repo path (`a/b.txt`, `/` separators) is an input: present now or deleted by the
   * change, so a removed file selects the app as surely as an edited one.
   */
  covers(path: string): boolean;
  /** Every input file present now, repo paths, sorted and unique (what the digest hashes). */
  files(): Promise<string[]>;
  /** Where the rule had to be broader than the build (e.g. Go could not list packages). */
  warnings: string[];
}

/** Inputs that are the config file and nothing else: an upstream build's sources are remote. */
export function configOnlyInputs(configFile: string | undefined): AppInputs {
  return {
    covers: (path) => path === configFile,
    files: async () => (configFile ? [configFile] : []),
    warnings: [],
  };
}

/** `inputs` plus the app's build-config.yaml (a change to it always selects the app). */
export function withConfigFile(inputs: AppInputs, configFile: string | undefined): AppInputs {
  if (!configFile) return inputs;
  return {
    covers: (path) => path === configFile || inputs.covers(path),
    files: async () => [...new Set([...(await inputs.files()), configFile])].sort(),
    warnings: inputs.warnings,
  };
}
