// What the plan needs to decide the tags in the action: the run's context as GitHub gives it
// (event, ref, commit, pull request, default branch), the registry settings when the plan was
// given a registry (images[].tags are then full references) and the `tags` input's rules.
import { parseInputRules, runMayPush, type TaggingOptions } from '../core/tagPolicy.js';
import type { RunContext } from '../core/runContext.js';
import { defaultImagePrefix } from '../core/tags.js';
import { normalizeRegistry } from '../tools/registryAuth.js';
import type { ActionInputs } from './inputs.js';

export function taggingFromInputs(inputs: ActionInputs, context: RunContext, now: Date = new Date()): TaggingOptions {
  return {
    run: context,
    date: now,
    mode: inputs.tagMode,
    ...(inputs.registry
      ? {
          target: {
            registry: normalizeRegistry(inputs.registry),
            prefix: inputs.imagePrefix || defaultImagePrefix(context.repository, context.repositoryOwner),
          },
        }
      : {}),
    perArchTags: inputs.perArchTags,
    rules: parseInputRules(inputs.tags, 'input tags'),
  };
}

/**
 * Whether this job may push: the `push` input, and never for a run whose code is not the
 * repository's own (a pull request from a fork, any pull_request_target run; core/tagPolicy.ts
 * runMayPush), even when the action is used without the reusable workflow that already says so.
 */
export function pushAllowed(inputs: Pick<ActionInputs, 'push'>, context: RunContext): { push: boolean; why?: string } {
  if (!inputs.push) return { push: false, why: 'input push is false' };
  return runMayPush(context);
}
