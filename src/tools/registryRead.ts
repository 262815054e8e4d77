// Read-only registry requests the plan makes: the digest a base image reference resolves to, and
// whether a bookkeeping tag exists. Plain HTTP(S) per the OCI distribution spec (v1.1, "Pulling
// manifests": HEAD /v2/<name>/manifests/<reference>, Docker-Content-Digest), with the token flow
// registries use for anonymous and logged-in pulls (distribution docs/spec/auth/token.md: a 401
// with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`, then a GET of the realm). No
// tool runs: the plan job needs neither docker nor crane.
//
// Logins come from the docker config.json tools use (its `auths`), as ko and crane read them;
// credential helpers are not run (a registry that needs one is read anonymously, and the plan says
// so when that fails). 127.0.0.1, localhost and ::1 are spoken to over plain http, as buildx,
// crane and ko do.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { MEDIA_TYPES } from '../core/oci.js';
import { dockerConfigFile } from './dockerConfig.js';

export interface ImageReference {
  /** Registry host[:port] as requests go to it (docker.io -> registry-1.docker.io). */
  host: string;
  /** Repository path, e.g. library/busybox. */
  repository: string;
  /** Tag or digest. */
  reference: string;
}

const DOCKER_HUB = 'docker.io';

/**
 * A reference as docker reads it (distribution/reference, normalize.go): the first path component
 * is the registry when it has a `.` or `:` or is `localhost`; otherwise Docker Hub, where a
 * single name is under `library/`. No tag means `latest`.
 */
export function parseImageReference(text: string): ImageReference {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let host = DOCKER_HUB;
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    host = first;
    rest = rest.slice(slash + 1);
  }
  const colon = rest.lastIndexOf(':');
  let tag = 'latest';
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!rest || !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(rest)) {
    throw new Error(`${text} is not an image reference`);
  }
  if (host === DOCKER_HUB && !rest.includes('/')) rest = `library/${rest}`;
  return { host: host === DOCKER_HUB ? 'registry-1.docker.io' : host, repository: rest, reference: digest ?? tag };
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

export interface RegistryReadOptions {
  env?: NodeJS.ProcessEnv;
  /** Hosts spoken to over plain http besides loopback (the registry `run` was given). */
  insecureHosts?: ReadonlySet<string>;
  /** Per request, default 15 s: an unreachable registry must not hold the plan. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');

/** A registry that could not be asked (network, TLS, auth, 5xx), as opposed to "not there". */
export class RegistryUnreachable extends Error {}

function basicLogin(host: string, env: NodeJS.ProcessEnv): string | undefined {
  const file = dockerConfigFile(env);
  if (!file) return undefined;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, { auth?: string }> };
    const keys =
      host === 'registry-1.docker.io' ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io'] : [host, `https://${host}`];
    for (const key of keys) {
      const auth = config.auths?.[key]?.auth;
      if (auth) return auth;
    }
  } catch {
    // An unreadable config gives no login; the request goes anonymous.
  }
  return undefined;
}

/** The parameters of a `Bearer k="v",...` challenge. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[match[1].toLowerCase()] = match[2];
  return { scheme, params };
}

/** A client for one plan: logins and tokens are looked up once per registry and repository. */
export function registryReader(options: RegistryReadOptions = {}) {
  const env = options.env ?? process.env;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const tokens = new Map<string, Promise<string | undefined>>();

  const scheme = (host: string) => (LOOPBACK.test(host) || options.insecureHosts?.has(host) ? 'http' : 'https');

  async function request(url: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryUnreachable(`${new URL(url).host}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
  }

  async function token(ref: ImageReference, challenge: string): Promise<string | undefined> {
    const { scheme: kind, params } = parseChallenge(challenge);
    const login = basicLogin(ref.host, env);
    if (kind === 'basic') return login ? `Basic ${login}` : undefined;
    if (kind !== 'bearer' || !params.realm) return undefined;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', `repository:${ref.repository}:pull`);
    const response = await request(url.toString(), { headers: login ? { Authorization: `Basic ${login}` } : {} });
    if (!response.ok) throw new RegistryUnreachable(`${ref.host}: token request refused (HTTP ${response.status})`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const value = body.token ?? body.access_token;
    return value ? `Bearer ${value}` : undefined;
  }

  /** HEAD (or GET) of a manifest: its digest, or undefined when the registry says it does not exist. */
  async function manifestDigest(ref: ImageReference): Promise<string | undefined> {
    const url = `${scheme(ref.host)}://${ref.host}/v2/${ref.repository}/manifests/${ref.reference}`;
    const key = `${ref.host}/${ref.repository}`;
    const send = async (method: 'HEAD' | 'GET') => {
      const auth = await tokens.get(key);
      return request(url, { method, headers: { Accept: ACCEPT, ...(auth ? { Authorization: auth } : {}) } });
    };
    let response = await send('HEAD');
    if (response.status === 401) {
      const challenge = response.headers.get('www-authenticate') ?? '';
      tokens.set(key, token(ref, challenge));
      response = await send('HEAD');
    }
    if (response.status === 404) return undefined;
    if (response.status === 401 || response.status === 403) {
      throw new RegistryUnreachable(`${ref.host}/${ref.repository}: not allowed to read (HTTP ${response.status})`);
    }
    if (!response.ok) throw new RegistryUnreachable(`${ref.host}/${ref.repository}: HTTP ${response.status}`);
    const digest = response.headers.get('docker-content-digest');
    if (digest) return digest;
    // A registry that leaves the header out: the digest is that of the body (OCI distribution spec).
    const body = await (await send('GET')).arrayBuffer();
    return `sha256:${createHash('sha256').update(Buffer.from(body)).digest('hex')}`;
  }

  return {
    manifestDigest,
    /** The digest a reference names now (a digest reference: itself, no request). */
    async resolve(text: string): Promise<string> {
      const ref = parseImageReference(text);
      if (/^sha256:[a-f0-9]{64}$/.test(ref.reference)) return ref.reference;
      const digest = await manifestDigest(ref);
      if (!digest) throw new Error(`${text}: no such image`);
      return digest;
    },
  };
}

export type RegistryReader = ReturnType<typeof registryReader>;
