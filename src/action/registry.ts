// Where the action publishes and how it logs in, from the inputs and the run's context.
import * as core from '@actions/core';
import { UserError } from '../core/problem.js';
import type { RunContext } from '../core/runContext.js';
import { defaultImagePrefix, type PublishOptions } from '../core/tags.js';
import { isLoopbackRegistry, normalizeRegistry, registryLogin, type RegistryCredentials } from '../tools/registryAuth.js';
import type { ActionInputs } from './inputs.js';

/**
 * GitHub's container registry: the one host that takes the workflow token (GITHUB_TOKEN) as a
 * registry password (docs.github.com, "Working with the Container registry": "we recommend
 * using the GITHUB_TOKEN ... to authenticate to ghcr.io"). Others are named in the input
 * `token-registries` (a GitHub Enterprise Server's container registry host).
 */
export const GITHUB_REGISTRY = 'ghcr.io';

export interface RegistrySession {
  publish: PublishOptions;
  env: NodeJS.ProcessEnv;
  secrets: string[];
}

/** The hosts the workflow token may be sent to: ghcr.io and those of the input token-registries. */
export function tokenRegistries(inputs: Pick<ActionInputs, 'tokenRegistries'>): string[] {
  return [GITHUB_REGISTRY, ...inputs.tokenRegistries.map((host) => normalizeRegistry(host))];
}

/**
 * The login for `registry`, or undefined for none. The password input goes to the registry it is
 * given for; the workflow token only to GitHub's registry hosts, never to another registry (which
 * would receive a token to this repository). A non-loopback registry with no credentials is an
 * error when the run pushes, before anything is built; without push (a pull request from a fork)
 * the legs pull anonymously. A loopback registry (a local test registry) takes anonymous pushes.
 */
export function registryCredentials(
  inputs: Pick<ActionInputs, 'username' | 'password' | 'githubToken' | 'tokenRegistries'>,
  registry: string,
  actor: string | undefined,
  push: boolean,
): RegistryCredentials | undefined {
  if (inputs.password) {
    const username = inputs.username || actor || '';
    if (!username) throw new UserError(`registry ${registry}: input password is set but username is empty and no workflow actor is known`);
    return { registry, username, password: inputs.password };
  }
  const tokenHosts = tokenRegistries(inputs);
  if (inputs.githubToken && tokenHosts.includes(registry)) {
    return { registry, username: inputs.username || actor || 'github-actions', password: inputs.githubToken };
  }
  if (push && !isLoopbackRegistry(registry)) {
    throw new UserError(
      `registry ${registry}: no credentials given (input password is empty), and the workflow token is only sent to ${tokenHosts.join(', ')}: ` +
        'pass REGISTRY_USERNAME and REGISTRY_PASSWORD as secrets, or name the host in input token-registries if it is a GitHub container registry',
    );
  }
  return undefined;
}

/**
 * login false: no docker config with credentials is written, even when credentials are given
 * (a merge with push off never talks to the registry). Build legs log in whenever they have
 * credentials for the registry, push or not: a private base image must still be pulled.
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
  if (!login) return { publish, env: { ...process.env }, secrets: [] };
  const creds = registryCredentials(inputs, registry, context.actor, inputs.push);
  if (!creds) return { publish, env: { ...process.env }, secrets: [] };
  const session = registryLogin(process.env, creds, context.tempDir);
  for (const secret of session.secrets) core.setSecret(secret);
  return { publish, ...session };
}
