// skopeo copies an OCI layout to a registry BY DIGEST: `docker://REPO@sha256:...` creates no tag,
// and --preserve-digests makes skopeo fail rather than convert the manifest into another digest.
// Registry auth comes from the docker config (DOCKER_CONFIG/config.json) when there is one, else
// from skopeo's own lookup (REGISTRY_AUTH_FILE, containers/auth.json, ~/.docker/config.json).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerConfigFile } from './dockerConfig.js';
import { run, type Runner } from './exec.js';
import { runPushTool, type LayoutPush, type LayoutPusher } from './layoutPush.js';

export interface SkopeoCopyOptions extends Pick<LayoutPush, 'layoutDir' | 'repository' | 'digest' | 'insecure'> {
  /** Docker config.json to read registry auth from. */
  authFile?: string;
  /** skopeo writes the digest it pushed here; it must equal `digest`. */
  digestFile: string;
}

export function skopeoCopyArgs(o: SkopeoCopyOptions): string[] {
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

/** `skopeo copy` of the layout by digest; the digest skopeo reports pushing is checked. */
export function skopeoPusher(runner: Runner = run): LayoutPusher {
  return {
    tool: 'skopeo',
    async push(request: LayoutPush) {
      const digestFile = join(request.workDir, 'pushed-digest');
      const args = skopeoCopyArgs({ ...request, authFile: dockerConfigFile(request.env), digestFile });
      const result = await runPushTool(runner, 'skopeo', args, request);
      const pushed = existsSync(digestFile) ? readFileSync(digestFile, 'utf8').trim() : '';
      if (pushed !== request.digest) {
        throw new Error(`skopeo pushed ${pushed || 'no digest'} to ${request.repository}, expected ${request.digest}`);
      }
      return result.durationMs;
    },
  };
}
