// crane pushes an OCI image layout to a registry BY DIGEST (repository@sha256:...), which creates
// no tag. It is go-containerregistry, the library ko itself uses, so it authenticates the same way
// (DOCKER_CONFIG/config.json and its credential helpers) and speaks plain http to 127.0.0.1 and
// localhost registries just as ko does.
import { run } from './exec.js';

export interface PushLayoutOptions {
  /** OCI image layout holding exactly one image (ko's --oci-layout-path). */
  layoutDir: string;
  /** Repository without tag or digest. */
  repository: string;
  /** sha256:... of the image in the layout; the push goes to repository@digest. */
  digest: string;
  /** Plain http / unverified TLS for this registry. */
  insecure: boolean;
  env: NodeJS.ProcessEnv;
  secrets?: string[];
  onLine?: (line: string) => void;
}

export function pushLayoutArgs(opts: Pick<PushLayoutOptions, 'layoutDir' | 'repository' | 'digest' | 'insecure'>): string[] {
  return ['push', ...(opts.insecure ? ['--insecure'] : []), opts.layoutDir, `${opts.repository}@${opts.digest}`];
}

/** Pushes the layout's image; resolves to the milliseconds the push took. */
export async function pushLayoutByDigest(opts: PushLayoutOptions): Promise<number> {
  const result = await run('crane', pushLayoutArgs(opts), {
    env: opts.env,
    secrets: opts.secrets,
    onLine: opts.onLine ? (_stream, line) => opts.onLine?.(line) : undefined,
  });
  const pushed = result.stdout.trim().split('\n').pop() ?? '';
  // crane prints the reference it wrote; a different digest would mean it re-encoded the image.
  if (!pushed.endsWith(`@${opts.digest}`)) {
    throw new Error(`crane push wrote ${pushed || 'nothing'}, expected ${opts.repository}@${opts.digest}`);
  }
  return result.durationMs;
}

/** `crane version` prints a bare version, e.g. v0.22.1. */
export async function craneVersion(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('crane', ['version'], { env });
  return stdout.trim();
}
