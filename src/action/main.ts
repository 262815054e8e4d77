// The action's entry: one bundle, three commands (plan -> build -> merge), chosen by the
// `command` input. Each command is a thin adapter over the core.
import * as core from '@actions/core';
import { UserError, messageOf } from '../core/problem.js';
import type { RunContext } from '../core/runContext.js';
import { annotate } from './annotations.js';
import { runBuildCommand } from './build.js';
import { readRunContext } from './context.js';
import { runMergeCommand } from './merge.js';
import { runPlanCommand } from './plan.js';

const commands: Record<string, (context: RunContext) => Promise<void>> = {
  plan: runPlanCommand,
  build: runBuildCommand,
  merge: runMergeCommand,
};

export async function run(): Promise<void> {
  const name = core.getInput('command', { required: true }).trim();
  const command = commands[name];
  try {
    if (!command) throw new UserError(`unknown command \`${name}\`: expected one of ${Object.keys(commands).join(', ')}`);
    await command(readRunContext());
  } catch (error) {
    if (error instanceof UserError) {
      annotate(error.problems);
      core.setFailed(error.message);
    } else {
      core.setFailed(`internal error: ${messageOf(error)}`);
      if (error instanceof Error && error.stack) core.debug(error.stack);
    }
  }
}

await run();
