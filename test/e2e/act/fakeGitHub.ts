// A local HTTP server standing in for the GitHub REST API's issue comments (GitHub itself cannot
// be reached from here): enough for the merge job to find, create and update its PR comment.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
  /** Who wrote it: GitHub sets `github-actions[bot]` for the workflow token's comments. */
  user: { login: string };
}

export interface FakeGitHub {
  url: string;
  /** `METHOD path` of every request, in order. */
  calls: string[];
  /** Comments per issue number. */
  comments: Map<number, FakeComment[]>;
  close(): Promise<void>;
}

export async function startFakeGitHub(repository: string): Promise<FakeGitHub> {
  const calls: string[] = [];
  const comments = new Map<number, FakeComment[]>();
  let nextId = 1000;
  const list = (issue: number) => comments.get(issue) ?? comments.set(issue, []).get(issue)!;
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const path = (req.url ?? '').split('?')[0];
    calls.push(`${req.method} ${path}`);
    res.setHeader('content-type', 'application/json');
    const send = (status: number, body: unknown) => {
      res.statusCode = status;
      res.end(JSON.stringify(body));
    };
    const issue = new RegExp(`^/repos/${repository}/issues/(\\d+)/comments$`).exec(path);
    const comment = new RegExp(`^/repos/${repository}/issues/comments/(\\d+)$`).exec(path);
    if (issue && req.method === 'GET') return send(200, list(Number(issue[1])));
    if (issue && req.method === 'POST') {
      const created = { id: nextId++, body: String(JSON.parse(raw).body), user: { login: 'github-actions[bot]' } };
      list(Number(issue[1])).push(created);
      return send(201, created);
    }
    if (comment && req.method === 'PATCH') {
      const found = [...comments.values()].flat().find((c) => c.id === Number(comment[1]));
      if (!found) return send(404, { message: 'Not Found' });
      found.body = String(JSON.parse(raw).body);
      return send(200, found);
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    comments,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
