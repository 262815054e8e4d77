// The action's inputs, read once and typed. Secrets are masked the moment they are read.
import * as core from '@actions/core';
import { readBackendOptions, type BackendOptions } from '../core/backendTraits.js';
import { UserError } from '../core/problem.js';
import { parseTagMode, type TagMode } from '../core/tags.js';
import { thresholdsFrom, type Thresholds } from '../core/report/thresholds.js';

export interface ActionInputs {
  root: string;
  since: string;
  rebuildList: string;
  dirs: string[];
  runners: string;
  leg: string;
  registry: string;
  imagePrefix: string;
  username: string;
  password: string;
  insecureRegistry: boolean;
  tagMode: TagMode;
  perArchTags: boolean;
  /** The backends' inputs (`kaniko-image`, `base-image`, ...), declared in core/backendTraits.ts. */
  backendOptions: BackendOptions;
  githubToken: string;
  /** Registry hosts besides ghcr.io that take github-token as a password (GitHub Enterprise's). */
  tokenRegistries: string[];
  push: boolean;
  /** merge: when a change in time or size is a finding. */
  thresholds: Thresholds;
}

function bool(name: string): boolean {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === '') return false;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new UserError(`input ${name}: expected true or false, got \`${value}\``);
}

export function readInputs(): ActionInputs {
  const password = core.getInput('password');
  const githubToken = core.getInput('github-token');
  for (const secret of [password, githubToken]) if (secret) core.setSecret(secret);
  return {
    root: core.getInput('root') || '.',
    since: core.getInput('since'),
    rebuildList: core.getInput('rebuild-list'),
    dirs: core
      .getInput('dirs')
      .split(/[,\n]/)
      .map((d) => d.trim())
      .filter(Boolean),
    runners: core.getInput('runners'),
    leg: core.getInput('leg'),
    registry: core.getInput('registry'),
    imagePrefix: core.getInput('image-prefix'),
    username: core.getInput('username'),
    password,
    insecureRegistry: bool('insecure-registry'),
    tagMode: parseTagMode(core.getInput('tag-mode'), 'input tag-mode'),
    perArchTags: bool('per-arch-tags'),
    backendOptions: readBackendOptions((name) => core.getInput(name)),
    githubToken,
    tokenRegistries: core
      .getInput('token-registries')
      .split(/[,\s]+/)
      .filter(Boolean),
    push: core.getInput('push') === '' ? true : bool('push'),
    thresholds: thresholdsFrom({
      timeFloor: core.getInput('time-floor'),
      timeThreshold: core.getInput('time-threshold'),
      sizeThreshold: core.getInput('size-threshold'),
    }),
  };
}
