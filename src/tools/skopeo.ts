// skopeo copies an OCI layout to a registry BY DIGEST: `docker://REPO@sha256:...` creates no tag,
// and --preserve-digests makes skopeo fail rather than convert the manifest into another digest.
// Registry auth comes from the docker config (DOCKER_CONFIG/config.json) when there is one, else
// from skopeo's own lookup (REGISTRY_AUTH_FILE, containers/auth.json, ~/.docker/config.json).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type RunOptions, type RunResult, type Runner } from './exec.js';

export interface PushLayoutOptions {
  /** Directory of an OCI layout holding exactly one image. */
  layoutDir: string;
  repository: string;
  digest: string;
  insecure: boolean;
  /** Docker config.json to read registry auth from. */
  authFile?: string;
  /** skopeo writes the digest it pushed here; it must equal `digest`. */
  digestFile: string;
}

export function skopeoCopyArgs(o: PushLayoutOptions): string[] {
  if (o.layoutDir.includes(':')) throw new Error(`skopeo cannot read an OCI layout from a path with ':' (${o.layoutDir})`);
  return [
    'copy',
    '--preserve-digests',
    '--retry-times=2',
    `--digestfile=${o.digestFile}`,
    ...(o.authFile ? [`--dest-authfile=${o.authFile}`] : []),
    ...(o.insecure ? ['--dest-tls-verify=false'] : []),
    `oci:${o.layoutDir}`,
    `docker://${o.repository}@${o.digest}`,
  ];
}

/** config.json of DOCKER_CONFIG (or ~/.docker), when it exists. */
export function dockerAuthFile(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.DOCKER_CONFIG || (env.HOME ? join(env.HOME, '.docker') : undefined);
  const file = dir ? join(dir, 'config.json') : undefined;
  return file && existsSync(file) ? file : undefined;
}

export async function pushLayoutByDigest(o: PushLayoutOptions, runOptions: RunOptions = {}, runner: Runner = run): Promise<RunResult> {
  const result = await runner('skopeo', skopeoCopyArgs(o), { timeoutMs: 60 * 60 * 1000, ...runOptions });
  const pushed = existsSync(o.digestFile) ? readFileSync(o.digestFile, 'utf8').trim() : '';
  if (pushed !== o.digest) {
    throw new Error(`skopeo pushed ${pushed || 'no digest'} to ${o.repository}, expected ${o.digest}`);
  }
  return result;
}
