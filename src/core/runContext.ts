// The run a command belongs to: which event started it, on which ref and commit, in which
// repository, and where it may write. The action fills it from the runner's environment
// (src/action/context.ts reads GITHUB_*, RUNNER_* and the event payload once); the CLI can fill
// the same type from its flags. Plan, build and merge logic takes it as a parameter, so it never
// reads the environment itself.
// Variables: https://docs.github.com/en/actions/reference/variables-reference
// Payloads: https://docs.github.com/en/webhooks/webhook-events-and-payloads
import { z } from 'zod';

/** The pull request of a `pull_request` or `pull_request_target` run. */
export interface PullRequestContext {
  /** pull_request.number */
  number: number;
  /** pull_request.head.sha: the PR branch's commit as the payload gives it (not the merge commit). */
  headSha?: string;
  /** pull_request.head.repo.full_name (owner/name): another repository than `repository` for a fork. */
  headRepository?: string;
  /** pull_request.base.sha: the commit the PR is compared with. */
  baseSha?: string;
  /** pull_request.base.ref: the branch the PR goes into. */
  baseRef?: string;
}

export interface RunContext {
  /** GITHUB_EVENT_NAME: push, pull_request, schedule, workflow_dispatch...; absent locally. */
  eventName?: string;
  /** GITHUB_REF: refs/heads/BRANCH, refs/tags/TAG or refs/pull/N/merge. */
  ref?: string;
  /** GITHUB_SHA: the commit checked out (for a pull request, GitHub's merge commit). */
  sha?: string;
  /** GITHUB_REPOSITORY: owner/name. */
  repository?: string;
  /** GITHUB_REPOSITORY_OWNER. */
  repositoryOwner?: string;
  /** The event payload's repository.default_branch. */
  defaultBranch?: string;
  /**
   * The event payload's repository.visibility (`public`, `private`, `internal`), else from its
   * `private` flag; absent when the payload says neither (then treated as not public).
   */
  repositoryVisibility?: 'public' | 'private' | 'internal';
  /** Present when the payload has a pull_request with a number. */
  pullRequest?: PullRequestContext;
  /** A push's `before`: the commit the branch pointed at (all zeros for a new branch). */
  before?: string;
  /** A workflow_dispatch's string inputs. */
  dispatchInputs?: Record<string, string>;
  /** GITHUB_ACTOR: who started the run. */
  actor?: string;
  /** GITHUB_RUN_ID: unique per run of a workflow, the same over its re-runs. */
  runId?: string;
  /** GITHUB_RUN_ATTEMPT: 1, then one more for each re-run. */
  runAttempt?: number;
  /** GITHUB_SERVER_URL, e.g. https://github.com, or a GitHub Enterprise server. */
  serverUrl?: string;
  /** GITHUB_API_URL: the REST API of that server. */
  apiUrl?: string;
  /** GITHUB_WORKSPACE (the checkout), else the working directory. */
  workspace: string;
  /** RUNNER_TEMP (emptied after each job), else the system's temporary directory. */
  tempDir: string;
  /** RUNNER_TOOL_CACHE: where tools survive between jobs of a self-hosted runner. */
  toolCacheDir?: string;
  /** GITHUB_ACTIONS is `true`: on a GitHub Actions runner (or act). */
  onRunner: boolean;
  /** ACTIONS_RUNTIME_TOKEN is set: this job can upload and download artifacts. */
  artifactService: boolean;
}

/** Where a run without GITHUB_WORKSPACE or RUNNER_TEMP works: the process's own places. */
export interface ContextFallbacks {
  cwd: string;
  tempDir: string;
}

// Every field is optional and a value of the wrong type is dropped (`catch`): an odd payload
// means fewer details, never a failed run.
const text = z.string().min(1).optional().catch(undefined);
const eventPayloadSchema = z
  .object({
    before: text,
    inputs: z.record(z.string(), z.unknown()).optional().catch(undefined),
    pull_request: z
      .object({
        number: z.number().int().positive().optional().catch(undefined),
        head: z
          .object({ sha: text, repo: z.object({ full_name: text }).nullish().catch(undefined) })
          .optional()
          .catch(undefined),
        base: z.object({ sha: text, ref: text }).optional().catch(undefined),
      })
      .optional()
      .catch(undefined),
    repository: z
      .object({
        default_branch: text,
        visibility: z.enum(['public', 'private', 'internal']).optional().catch(undefined),
        private: z.boolean().optional().catch(undefined),
      })
      .optional()
      .catch(undefined),
  })
  .catch({});

const variable = (env: Record<string, string | undefined>, name: string) => env[name] || undefined;

/**
 * The context of a run from the runner's environment variables and the parsed event payload
 * (GITHUB_EVENT_PATH's JSON; anything else counts as an empty payload). Pure: the caller reads.
 */
export function runContextFromEnvironment(
  env: Record<string, string | undefined>,
  payload: unknown,
  fallbacks: ContextFallbacks,
): RunContext {
  const event = eventPayloadSchema.parse(payload);
  const pr = event.pull_request;
  const attempt = Number(variable(env, 'GITHUB_RUN_ATTEMPT'));
  const dispatchInputs = event.inputs
    ? Object.fromEntries(Object.entries(event.inputs).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
    : undefined;
  return {
    eventName: variable(env, 'GITHUB_EVENT_NAME'),
    ref: variable(env, 'GITHUB_REF'),
    sha: variable(env, 'GITHUB_SHA'),
    repository: variable(env, 'GITHUB_REPOSITORY'),
    repositoryOwner: variable(env, 'GITHUB_REPOSITORY_OWNER'),
    defaultBranch: event.repository?.default_branch,
    repositoryVisibility:
      event.repository?.visibility ??
      (event.repository?.private === undefined ? undefined : event.repository.private ? 'private' : 'public'),
    pullRequest: pr?.number
      ? {
          number: pr.number,
          headSha: pr.head?.sha,
          headRepository: pr.head?.repo?.full_name,
          baseSha: pr.base?.sha,
          baseRef: pr.base?.ref,
        }
      : undefined,
    before: event.before,
    dispatchInputs,
    actor: variable(env, 'GITHUB_ACTOR'),
    runId: variable(env, 'GITHUB_RUN_ID'),
    runAttempt: Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
    serverUrl: variable(env, 'GITHUB_SERVER_URL'),
    apiUrl: variable(env, 'GITHUB_API_URL'),
    workspace: variable(env, 'GITHUB_WORKSPACE') ?? fallbacks.cwd,
    tempDir: variable(env, 'RUNNER_TEMP') ?? fallbacks.tempDir,
    toolCacheDir: variable(env, 'RUNNER_TOOL_CACHE'),
    onRunner: env.GITHUB_ACTIONS === 'true',
    artifactService: Boolean(env.ACTIONS_RUNTIME_TOKEN),
  };
}

/** The branch of a `refs/heads/...` ref; undefined for a tag, a pull request's ref or none. */
export function branchOf(ref: string | undefined): string | undefined {
  return ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}
