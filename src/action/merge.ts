// `command: merge`: per image whose legs all succeeded, one multi-arch index under all its tags;
// then the summary (each leg against its default-branch history, the layers of images that grew
// read from the registry) as the job summary and as the one PR comment, cut to fit GitHub's
// comment limit. A default-branch run then adds its legs to the history. With push off (a pull
// request from a fork) it publishes nothing and does not log in: images whose legs built are
// `built`, which does not fail the job.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { checkPlanPublish, mergeImages, readLegRecords } from '../pipeline/merge.js';
import { pushAllowed } from './tagging.js';
import { keylessSignerForJob } from './keyless.js';
import { readLayerGrowth } from '../pipeline/layerGrowth.js';
import { compareRecords } from '../core/report/compare.js';
import { emptyHistory, mergeIntoHistory, type HistoryStore } from '../core/report/history.js';
import { renderRunComment, renderRunSummaryMarkdown, type RunReport, type SummaryOptions } from '../core/report/runSummary.js';
import { downloadLegRecords } from './artifacts.js';
import { builderOf } from '../core/provenance.js';
import { HEPHY_BUILDER_VERSION } from '../core/version.js';
import { pinnedToolVersions } from '../core/toolPins.js';
import { restoreHistory, saveHistory, type RestoredHistory } from './baseline.js';
import { readInputs } from './inputs.js';
import { loadPlan } from './planArtifact.js';
import { commentTarget, upsertSummaryComment } from './prComment.js';
import { registrySession } from './registry.js';
import { registryReader } from '../tools/registryRead.js';
import { messageOf } from '../core/problem.js';
import { branchOf, type RunContext } from '../core/runContext.js';

/**
 * The `published` output: per image its status (published, built, failed), the index digest and
 * the tags now pointing at it, and per platform the leg's digest (for `built`: as built, in no
 * registry; null when the tool knows it only by pushing).
 */
export function publishedOutput(report: RunReport): Record<string, unknown> {
  return Object.fromEntries(
    report.outcomes.map((o) => [
      o.image,
      {
        status: o.status,
        digest: o.digest ?? null,
        tags: o.tags,
        legDigests: Object.fromEntries(o.records.map((r) => [r.platform, r.digest ?? null])),
        error: o.error ?? o.failedLegs.map((l) => `${l.legId}: ${l.reason}`).join('; '),
      },
    ]),
  );
}

/** Runs whose records join the default-branch history (when they ran on the default branch). */
const DEFAULT_BRANCH_EVENTS = ['push', 'schedule', 'workflow_dispatch'];

/**
 * Whether this run adds its legs to the default-branch history: runs of the default branch only
 * (pushes, schedules and manual runs of it; never a pull request), only when they pushed (a
 * build-only run has no sizes), and only when the store was read or there is none yet: after a
 * failed read, the store saved would hold this run's legs alone and drop every other leg's. Each
 * leg that built counts, even when another image of the run failed.
 */
export function shouldSaveHistory(run: {
  eventName: string;
  defaultBranch?: string;
  branch?: string;
  push: boolean;
  restored?: RestoredHistory['status'];
}): boolean {
  return (
    DEFAULT_BRANCH_EVENTS.includes(run.eventName) &&
    run.defaultBranch !== undefined &&
    run.branch === run.defaultBranch &&
    run.push &&
    (run.restored === 'hit' || run.restored === 'miss')
  );
}

/** The run's page, where its job summaries are shown. */
function runUrl(context: RunContext): string | undefined {
  const { serverUrl, repository, runId } = context;
  return serverUrl && repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : undefined;
}

