// Dockerfile stage names as BuildKit's parser accepts them, so that `target` is only ever a stage.
//
// Source: moby/buildkit v0.33.0 frontend/dockerfile/instructions/parse.go: `validStageName`
// (`^[a-z][a-z0-9-_.]*$`), applied to the name lowercased (`parseBuildStageName`); `--target` is
// matched against stage names case-insensitively. Kaniko parses Dockerfiles with the same package.

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** Why `target` cannot name a Dockerfile stage, or undefined. The empty string means "the last stage". */
export function stageNameProblem(target: string): string | undefined {
  if (target === '') return undefined;
  if (target.startsWith('-')) return 'it starts with `-`, which the builder would read as an option';
  if (!STAGE_NAME.test(target.toLowerCase())) {
    return 'a stage name starts with a letter and holds letters, digits and - _ . only (BuildKit refuses other names)';
  }
  return undefined;
}
