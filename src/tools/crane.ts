// crane pushes an OCI image layout to a registry BY DIGEST (repository@sha256:...), which creates
// no tag. It is go-containerregistry, the library ko itself uses, so it authenticates the same way
// (DOCKER_CONFIG/config.json and its credential helpers) and speaks plain http to 127.0.0.1 and
// localhost registries just as ko does.
import { run, type Runner } from './exec.js';
import { runPushTool, type LayoutPush, type LayoutPusher } from './layoutPush.js';

export function pushLayoutArgs(opts: Pick<LayoutPush, 'layoutDir' | 'repository' | 'digest' | 'insecure'>): string[] {
  return ['push', ...(opts.insecure ? ['--insecure'] : []), opts.layoutDir, `${opts.repository}@${opts.digest}`];
}

/** `crane push` of the layout by digest; crane prints the reference it wrote, which is checked. */
export function cranePusher(runner: Runner = run): LayoutPusher {
  return {
    tool: 'crane',
    async push(request) {
      const result = await runPushTool(runner, 'crane', pushLayoutArgs(request), request);
      const pushed = result.stdout.trim().split('\n').pop() ?? '';
      // A different digest would mean crane re-encoded the image.
      if (!pushed.endsWith(`@${request.digest}`)) {
        throw new Error(`crane push wrote ${pushed || 'nothing'}, expected ${request.repository}@${request.digest}`);
      }
      return result.durationMs;
    },
  };
}

/** `crane version` prints a bare version, e.g. v0.22.1. */
export async function craneVersion(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('crane', ['version'], { env });
  return stdout.trim();
}
