// Where the docker CLI keeps its config (registry logins, CLI plugins, buildx builders): the
// directory DOCKER_CONFIG names, else ~/.docker (docker/cli cli/config/config.go, Dir()). Every
// tool we run that speaks to a registry reads its logins from config.json there.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** ~/.docker, the config dir when DOCKER_CONFIG is not set. */
export function defaultDockerConfigDir(env: NodeJS.ProcessEnv): string {
  return join(env.HOME || homedir(), '.docker');
}

/** The docker config dir tools use under this environment; it may not exist. */
export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || defaultDockerConfigDir(env);
}

/** The docker config dir when it exists (a directory), else undefined. */
export function existingDockerConfigDir(env: NodeJS.ProcessEnv): string | undefined {
  const dir = dockerConfigDir(env);
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : undefined;
}

/** Its config.json, when it exists: the registry logins. */
export function dockerConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  const file = join(dockerConfigDir(env), 'config.json');
  return existsSync(file) ? file : undefined;
}
