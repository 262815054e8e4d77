// A pass-through HTTP proxy in front of act's artifact server (act v0.2.87 and v0.2.89) that
// fixes the two ways it rejects @actions/artifact 6.x, the client our action bundles:
//  1. CreateArtifact carries a `mime_type` field that act's strict protobuf JSON decoder does not
//     know ("Error decode request body: unknown field \"mime_type\""): the proxy drops it.
//  2. The Azure blob client appends to the signed upload URL after re-serialising it without the
//     base64 `=` padding of `sig`, which act then decodes strictly and answers 401: the proxy
//     pads `sig` again.
// Both are open act issues (nektos/act#6022, #6114, fixed by the unmerged PR #6115). act builds
// the signed URLs from the request's Host header, so once jobs talk to the proxy (act.sh sets
// ACTIONS_RUNTIME_URL to it), every later request comes back through it too.
//
// usage: node act-artifact-proxy.mjs LISTEN_PORT TARGET_PORT   (both on 127.0.0.1; 0 = any free port)
// Prints `listening 127.0.0.1:PORT` once ready. Stops on SIGTERM/SIGINT.
import http from 'node:http';

const [listenPort, targetPort] = process.argv.slice(2).map(Number);
if (!Number.isInteger(listenPort) || !Number.isInteger(targetPort) || targetPort <= 0) {
  process.stderr.write('usage: node act-artifact-proxy.mjs LISTEN_PORT TARGET_PORT\n');
  process.exit(2);
}

const DROPPED_FIELDS = ['mime_type', 'mimeType'];

function fixUrl(rawUrl) {
  const url = new URL(rawUrl, 'http://proxy.invalid');
  const sig = url.searchParams.get('sig');
  if (sig && sig.length % 4 !== 0) url.searchParams.set('sig', sig + '='.repeat(4 - (sig.length % 4)));
  return url.pathname + url.search;
}

function fixTwirpBody(body) {
  try {
    const json = JSON.parse(body.toString('utf8'));
    if (json && typeof json === 'object') for (const field of DROPPED_FIELDS) delete json[field];
    return Buffer.from(JSON.stringify(json));
  } catch {
    return body; // not JSON: let act answer it as it would
  }
}

function forward(req, res, body) {
  const headers = { ...req.headers };
  if (body) {
    headers['content-length'] = String(body.length);
    delete headers['transfer-encoding'];
  }
  const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: fixUrl(req.url), headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`act artifact proxy: ${error.message}\n`);
  });
  if (body) upstream.end(body);
  else req.pipe(upstream);
}

const server = http.createServer((req, res) => {
  // Twirp calls are small JSON bodies; uploads (PUT) and downloads stream through untouched.
  if (req.method === 'POST' && req.url?.startsWith('/twirp/')) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => forward(req, res, fixTwirpBody(Buffer.concat(chunks))));
  } else {
    forward(req, res, undefined);
  }
});

server.listen(listenPort, '127.0.0.1', () => {
  process.stdout.write(`listening 127.0.0.1:${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
