// The merge job's keyless signer: cosign with the job's GitHub OIDC token (tools/cosign.ts), as
// the identity Fulcio will certify. Made before anything is published, so a job without
// `id-token: write` fails with that cause instead of publishing unsigned images.
import * as core from '@actions/core';
import { UserError, messageOf } from '../core/problem.js';
import type { RunContext } from '../core/runContext.js';
import { keylessIdentity } from '../core/supplyChain.js';
import { keylessEnvironmentProblem } from '../tools/cosign.js';
import { createKeylessSigner, type KeylessSigner } from '../pipeline/sign.js';
import { setupMergeTools } from './toolSetup.js';

export async function keylessSignerForJob(
  context: Pick<RunContext, 'serverUrl'>,
  session: { env: NodeJS.ProcessEnv; secrets: string[] },
  insecure: boolean,
): Promise<KeylessSigner> {
  // The runner sets these only for a job with id-token: write; the session's env may predate them.
  const env: NodeJS.ProcessEnv = {
    ...session.env,
    ACTIONS_ID_TOKEN_REQUEST_URL: process.env.ACTIONS_ID_TOKEN_REQUEST_URL,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  };
  const problem = keylessEnvironmentProblem(env);
  if (problem) throw new UserError(`the plan signs keyless, but ${problem}`);
  await setupMergeTools(['cosign'], env);
  let identity: string;
  try {
    // The same token cosign will ask for (audience sigstore): its job_workflow_ref is the identity.
    const token = await core.getIDToken('sigstore');
    core.setSecret(token);
    identity = keylessIdentity(token, context.serverUrl);
  } catch (error) {
    throw new UserError(`keyless signing: could not read the job's OIDC identity: ${messageOf(error)}`);
  }
  core.info(`signing keyless as ${identity}`);
  return createKeylessSigner({ identity, env, secrets: session.secrets, insecure });
}