export async function runMergeCommand(context: RunContext): Promise<void> {
  const inputs = readInputs();
  const eventName = context.eventName ?? '';
  const temp = context.tempDir;

  const plan = await loadPlan(context, inputs.artifactScope);
  const recordsDir = join(temp, 'hephy-leg-records-download');
  const count = await downloadLegRecords(recordsDir, inputs.artifactScope);
  const { records, dirs, problems } = readLegRecords(recordsDir);
  for (const problem of problems) core.warning(problem);
  core.info(`${count} leg record artifact(s), ${records.length} readable, for ${plan.matrix.include.length} planned leg(s)`);

  const allowed = pushAllowed(inputs, context);
  const push = allowed.push && plan.publish.push;
  if (!push) core.info(`nothing is pushed: ${allowed.why ?? plan.publish.pushWhy}`);
  const session = registrySession(inputs, context, { login: push });
  checkPlanPublish(plan.publish, session.publish);
  // Keyless signatures (the plan's supplyChain.sign): the signer is made before anything publishes.
  const keyless = push && plan.images.some((spec) => spec.supplyChain?.sign === 'keyless');
  const signer = keyless ? await keylessSignerForJob(context, session, inputs.insecureRegistry) : undefined;
  const report = await mergeImages({
    signer,
    images: plan.images,
    legs: plan.matrix.include,
    records,
    publish: session.publish,
    env: session.env,
    secrets: session.secrets,
    push,
    // Selection by digest: images re-tagged, not built; records only where the plan's run may write them.
    unchanged: plan.unchanged,
    recordInputs: plan.publish.recordInputs,
    // Tags read over the registry API with the job's login (one request each, not one process).
    reader: registryReader({ env: session.env }),
    log: (line) => core.info(line),
    supplyChain: {
      specs: plan.images,
      recordDirs: dirs,
      outDir: recordsDir,
      // The reusable workflow runs this action at its own ref (GITHUB_ACTION_REF: the tag or commit of `uses:`).
      builder: builderOf(context, HEPHY_BUILDER_VERSION, process.env.GITHUB_ACTION_REF),
      tools: pinnedToolVersions(),
      inputDigests: plan.inputDigests,
      ...(context.repository
        ? { repository: { uri: `${context.serverUrl ?? 'https://github.com'}/${context.repository}`, ref: context.ref } }
        : {}),
      ...(context.runId
        ? {
            invocationId: `${context.serverUrl ?? 'https://github.com'}/${context.repository}/actions/runs/${context.runId}/attempts/${context.runAttempt ?? 1}`,
          }
        : {}),
    },
  });

  const defaultBranch = context.defaultBranch;
  let restored: RestoredHistory | undefined;
  if (defaultBranch) {
    restored = await restoreHistory(defaultBranch);
    if (restored.store) core.info(`default-branch history: ${Object.keys(restored.store.legs).length} leg(s) from ${restored.source}`);
    else if (restored.status === 'failed') core.warning(`could not read the default-branch history: ${restored.source}`);
    else core.info(`no default-branch history: ${restored.source}`);
  }
  const history: HistoryStore | undefined = restored?.store;
  const comparisons = compareRecords(
    report.outcomes.flatMap((o) => o.records),
    history,
    inputs.thresholds,
  );
  // Only pushed images can be read back; a fork's build-only run has no sizes to compare anyway.
  const growth = push
    ? await readLayerGrowth(comparisons, { env: session.env, secrets: session.secrets, log: (line) => core.info(line) })
    : [];
  const summaryOptions: SummaryOptions = { history, thresholds: inputs.thresholds, growth, fullSummaryUrl: runUrl(context) };
  const markdown = renderRunSummaryMarkdown(report, summaryOptions);
  await core.summary.addRaw(markdown).write();
  // Also as a file, for tools (and tests) that read the summary outside the Actions UI.
  mkdirSync(join(temp, 'hephy-builder'), { recursive: true });
  writeFileSync(join(temp, 'hephy-builder', 'summary.md'), markdown);

  core.setOutput('published', JSON.stringify(publishedOutput(report)));

  const branch = branchOf(context.ref);
  if (defaultBranch && shouldSaveHistory({ eventName, defaultBranch, branch, push, restored: restored?.status })) {
    const runId = context.runId;
    const next = mergeIntoHistory(
      history ?? emptyHistory(),
      report.outcomes.flatMap((o) => o.records),
      { ref: branch, sha: context.sha, runId },
    );
    const runKey = `${runId ?? Date.now()}-${context.runAttempt ?? 1}`;
    await saveHistory(defaultBranch, next, runKey)
      .then((key) => key && core.info(`default-branch history saved as ${key}`))
      .catch((e) => core.warning(`could not save the default-branch history: ${messageOf(e)}`));
  }

  const { target, skip } = commentTarget(context, inputs.githubToken);
  if (target) {
    await upsertSummaryComment(inputs.githubToken, target, renderRunComment(report, summaryOptions), context.apiUrl)
      .then((did) => core.info(`PR comment ${did}`))
      .catch((e) => core.warning(`could not comment on the pull request: ${messageOf(e)}`));
  } else {
    core.info(`no PR comment: ${skip}`);
  }

  const built = report.outcomes.filter((o) => o.status === 'built');
  if (built.length) core.notice(`${built.length} image(s) built and not pushed (push disabled): ${built.map((o) => o.image).join(', ')}`);
  const failed = report.outcomes.filter((o) => o.status === 'failed');
  if (failed.length) core.setFailed(`${failed.length} image(s) not published: ${failed.map((o) => o.image).join(', ')} (see the summary)`);
}
