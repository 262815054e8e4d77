// Where the action publishes and how it logs in, from the inputs and the runner's context.
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { UserError } from '../core/problem.js';
import type { PublishOptions } from '../core/tags.js';
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
export function registrySession(inputs: ActionInputs, now = new Date(), { login = true }: { login?: boolean } = {}): RegistrySession {
  if (!inputs.registry) {
    throw new UserError(
      'input registry is empty: set it to the host[:port] of the registry to push to (e.g. a repository variable: registry: ${{ vars.HEPHY_REGISTRY }})',
    );
  }
  const registry = normalizeRegistry(inputs.registry);
  const owner = (process.env.GITHUB_REPOSITORY_OWNER ?? '').toLowerCase();
  const publish: PublishOptions = {
    registry,
    prefix: inputs.imagePrefix || owner,
    mode: inputs.tagMode,
    date: now,
    sha: process.env.GITHUB_SHA,
    perArchTags: inputs.perArchTags,
  };
  const password = inputs.password || inputs.githubToken;
  const username = inputs.username || process.env.GITHUB_ACTOR || '';
  if (!login || !password || !username) return { publish, env: { ...process.env }, secrets: [] };
  const creds = { registry, username, password };
  const session = registryLogin(process.env, creds, process.env.RUNNER_TEMP || tmpdir());
  for (const secret of session.secrets) core.setSecret(secret);
  return { publish, ...session };
}
