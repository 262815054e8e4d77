// `command: plan`: decide what this event builds and emit the matrix for the build jobs.
import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';
import { availableBuildEnvironment, buildEnvNames } from '../core/buildEnv.js';
import { planRepository } from '../pipeline/planRepository.js';
import { renderPlanMarkdown } from '../core/report/planReport.js';
import { selectionFromEvent } from '../core/selection.js';
import { UserError } from '../core/problem.js';
import { formatRunner } from '../core/runners.js';
import type { RunContext } from '../core/runContext.js';
import { annotate } from './annotations.js';
import { readInputs } from './inputs.js';
import { savePlan } from './planArtifact.js';
import { taggingFromInputs } from './tagging.js';
import { selectsByDigest } from '../core/tagPolicy.js';
import type { Plan } from '../core/model.js';
import { normalizeRegistry, registryLogin } from '../tools/registryAuth.js';
import { registryReader, type RegistryReader } from '../tools/registryRead.js';
import type { PlanRepositoryOptions } from '../pipeline/planRepository.js';
import { registryCredentials } from './registry.js';
import { defaultImagePrefix } from '../core/tags.js';

/** How the plan job selects: by input digest against the registry, or as the event says. */
export interface DigestSelection {
  byDigest?: NonNullable<PlanRepositoryOptions['byDigest']>;
  /** Resolves base images for the input digests (with the same login). */
  reader?: RegistryReader;
  /** One line for the log: which selection and why. */
  why: string;
  /** Secrets of the login, masked by the caller. */
  secrets: string[];
}

/**
 * Selection by input digest (issue 10) in the plan job: on pushes to the default branch, schedules
 * and manual runs (core/tagPolicy.ts selectsByDigest) that have a registry. The registry is read
 * with the credentials the build and merge jobs get (the password input, or the workflow token
 * for ghcr.io and token-registries), anonymously otherwise; an unreachable registry makes the
 * plan warn and select by the event's diff (pipeline/planRepository.ts). `force-rebuild` still
 * computes digests but reads no record.
 */
export function digestSelection(
  inputs: Pick<
    ReturnType<typeof readInputs>,
    | 'registry'
    | 'imagePrefix'
    | 'tagMode'
    | 'forceRebuild'
    | 'insecureRegistry'
    | 'username'
    | 'password'
    | 'githubToken'
    | 'tokenRegistries'
  >,
  context: Pick<RunContext, 'eventName' | 'ref' | 'defaultBranch' | 'pullRequest' | 'repository' | 'repositoryOwner' | 'actor' | 'tempDir'>,
): DigestSelection {
  if (!inputs.registry) return { why: 'no registry input: selecting by the event only', secrets: [] };
  if (!selectsByDigest(context))
    return { why: `a ${context.eventName ?? 'unknown'} run selects by what changed, not by input digest`, secrets: [] };
  const registry = normalizeRegistry(inputs.registry);
  const creds = registryCredentials(inputs, registry, context.actor, false);
  const login = creds ? registryLogin(process.env, creds, context.tempDir) : undefined;
  const reader = registryReader({
    env: login?.env ?? process.env,
    insecureHosts: inputs.insecureRegistry ? new Set([registry]) : undefined,
  });
  const publish = {
    registry,
    prefix: inputs.imagePrefix || defaultImagePrefix(context.repository, context.repositoryOwner),
    mode: inputs.tagMode,
  };
  return {
    byDigest: { publish, reader, forceRebuild: inputs.forceRebuild },
    reader,
    why: inputs.forceRebuild
      ? 'force-rebuild: building every selected image, published or not'
      : `selecting by input digest against ${registry} (${creds ? `as ${creds.username}` : 'anonymously'}): images a default-branch run already built are re-tagged, not built`,
    secrets: login?.secrets ?? [],
  };
}

/** The plan job's outputs besides the matrix: build has work when a leg builds; merge also when an unchanged image is re-tagged. */
export function planOutputs(plan: Pick<Plan, 'matrix' | 'unchanged'>): { 'has-work': string; 'merge-has-work': string; unchanged: string } {
  const legs = plan.matrix.include.length;
  const unchanged = plan.unchanged ?? [];
  return {
    'has-work': legs > 0 ? 'true' : 'false',
    'merge-has-work': legs > 0 || unchanged.length > 0 ? 'true' : 'false',
    unchanged: JSON.stringify(unchanged.map((u) => ({ image: u.image, dir: u.dir, tags: u.tags }))),
  };
}

export async function runPlanCommand(context: RunContext): Promise<void> {
  const inputs = readInputs();
  const { mode, why } = selectionFromEvent(context, { since: inputs.since, dirs: inputs.dirs, rebuildList: inputs.rebuildList });
  core.info(`Selecting ${why}`);
  const tagging = taggingFromInputs(inputs, context);
  const selection = digestSelection(inputs, context);
  for (const secret of selection.secrets) core.setSecret(secret);
  core.info(selection.why);
  const plan = await planRepository(inputs.root, mode, {
    runners: inputs.runners,
    cwd: context.workspace,
    resolveUpstream: true,
    tagging,
    // Keyless on this runner by default (no key input): the merge job signs with its OIDC token.
    supplyChain: { onRunner: context.onRunner, signKey: false, inputs: inputs.supplyChain },
    // Every ${NAME} of a config must be passed with build-env (names; values come in the build job).
    buildEnvNames: buildEnvNames(inputs.buildEnv),
    inputDigests: selection.byDigest
      ? {
          env: process.env,
          // What the build jobs expand ${NAME} from, as far as this job holds it.
          buildEnv: availableBuildEnvironment(inputs.buildEnv, process.env),
          backendOptions: inputs.backendOptions,
          registry: selection.reader,
        }
      : undefined,
    byDigest: selection.byDigest,
  });
  core.info(`Tags for ${plan.publish.run}${plan.publish.push ? '' : ` (nothing is pushed: ${plan.publish.pushWhy})`}`);
  annotate(plan.problems);

  const legs = plan.matrix.include;
  core.setOutput('matrix', JSON.stringify({ include: legs }));
  core.setOutput(
    'images',
    JSON.stringify(plan.images.map((s) => ({ image: s.image, dir: s.dir, backend: s.backend, platforms: s.platforms, tags: s.tags }))),
  );
  const outputs = planOutputs(plan);
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  for (const u of plan.unchanged ?? [])
    core.info(`unchanged ${u.image}: inputs already published, re-tagged as ${u.tags.join(', ') || '(no tag)'}`);
  for (const leg of legs) core.info(`leg ${leg.id}: ${leg.backend} on ${formatRunner(leg.runner)}${leg.emulated ? ' (QEMU)' : ''}`);
  await core.summary.addRaw(renderPlanMarkdown(plan, why)).write();
  // One scope per call of the reusable workflow: the given one, else a fresh one for this plan.
  const scope = inputs.artifactScope || randomBytes(4).toString('hex');
  core.setOutput('artifact-scope', scope);
  if (outputs['merge-has-work'] === 'true' && !(await savePlan(plan, context, scope)))
    core.warning('no artifact service on this runner: the plan was not saved for the merge job');

  const errors = plan.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new UserError(`${errors.length} problem(s) in build configs: see the annotations`);
}
