// The action's inputs, read once and typed. Secrets are masked the moment they are read.
import * as core from '@actions/core';
import { readBackendOptions, type BackendOptions } from '../core/backendTraits.js';
import { UserError } from '../core/problem.js';
import { ARTIFACT_SCOPE } from '../core/legRecord.js';
import { metadataLines, parseMetadataEntries } from '../core/annotations.js';
import { parseTagMode, type TagMode } from '../core/tags.js';
import { thresholdsFrom, type Thresholds } from '../core/report/thresholds.js';

import { buildEnvLines } from '../core/buildEnv.js';
import { parseSwitch, type SupplyChainSwitches } from '../core/supplyChain.js';

export interface ActionInputs {
  root: string;
  /** `build-env` lines: NAME or NAME=VALUE (core/buildEnv.ts). */
  buildEnv: string[];
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
  /** docker/metadata-action tag rules, one per line (core/tagRules.ts); empty: the default tag table. */
  tags: string;
  /** The backends' inputs (`kaniko-image`, `base-image`, ...), declared in core/backendTraits.ts. */
  backendOptions: BackendOptions;
  githubToken: string;
  /** Registry hosts besides ghcr.io that take github-token as a password (GitHub Enterprise's). */
  tokenRegistries: string[];
  push: boolean;
  /** plan: build every selected image even when its inputs are published (no selection by digest). */
  forceRebuild: boolean;
  /** Scope of the artifact names (one per call of the reusable workflow); empty: unscoped names. */
  artifactScope: string;
  /** merge: when a change in time or size is a finding. */
  thresholds: Thresholds;
  /** `labels`: KEY=VALUE lines, checked (core/annotations.ts); win over build-config.yaml labels. */
  labels: Record<string, string>;
  /** `annotations`: KEY=VALUE lines, checked; win over build-config.yaml annotations. */
  annotations: Record<string, string>;
  /** plan: `sbom`, `provenance`, `sign` (core/supplyChain.ts); empty ones keep the default. */
  supplyChain: SupplyChainSwitches;
}

function bool(name: string): boolean {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === '') return false;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new UserError(`input ${name}: expected true or false, got \`${value}\``);
}

function artifactScope(value: string): string {
  if (value && !ARTIFACT_SCOPE.test(value))
    throw new UserError(`input artifact-scope: expected up to 64 letters, digits, _ . or -, got \`${value}\``);
  return value;
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
    tags: core.getInput('tags'),
    backendOptions: readBackendOptions((name) => core.getInput(name)),
    buildEnv: buildEnvLines(core.getInput('build-env')),
    githubToken,
    tokenRegistries: core
      .getInput('token-registries')
      .split(/[,\s]+/)
      .filter(Boolean),
    push: core.getInput('push') === '' ? true : bool('push'),
    forceRebuild: bool('force-rebuild'),
    artifactScope: artifactScope(core.getInput('artifact-scope').trim()),
    thresholds: thresholdsFrom({
      timeFloor: core.getInput('time-floor'),
      timeThreshold: core.getInput('time-threshold'),
      sizeThreshold: core.getInput('size-threshold'),
    }),
    labels: parseMetadataEntries(metadataLines(core.getInput('labels')), 'input labels'),
    annotations: parseMetadataEntries(metadataLines(core.getInput('annotations')), 'input annotations'),
    supplyChain: supplyChainInputs((name) => core.getInput(name)),
  };
}

/** The `sbom`, `provenance` and `sign` inputs; an empty one keeps the default. @throws UserError for a value that is no boolean. */
export function supplyChainInputs(getInput: (name: string) => string): SupplyChainSwitches {
  const switches: SupplyChainSwitches = {};
  for (const name of ['sbom', 'provenance', 'sign'] as const) {
    const value = parseSwitch(getInput(name), `input ${name}`);
    if (value !== undefined) switches[name] = value;
  }
  return switches;
}
