// The inputs of a Dockerfile build (Kaniko, BuildKit): the Dockerfile, the context's
// .dockerignore, and every file of the build context that .dockerignore does not exclude. The
// .dockerignore is read from the context root (where both Kaniko and `docker buildx build` look
// for it) and matched with @balena/dockerignore, a port of Docker's own matcher
// (moby builder/dockerignore + pkg/fileutils), so `!` exceptions, `**` and parent-directory
// matches behave as in Docker.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import dockerignore from '@balena/dockerignore';
import type { BuildConfig } from '../config/schema.js';
import { walkFiles } from '../walk.js';
import type { AppInputs } from './appInputs.js';
import { existsInRepo, isWithin, joinRepoPath, relativeTo, repoPath } from './paths.js';

export interface DockerContextPaths {
  /** The build context as a repo path ('.' for the root). */
  context: string;
  /** The Dockerfile as a repo path; may lie outside the context (dockerfile_path: ../Dockerfile). */
  dockerfile: string;
  /** `<context>/.dockerignore`, whether or not it exists. */
  dockerignore: string;
}

/**
 * Where the context and the Dockerfile of an app are: context_path is relative to the app's
 * directory, dockerfile_path to the context (as the backends read them). A context that leads out
 * of the repository (the config check reports it) is taken as the whole repository, so no change
 * is missed.
 */
export function dockerContextPaths(root: string, appDir: string, config: BuildConfig): DockerContextPaths {
  const contextAbs = resolve(root, appDir, config.context_path ?? '.');
  const context = repoPath(root, contextAbs) ?? '.';
  const dockerfile = repoPath(root, resolve(contextAbs, config.dockerfile_path ?? 'Dockerfile')) ?? joinRepoPath(context, 'Dockerfile');
  return { context, dockerfile, dockerignore: joinRepoPath(context, '.dockerignore') };
}

/**
 * Git's own directory is never an input here: `git diff` never names a path in it, and hashing it
 * would give every commit a new digest. Docker would send it unless .dockerignore'd; an image that
 * needs it is built from a context that is not a repository checkout.
 */
const NEVER_WALKED: ReadonlySet<string> = new Set(['.git']);

export function dockerContextInputs(root: string, paths: DockerContextPaths): AppInputs {
  let rules = '';
  try {
    rules = readFileSync(resolve(root, paths.dockerignore), 'utf8');
  } catch {
    // No .dockerignore: the whole context is sent.
  }
  // A CommonJS module: its exports (the factory) also carry itself as `default`, which its types name.
  const ignore = dockerignore.default().add(rules);
  const inContext = (path: string) =>
    isWithin(path, paths.context) && path !== paths.context && !ignore.ignores(relativeTo(path, paths.context));
  return {
    // Docker sends the Dockerfile and .dockerignore even when .dockerignore names them.
    covers: (path) => path === paths.dockerfile || path === paths.dockerignore || inContext(path),
    async files() {
      const found = new Set<string>();
      let walked: { path: string }[] = [];
      try {
        walked = walkFiles(resolve(root, paths.context), { skipDirNames: NEVER_WALKED });
      } catch {
        // A missing context is the config check's problem; nothing to hash.
      }
      for (const file of walked) {
        const path = joinRepoPath(paths.context, file.path);
        if (inContext(path)) found.add(path);
      }
      for (const special of [paths.dockerfile, paths.dockerignore]) {
        if (existsInRepo(root, special)) found.add(special);
      }
      return [...found].sort();
    },
    warnings: [],
  };
}
