// The plan travels from the plan job to the merge job as an artifact: the merge needs every
// planned leg (to notice a leg that never reported) and each image's extra tags. It is written by
// this action's plan command and read back through the plan's schema, never cast.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import artifactClient from '@actions/artifact';
import type { Plan } from '../core/model.js';
import { parsePlan } from '../core/planSchema.js';
import type { RunContext } from '../core/runContext.js';
import { planArtifactName } from '../core/legRecord.js';

const PLAN_FILE = 'plan.json';

/** Saves the plan for the merge job; false when this runner has no artifact service (a bare test run). */
export async function savePlan(plan: Plan, context: Pick<RunContext, 'artifactService' | 'tempDir'>, scope = ''): Promise<boolean> {
  if (!context.artifactService) return false;
  const dir = mkdtempSync(join(context.tempDir, 'hephy-plan-'));
  const file = join(dir, PLAN_FILE);
  writeFileSync(file, `${JSON.stringify(plan)}\n`);
  await artifactClient.uploadArtifact(planArtifactName(scope), [file], dir, { retentionDays: 7 });
  return true;
}

export async function loadPlan(context: Pick<RunContext, 'tempDir'>, scope = ''): Promise<Plan> {
  const name = planArtifactName(scope);
  const { artifact } = await artifactClient.getArtifact(name);
  const dir = join(context.tempDir, 'hephy-plan-download');
  mkdirSync(dir, { recursive: true });
  await artifactClient.downloadArtifact(artifact.id, { path: dir });
  return parsePlan(readFileSync(join(dir, PLAN_FILE), 'utf8'), `artifact ${name}`);
}
