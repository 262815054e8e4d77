// Pieces shared by the workflow sources: how an action reference is written, the hardened checkout
// step, and the two variants (published for users, local for offline runs with act).
import { note, type Noted } from '../yamlDoc.js';
import { CHECKOUT, type PinnedAction } from './pins.js';

/**
 * published: steps use `hephy/builder@v1` (on the main branch), or the commit of a release
 *   (a release commit, see ActionRelease);
 * local: steps use `./` (the action in the checked-out workspace), so `act` runs it offline.
 */
export type WorkflowVariant = 'published' | 'local';
export const WORKFLOW_VARIANTS: readonly WorkflowVariant[] = ['published', 'local'];

export const ACTION_REPO = 'hephy/builder';
export const ACTION_MAJOR = 'v1';
export const REUSABLE_WORKFLOW_PATH = '.github/workflows/build.yml';

/**
 * The release the reusable workflow's action steps are pinned to: the commit that holds the
 * action code (`uses:` takes no expressions, so the release step, scripts/release.sh, writes it
 * in) and the version it becomes, shown as a comment.
 */
export interface ActionRelease {
  sha: string;
  version: string;
}

/** `uses:` of our own action in the given variant; pinned to a commit for a release. */
export function actionRef(variant: WorkflowVariant, release?: ActionRelease): string | Noted {
  if (variant === 'local') return './';
  if (release) return note(`${ACTION_REPO}@${release.sha}`, { after: release.version });
  return `${ACTION_REPO}@${ACTION_MAJOR}`;
}

/** `uses:` of the reusable workflow, at `ref` (a tag, branch or SHA) when published. */
export function reusableWorkflowRef(variant: WorkflowVariant, ref: string = ACTION_MAJOR): string {
  return variant === 'local' ? `./${REUSABLE_WORKFLOW_PATH}` : `${ACTION_REPO}/${REUSABLE_WORKFLOW_PATH}@${ref}`;
}

/** `uses: owner/repo@<sha> # vX.Y.Z` */
export function pinned(pin: PinnedAction): Noted {
  return note(`${pin.action}@${pin.sha}`, { after: pin.version });
}

/**
 * actions/checkout without leaving the token in .git/config: later steps (and anything they run,
 * such as a Dockerfile's build scripts) cannot read it back.
 */
export function checkoutStep(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Check out the repository',
    uses: pinned(CHECKOUT),
    with: { 'persist-credentials': false, ...extra },
  };
}

/**
 * One run per workflow and ref. A new push to a pull request cancels the run it supersedes; on
 * branches runs queue instead, so a publish is never cut off halfway.
 */
export function concurrency(group: string): Record<string, unknown> {
  return { group, 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" };
}
