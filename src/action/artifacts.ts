// Leg records travel from the build jobs to the merge job as workflow artifacts, one per leg,
// named after the leg id so a re-run leg replaces its own record. With push off (a pull request
// from a fork), a leg whose image others are built on also hands its OCI layout to the next wave
// as an artifact of its own (issue 14).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import artifactClient from '@actions/artifact';
import type { ImageNeed, LegRecord } from '../core/model.js';
import type { BuiltLeg } from '../core/imageGraph.js';
import { layoutName, legRecordName } from '../core/legRecord.js';
import { directoryBytes, directoryFiles, keptLayout } from '../tools/ociLayout.js';
import { messageOf } from '../core/problem.js';

export async function uploadLegRecord(record: LegRecord, dir: string, scope = ''): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const name = legRecordName(record.legId, scope);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  // The leg's SBOM (pipeline/legSbom.ts) travels in the same artifact, beside its record.
  const files = [file, ...(record.sbom ? [join(dir, record.sbom.file)] : [])];
  await artifactClient.uploadArtifact(name, files, dir, { retentionDays: 7 });
  return file;
}

/** Downloads every leg record artifact of this run and scope into dir (one subdir per artifact). */
export async function downloadLegRecords(dir: string, scope = ''): Promise<number> {
  const { artifacts } = await artifactClient.listArtifacts({ latest: true });
  const legArtifacts = artifacts.filter((a) => a.name.startsWith(legRecordName('', scope)));
  for (const artifact of legArtifacts) {
    await artifactClient.downloadArtifact(artifact.id, { path: join(dir, artifact.name) });
  }
  return legArtifacts.length;
}

/**
 * The largest OCI layout a leg hands to the next wave (bytes on disk: compressed layers, config,
 * manifests). Artifacts count against the repository's storage and each byte is uploaded once and
 * downloaded by every dependant leg; a layout above this is not uploaded, and its dependants are
 * skipped with the reason.
 */
export const LAYOUT_ARTIFACT_MAX_BYTES = 1024 ** 3;

/**
 * Uploads the OCI layout a leg built without pushing kept (record.layout, a directory under
 * layoutsRoot) as the artifact layoutName(leg id, scope): one day is enough, only the next waves
 * of this run read it. Not uploaded, with the reason, when the record names no layout, it is not
 * there, or it is larger than maxBytes.
 */
export async function uploadLayout(
  record: LegRecord,
  layoutsRoot: string,
  scope = '',
  maxBytes = LAYOUT_ARTIFACT_MAX_BYTES,
): Promise<{ uploaded: true; name: string; bytes: number } | { uploaded: false; reason: string }> {
  const dir = keptLayout(layoutsRoot, record.layout, record.digest);
  if (!dir) return { uploaded: false, reason: `no OCI layout of ${record.digest ?? 'the image'} was kept` };
  const bytes = directoryBytes(dir);
  if (bytes > maxBytes) {
    return {
      uploaded: false,
      reason: `its OCI layout is ${mebibytes(bytes)}, over the ${mebibytes(maxBytes)} an artifact for the next wave may have; push the base instead`,
    };
  }
  const name = layoutName(record.legId, scope);
  // Layers are gzip'd already: zipping them again costs time and saves nothing.
  await artifactClient.uploadArtifact(name, directoryFiles(dir), layoutsRoot, { retentionDays: 1, compressionLevel: 0 });
  return { uploaded: true, name, bytes };
}

/**
 * What a build job hands on: the OCI layout its leg kept (when the record names one), then the
 * record. A record names a layout only when the next wave can download it: a layout that was not
 * uploaded (too large, its upload failed) is dropped from the record, with a warning.
 */
export async function uploadLegOutputs(
  record: LegRecord,
  dirs: { records: string; layouts: string },
  scope: string,
  log: { info(line: string): void; warning(line: string): void },
  maxLayoutBytes = LAYOUT_ARTIFACT_MAX_BYTES,
): Promise<void> {
  if (record.layout) {
    const layout = await uploadLayout(record, dirs.layouts, scope, maxLayoutBytes).catch((error: unknown) => ({
      uploaded: false as const,
      reason: `its upload failed: ${messageOf(error)}`,
    }));
    if (layout.uploaded) log.info(`OCI layout handed to the next wave: artifact ${layout.name} (${mebibytes(layout.bytes)})`);
    else {
      log.warning(`the OCI layout of ${record.legId} is not handed to the next wave, whose legs built on it are skipped: ${layout.reason}`);
      delete record.layout;
    }
  }
  await uploadLegRecord(record, dirs.records, scope);
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * The earlier waves' records as built legs, with the OCI layouts of the ones `needs` names for
 * `platform` downloaded into dir (one subdirectory per artifact) and found there: only a layout
 * under its own artifact's directory that holds the record's digest counts (tools/ociLayout.ts
 * keptLayout). A layout whose artifact is missing is left out: the dependant is skipped.
 */
export async function withNeededLayouts(
  records: readonly LegRecord[],
  needs: readonly ImageNeed[],
  platform: string,
  dir: string,
  scope = '',
): Promise<BuiltLeg[]> {
  const out: BuiltLeg[] = [];
  for (const record of records) {
    const needed = record.platform === platform && record.pushed === false && needs.some((need) => need.image === record.image);
    if (!needed || !record.layout) {
      out.push({ ...record, layout: undefined });
      continue;
    }
    const name = layoutName(record.legId, scope);
    const root = join(dir, name);
    const found = await artifactClient.getArtifact(name).catch(() => undefined);
    if (found) await artifactClient.downloadArtifact(found.artifact.id, { path: root });
    out.push({ ...record, layout: found ? keptLayout(root, record.layout, record.digest) : undefined });
  }
  return out;
}
