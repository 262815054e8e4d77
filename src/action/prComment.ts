// One summary comment per pull request, found again by its hidden marker among the comments the
// token's own identity wrote, and updated in place: a marker pasted into someone else's comment
// never makes us edit (or fail to edit) theirs.
// Forks and runs without a token get the job summary only: no API call at all.
import * as github from '@actions/github';
import { SUMMARY_MARKER } from '../core/report/runSummary.js';
import type { RunContext } from '../core/runContext.js';

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** The PR this run comments on, or why it doesn't. */
export function commentTarget(
  context: Pick<RunContext, 'eventName' | 'repository' | 'pullRequest'>,
  token: string,
): { target?: PullRequestRef; skip?: string } {
  if (context.eventName !== 'pull_request') return { skip: 'not a pull request' };
  const pr = context.pullRequest;
  if (!pr) return { skip: 'the event has no pull request number' };
  const repository = context.repository ?? '';
  if (pr.headRepository && pr.headRepository !== repository) return { skip: 'pull request from a fork: its token cannot comment' };
  if (!token) return { skip: 'no token to comment with' };
  const [owner, repo] = repository.split('/');
  return { target: { owner, repo, number: pr.number } };
}

/**
 * The author of the comments the workflow token writes: GitHub Actions' bot. An installation token
 * cannot read GET /user ("Resource not accessible by integration"), so it is named here.
 */
export const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';

interface CommentAuthor {
  login?: string;
  type?: string;
}

/** Is this comment ours: written by the token's own identity and holding the marker? */
export function isOwnSummaryComment(comment: { body?: string | null; user?: CommentAuthor | null }, login: string): boolean {
  return comment.user?.login === login && typeof comment.body === 'string' && comment.body.includes(SUMMARY_MARKER);
}

/**
 * Creates or updates the summary comment; resolves to what it did. `apiUrl` is the REST API of the
 * server the run belongs to (GITHUB_API_URL, GitHub Enterprise too); absent: octokit's default.
 * The token's identity: GET /user for a personal token, else the workflow token's bot.
 */
export async function upsertSummaryComment(
  token: string,
  target: PullRequestRef,
  body: string,
  apiUrl?: string,
): Promise<'created' | 'updated'> {
  const octokit = github.getOctokit(token, apiUrl ? { baseUrl: apiUrl } : {});
  const login = await octokit.rest.users.getAuthenticated().then(
    (response) => response.data.login,
    () => WORKFLOW_TOKEN_LOGIN,
  );
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.number,
    per_page: 100,
  });
  const ours = comments.find((c) => isOwnSummaryComment(c, login));
  if (ours) {
    await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: ours.id, body });
    return 'updated';
  }
  await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.number, body });
  return 'created';
}
