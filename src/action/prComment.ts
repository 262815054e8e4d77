// One summary comment per pull request, found again by its hidden marker and updated in place.
// Forks and runs without a token get the job summary only: no API call at all.
import * as github from '@actions/github';
import { SUMMARY_MARKER } from '../core/report/runSummary.js';
import type { EventPayload } from './event.js';

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** The PR this run comments on, or why it doesn't. */
export function commentTarget(
  eventName: string,
  payload: EventPayload,
  repository: string,
  token: string,
): { target?: PullRequestRef; skip?: string } {
  if (eventName !== 'pull_request') return { skip: 'not a pull request' };
  const pr = payload.pull_request;
  if (!pr?.number) return { skip: 'the event has no pull request number' };
  if (pr.head?.repo?.full_name && pr.head.repo.full_name !== repository)
    return { skip: 'pull request from a fork: its token cannot comment' };
  if (!token) return { skip: 'no token to comment with' };
  const [owner, repo] = repository.split('/');
  return { target: { owner, repo, number: pr.number } };
}

/** Creates or updates the summary comment; resolves to what it did. */
export async function upsertSummaryComment(token: string, target: PullRequestRef, body: string): Promise<'created' | 'updated'> {
  // GITHUB_API_URL is the API of the server this run belongs to (GitHub Enterprise too).
  const octokit = github.getOctokit(token, process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {});
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.number,
    per_page: 100,
  });
  const ours = comments.find((c) => typeof c.body === 'string' && c.body.includes(SUMMARY_MARKER));
  if (ours) {
    await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: ours.id, body });
    return 'updated';
  }
  await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.number, body });
  return 'created';
}
