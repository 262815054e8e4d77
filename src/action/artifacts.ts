// Leg records travel from the build jobs to the merge job as workflow artifacts, one per leg,
// named after the leg id so a re-run leg replaces its own record.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import artifactClient from '@actions/artifact';
import type { LegRecord } from '../core/model.js';
import { legRecordName } from '../core/legRecord.js';

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
