// Where the action publishes and how it logs in, from the inputs and the run's context.
import * as core from '@actions/core';
import { UserError } from '../core/problem.js';
import type { RunContext } from '../core/runContext.js';
import { defaultImagePrefix, type PublishOptions } from '../core/tags.js';
import { normalizeRegistry, registryLogin } from '../tools/registryAuth.js';
import type { ActionInputs } from './inputs.js';

export interface RegistrySession {
  publish: PublishOptions;
  env: NodeJS.ProcessEnv;
  secrets: string[];
}

/**
 * login false: no docker config with credentials is written, even when credentials are given
 * (a merge with push off never talks to the registry). Build legs log in whenever they can, push
 * or not: a private base image must still be pulled.
 */
export function registrySession(
  inputs: ActionInputs,
  context: Pick<RunContext, 'repository' | 'repositoryOwner' | 'actor' | 'tempDir'>,
  { login = true }: { login?: boolean } = {},
): RegistrySession {
  if (!inputs.registry) {
    throw new UserError(
      'input registry is empty: set it to the host[:port] of the registry to push to (e.g. a repository variable: registry: ${{ vars.HEPHY_REGISTRY }})',
    );
  }
  const registry = normalizeRegistry(inputs.registry);
  const publish: PublishOptions = {
    registry,
    prefix: inputs.imagePrefix || defaultImagePrefix(context.repository, context.repositoryOwner),
    mode: inputs.tagMode,
    perArchTags: inputs.perArchTags,
  };
  const password = inputs.password || inputs.githubToken;
  const username = inputs.username || context.actor || '';
  if (!login || !password || !username) return { publish, env: { ...process.env }, secrets: [] };
  const creds = { registry, username, password };
  const session = registryLogin(process.env, creds, context.tempDir);
  for (const secret of session.secrets) core.setSecret(secret);
  return { publish, ...session };
}
