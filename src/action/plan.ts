// `command: plan`: decide what this event builds and emit the matrix for the build jobs.
import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';
import { buildEnvNames } from '../core/buildEnv.js';
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

export async function runPlanCommand(context: RunContext): Promise<void> {
  const inputs = readInputs();
  const { mode, why } = selectionFromEvent(context, { since: inputs.since, dirs: inputs.dirs, rebuildList: inputs.rebuildList });
  core.info(`Selecting ${why}`);
  const tagging = taggingFromInputs(inputs, context);
  const plan = await planRepository(inputs.root, mode, {
    runners: inputs.runners,
    cwd: context.workspace,
    resolveUpstream: true,
    tagging,
    // Every ${NAME} of a config must be passed with build-env (names; values come in the build job).
    buildEnvNames: buildEnvNames(inputs.buildEnv),
  });
  core.info(`Tags for ${plan.publish.run}${plan.publish.push ? '' : ` (nothing is pushed: ${plan.publish.pushWhy})`}`);
  annotate(plan.problems);

  const legs = plan.matrix.include;
  core.setOutput('matrix', JSON.stringify({ include: legs }));
  core.setOutput(
    'images',
    JSON.stringify(plan.images.map((s) => ({ image: s.image, dir: s.dir, backend: s.backend, platforms: s.platforms, tags: s.tags }))),
  );
  core.setOutput('has-work', legs.length > 0 ? 'true' : 'false');
  for (const leg of legs) core.info(`leg ${leg.id}: ${leg.backend} on ${formatRunner(leg.runner)}${leg.emulated ? ' (QEMU)' : ''}`);
  await core.summary.addRaw(renderPlanMarkdown(plan, why)).write();
  // One scope per call of the reusable workflow: the given one, else a fresh one for this plan.
  const scope = inputs.artifactScope || randomBytes(4).toString('hex');
  core.setOutput('artifact-scope', scope);
  if (legs.length > 0 && !(await savePlan(plan, context, scope)))
    core.warning('no artifact service on this runner: the plan was not saved for the merge job');

  const errors = plan.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new UserError(`${errors.length} problem(s) in build configs: see the annotations`);
}
