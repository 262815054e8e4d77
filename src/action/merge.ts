// `command: merge`: per image whose legs all succeeded, one multi-arch index under all its tags;
// then the summary (compared with the last successful default-branch run) as the job summary
// and as the one PR comment. With push off (a pull request from a fork) it publishes nothing and
// does not log in: images whose legs built are `built`, which does not fail the job.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { anyFailed, mergeImages, readLegRecords } from '../pipeline/merge.js';
import { baselineFromReport, renderRunSummaryMarkdown, type Baseline, type RunReport } from '../core/report/runSummary.js';
import { downloadLegRecords } from './artifacts.js';
import { restoreBaseline, saveBaseline } from './baseline.js';
import { readInputs } from './inputs.js';
import { loadPlan } from './planArtifact.js';
import { commentTarget, upsertSummaryComment } from './prComment.js';
import { registrySession } from './registry.js';
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

export async function runMergeCommand(context: RunContext): Promise<void> {
  const inputs = readInputs();
  const temp = context.tempDir;

  const plan = await loadPlan(context);
  const recordsDir = join(temp, 'hephy-leg-records-download');
  const count = await downloadLegRecords(recordsDir);
  const { records, problems } = readLegRecords(recordsDir);
  for (const problem of problems) core.warning(problem);
  core.info(`${count} leg record artifact(s), ${records.length} readable, for ${plan.matrix.include.length} planned leg(s)`);

  const session = registrySession(inputs, context, { login: inputs.push });
  const report = await mergeImages({
    images: plan.images,
    legs: plan.matrix.include,
    records,
    publish: session.publish,
    env: session.env,
    secrets: session.secrets,
    push: inputs.push,
    log: (line) => core.info(line),
  });

  const defaultBranch = context.defaultBranch;
  let baseline: Baseline | undefined;
  if (defaultBranch)
    baseline = await restoreBaseline(defaultBranch).catch((e) => (core.warning(`no baseline: ${messageOf(e)}`), undefined));
  const markdown = renderRunSummaryMarkdown(report, baseline);
  await core.summary.addRaw(markdown).write();
  // Also as a file, for tools (and tests) that read the summary outside the Actions UI.
  mkdirSync(join(temp, 'hephy-builder'), { recursive: true });
  writeFileSync(join(temp, 'hephy-builder', 'summary.md'), markdown);

  core.setOutput('published', JSON.stringify(publishedOutput(report)));

  const branch = branchOf(context.ref);
  // Only a run that pushed is a baseline: a build-only run has no sizes to compare with.
  if (context.eventName === 'push' && defaultBranch && branch === defaultBranch && inputs.push && !anyFailed(report)) {
    const next = baselineFromReport(report, { ref: branch, sha: context.sha, createdAt: new Date().toISOString() });
    const runKey = `${context.runId ?? Date.now()}-${context.runAttempt ?? 1}`;
    await saveBaseline(branch, next, runKey).catch((e) => core.warning(`could not save the timing baseline: ${messageOf(e)}`));
  }

  const { target, skip } = commentTarget(context, inputs.githubToken);
  if (target) {
    await upsertSummaryComment(inputs.githubToken, target, markdown, context.apiUrl)
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
