// The PR comment logic against a local HTTP server standing in for the GitHub REST API: GitHub
// itself cannot be reached from here.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { commentTarget, upsertSummaryComment } from '../../src/action/prComment.js';
import { SUMMARY_MARKER } from '../../src/core/report/runSummary.js';

interface Call {
  method: string;
  url: string;
  body?: any;
  auth?: string;
}

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

function fakeGitHub(): Promise<{ server: Server; url: string; calls: Call[]; comments: Comment[] }> {
  const calls: Call[] = [];
  // A comment of someone else that quotes the marker: it must never be taken for ours.
  const comments: Comment[] = [
    { id: 1, body: 'an unrelated comment', user: { login: 'octocat', type: 'User' } },
    { id: 2, body: `${SUMMARY_MARKER}\nfake summary pasted by a user`, user: { login: 'mallory', type: 'User' } },
  ];
  const server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : undefined;
    calls.push({ method: req.method!, url: req.url!, body, auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url === '/user') {
      // An installation token (the workflow token) may not read /user; a personal token may.
      if (req.headers.authorization === 'token pat') return res.end(JSON.stringify({ login: 'octocat', type: 'User' }));
      res.statusCode = 403;
      return res.end(JSON.stringify({ message: 'Resource not accessible by integration' }));
    }
    if (req.method === 'GET' && /\/repos\/o\/r\/issues\/7\/comments/.test(req.url!)) return res.end(JSON.stringify(comments));
    if (req.method === 'POST' && req.url === '/repos/o/r/issues/7/comments') {
      const user =
        req.headers.authorization === 'token pat' ? { login: 'octocat', type: 'User' } : { login: 'github-actions[bot]', type: 'Bot' };
      const created = { id: 100 + comments.length, body: body.body, user };
      comments.push(created);
      res.statusCode = 201;
      return res.end(JSON.stringify(created));
    }
    const update = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(req.url!);
    if (req.method === 'PATCH' && update) {
      const comment = comments.find((c) => c.id === Number(update[1]))!;
      comment.body = body.body;
      return res.end(JSON.stringify(comment));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, comments });
    }),
  );
}

const prRun = (headRepository = 'o/r') => ({
  eventName: 'pull_request',
  repository: 'o/r',
  pullRequest: { number: 7, headRepository },
});

describe('PR comment (local stand-in for the GitHub API)', () => {
  it('creates the comment on the first run and updates the same one on the next', async () => {
    const gh = await fakeGitHub();
    try {
      const { target } = commentTarget(prRun(), 'tok3n');
      expect(target).toEqual({ owner: 'o', repo: 'r', number: 7 });
      expect(await upsertSummaryComment('tok3n', target!, `${SUMMARY_MARKER}\nfirst`, gh.url)).toBe('created');
      expect(await upsertSummaryComment('tok3n', target!, `${SUMMARY_MARKER}\nsecond`, gh.url)).toBe('updated');
      const ours = gh.comments.filter((c) => c.body.includes(SUMMARY_MARKER) && c.user.login === 'github-actions[bot]');
      expect(ours).toHaveLength(1);
      expect(ours[0].body).toContain('second');
      expect(gh.comments.find((c) => c.id === 2)!.body).toContain('fake summary pasted by a user');
      expect(gh.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
      expect(gh.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
      expect(gh.calls.every((c) => c.auth === 'token tok3n')).toBe(true);
    } finally {
      gh.server.close();
    }
  });

  it("with a personal token, finds the comment among that user's own, not the bot's or another user's", async () => {
    const gh = await fakeGitHub();
    try {
      const target = { owner: 'o', repo: 'r', number: 7 };
      expect(await upsertSummaryComment('pat', target, `${SUMMARY_MARKER}\nfirst`, gh.url)).toBe('created');
      expect(await upsertSummaryComment('pat', target, `${SUMMARY_MARKER}\nsecond`, gh.url)).toBe('updated');
      expect(gh.comments.filter((c) => c.user.login === 'octocat' && c.body.includes('second'))).toHaveLength(1);
      expect(gh.comments.find((c) => c.id === 2)!.body).toContain('fake summary');
    } finally {
      gh.server.close();
    }
  });

  it('makes no API call without a token, from a fork, or outside a pull request', () => {
    expect(commentTarget(prRun(), '')).toEqual({ skip: 'no token to comment with' });
    expect(commentTarget(prRun('fork/r'), 't').skip).toMatch(/fork/);
    expect(commentTarget({ eventName: 'pull_request', repository: 'o/r' }, 't').skip).toBe('the event has no pull request number');
    expect(commentTarget({ eventName: 'push', repository: 'o/r' }, 't').skip).toBe('not a pull request');
  });
});
