// The run the CLI decides tags for, the same way the action does: the runner's standard variables
// (GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_SHA, GITHUB_REPOSITORY and the payload at
// GITHUB_EVENT_PATH) when they are set, then these flags over them. With none of them, a local
// run is a push to the default branch (`--branch`, default main) at the checkout's HEAD.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { UserError } from '../core/problem.js';
import { runContextFromEnvironment, type RunContext } from '../core/runContext.js';
import { parseInputRules, type TaggingOptions } from '../core/tagPolicy.js';
import { parseTagMode } from '../core/tags.js';
import { headSha } from '../tools/git.js';
import { normalizeRegistry } from '../tools/registryAuth.js';
import { imagePrefixOption, stringOption, type CliIO, type ParsedArgs } from './args.js';

export const tagRunOptions = {
  event: { type: 'string' },
  ref: { type: 'string' },
  sha: { type: 'string' },
  pr: { type: 'string' },
  branch: { type: 'string' },
  tags: { type: 'string' },
} as const;

export const tagRunHelp = `  --event NAME          the GitHub event the tags are for: push, pull_request, schedule,
                        workflow_dispatch... (default: GITHUB_EVENT_NAME, else push)
  --ref REF             refs/heads/BRANCH, refs/tags/TAG or refs/pull/N/merge
                        (default: GITHUB_REF, else the default branch)
  --sha SHA             the commit (a pull request's head commit with --pr; default: GITHUB_SHA, else HEAD)
  --pr N                tag as pull request N from this repository (pr-N, pr-N-{sha7})
  --branch NAME         the default branch (default: the event payload's, else main)
  --tags RULES          docker/metadata-action tag rules, one per line, replacing the tag table
                        (a build-config.yaml's own tags: key wins)`;

/** The event payload of GITHUB_EVENT_PATH; missing or unreadable is an empty one, as in the action. */
function payloadOf(env: NodeJS.ProcessEnv): unknown {
  if (!env.GITHUB_EVENT_PATH) return {};
  try {
    return JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch {
    return {};
  }
}

/** The run context from the environment and the flags (no git lookup: see `tagRunFromArgs`). */
export function runContextFromArgs(args: ParsedArgs, io: Pick<CliIO, 'env' | 'cwd'>): RunContext {
  const context = runContextFromEnvironment(io.env, payloadOf(io.env), { cwd: io.cwd, tempDir: tmpdir() });
  const event = stringOption(args, 'event');
  const ref = stringOption(args, 'ref');
  const sha = stringOption(args, 'sha');
  const prText = stringOption(args, 'pr');
  const branch = stringOption(args, 'branch');
  if (ref !== undefined && !/^refs\/(heads|tags|pull)\/./.test(ref))
    throw new UserError(`--ref: expected refs/heads/BRANCH, refs/tags/TAG or refs/pull/N/merge, got \`${ref}\``);
  if (sha !== undefined && !/^[0-9a-f]{7,64}$/.test(sha)) throw new UserError(`--sha: expected a hex commit id, got \`${sha}\``);
  const pr = prText === undefined ? undefined : Number(prText);
  if (pr !== undefined && !(Number.isInteger(pr) && pr > 0)) throw new UserError(`--pr: expected a pull request number, got \`${prText}\``);
  if (branch !== undefined && !branch.trim()) throw new UserError('--branch: expected a branch name');

  if (branch) context.defaultBranch = branch;
  context.defaultBranch ??= 'main';
  if (event) context.eventName = event;
  if (ref) context.ref = ref;
  if (sha) context.sha = sha;
  if (pr !== undefined) {
    context.eventName = event ?? 'pull_request';
    context.ref = ref ?? `refs/pull/${pr}/merge`;
    // A local pull request is one from this repository.
    context.repository ??= 'local/repository';
    context.pullRequest = { number: pr, headSha: sha ?? context.pullRequest?.headSha, headRepository: context.repository };
  }
  // A plain local run: a push to the default branch.
  context.eventName ??= 'push';
  context.ref ??= `refs/heads/${context.defaultBranch}`;
  return context;
}

/**
 * The tagging options of `plan` and `run`: the run context, today's date, the registry settings
 * when a registry is given, and the --tags rules. The commit defaults to the checkout's HEAD.
 */
export async function tagRunFromArgs(
  args: ParsedArgs,
  io: Pick<CliIO, 'env' | 'cwd'>,
  root: string,
  target?: { registry?: string; prefix?: string },
): Promise<TaggingOptions> {
  const run = runContextFromArgs(args, io);
  const head = run.sha && (!run.pullRequest || run.pullRequest.headSha) ? undefined : await headSha(root).catch(() => undefined);
  if (!run.sha) run.sha = head;
  if (run.pullRequest && !run.pullRequest.headSha) run.pullRequest.headSha = head;
  const registry = target?.registry ?? stringOption(args, 'registry');
  return {
    run,
    date: new Date(),
    mode: parseTagMode(stringOption(args, 'tag-mode'), '--tag-mode'),
    ...(registry
      ? { target: { registry: normalizeRegistry(registry), prefix: target?.prefix ?? imagePrefixOption(args) ?? 'hephy' } }
      : {}),
    perArchTags: Boolean(args.values['per-arch-tags']),
    rules: parseInputRules(stringOption(args, 'tags'), '--tags'),
  };
}
