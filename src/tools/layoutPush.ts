// Pushing the one image of an OCI layout to REPOSITORY@DIGEST: no tag is created or moved, and the
// registry must end up holding the very digest the build reported. Two tools can do it, crane
// (src/tools/crane.ts) and skopeo (src/tools/skopeo.ts), behind this one shape; each backend
// chooses the one that suits it (ko: crane, go-containerregistry like ko itself; kaniko: skopeo).
import { ToolError, toolRunOptions, type RunResult, type Runner, type ToolContext } from './exec.js';

export interface LayoutPush extends ToolContext {
  /** OCI image layout holding exactly one image. */
  layoutDir: string;
  /** Repository without tag or digest. */
  repository: string;
  /** sha256:... of the image in the layout; the push goes to repository@digest. */
  digest: string;
  /** Plain http / unverified TLS for this registry; registry logins come from env's docker config. */
  insecure: boolean;
  /** A directory of the leg's own where the push may leave files (skopeo's digest file). */
  workDir: string;
}

export interface LayoutPusher {
  /** The tool that pushes, e.g. crane. */
  readonly tool: string;
  /**
   * Pushes the layout's image; resolves to the milliseconds the tool ran. Rejects with one line
   * saying why (the tool's own error), or when the registry got another digest than `digest`.
   */
  push(request: LayoutPush): Promise<number>;
}

/** Pushes run for at most an hour: a hung registry connection must not hold a runner forever. */
export const PUSH_TIMEOUT_MS = 60 * 60 * 1000;

/** The last line the tool printed on stderr, without its log decoration (logrus' msg="..."). */
function lastErrorLine(error: ToolError): string {
  const last = error.stderr.trim().split('\n').pop()?.trim() ?? '';
  return last.replace(/^time=.*?msg="(.*)"$/, '$1').replace(/^Error: /, '');
}

/** A failed push as one line: `crane: cannot push REPO@DIGEST: <the tool's error>`. */
function pushFailure(tool: string, request: Pick<LayoutPush, 'repository' | 'digest'>, error: unknown): unknown {
  if (!(error instanceof ToolError)) return error;
  return new Error(`${tool}: cannot push ${request.repository}@${request.digest}: ${lastErrorLine(error) || error.message}`);
}

/**
 * Registry answers that a second push of the same content can clear: a blob another push was
 * still committing (distribution's DIGEST_INVALID / BLOB_UNKNOWN when two legs upload one layer at
 * once, as the e2e registry showed), a 5xx, a dropped connection. An auth or name error is final.
 */
export const TRANSIENT_PUSH_ERROR =
  /DIGEST_INVALID|BLOB_UNKNOWN|BLOB_UPLOAD_UNKNOWN|BLOB_UPLOAD_INVALID|\b50[0234]\b|connection reset|unexpected EOF|i\/o timeout/i;

/**
 * Runs the pushing tool with the request's env, secrets and log, bounded in time; a failure reads
 * as one line. A push by digest is idempotent, so a transient registry error (TRANSIENT_PUSH_ERROR)
 * gets one more try after `retryDelayMs`, said in the log.
 */
export async function runPushTool(
  runner: Runner,
  tool: string,
  args: string[],
  request: LayoutPush,
  retryDelayMs = 2000,
): Promise<RunResult> {
  const once = () => runner(tool, args, { ...toolRunOptions(request), timeoutMs: PUSH_TIMEOUT_MS });
  try {
    return await once();
  } catch (error) {
    const reason = error instanceof ToolError ? lastErrorLine(error) : '';
    if (!TRANSIENT_PUSH_ERROR.test(reason)) throw pushFailure(tool, request, error);
    request.onLine?.(`${tool}: the registry refused the push (${reason.slice(0, 200)}); trying once more`);
    await new Promise((done) => setTimeout(done, retryDelayMs));
    try {
      return await once();
    } catch (again) {
      throw pushFailure(tool, request, again);
    }
  }
}
