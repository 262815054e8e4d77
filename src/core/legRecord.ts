// Leg records travel between jobs as files (artifacts on runners, a directory locally), so the
// merge validates every record it reads instead of trusting it.
import { z } from 'zod';
import { BACKENDS } from './config/schema.js';
import type { Leg, LegRecord } from './model.js';
import { parseJsonDocument } from './jsonDocument.js';
import { runnerSchema } from './leg.js';
import { DIGEST } from './oci.js';
import { metadataMap } from './annotations.js';

const durations = z.object({
  setup: z.number(),
  build: z.number(),
  push: z.number(),
  total: z.number(),
  /** The architecture check of the built image (part of build); absent when it did not run. */
  verify: z.number().optional(),
  /** Writing the SBOM (pipeline/legSbom.ts), after the push. */
  sbom: z.number().optional(),
});

export const legRecordSchema = z.object({
  schema: z.literal(1),
  legId: z.string().min(1),
  image: z.string().min(1),
  dir: z.string(),
  platform: z.string().min(1),
  backend: z.enum(BACKENDS),
  runner: runnerSchema,
  wave: z.number().int().min(1).optional(),
  repository: z.string().optional(),
  digest: z.string().regex(DIGEST).optional(),
  compressedSize: z.number().int().nonnegative().optional(),
  pushed: z.boolean().optional(),
  durationsMs: durations,
  sourceCommit: z.string().optional(),
  // Checked like any user map: the merge passes them to imagetools as arguments.
  annotations: metadataMap.optional(),
  // A file name only (no directory): the merge looks for it beside the record.
  sbom: z
    .object({
      file: z.string().regex(/^[A-Za-z0-9_.-]+\.spdx\.json$/),
      tool: z.string().max(100),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
  index: z.string().regex(DIGEST).optional(),
  // A directory name only: where it is found is the reader's (the run's own directories).
  layout: z
    .string()
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/)
    .optional(),
  status: z.enum(['success', 'failure']),
  error: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
}) satisfies z.ZodType<LegRecord>;

/** The file (and artifact) name of a leg's record. Leg ids are already artifact-name safe. */
export function legRecordName(legId: string, scope = ''): string {
  return scope ? `hephy-${scope}-leg-${legId}` : `hephy-leg-${legId}`;
}

/**
 * The name of the OCI layout a leg built without pushing keeps for the images built on it (issue
 * 14): the directory it is kept in, and, on runners, the artifact that carries it to the next
 * wave (unique per run and leg, as the record's; it never starts with the records' prefix).
 */
export function layoutName(legId: string, scope = ''): string {
  return scope ? `hephy-${scope}-layout-${legId}` : `hephy-layout-${legId}`;
}

/**
 * The artifact scope of one call of the reusable workflow: artifact names are unique per run
 * (actions/upload-artifact v4), and a workflow that calls it twice (two roots) would otherwise
 * upload two `hephy-plan`s. Letters, digits, `_ . -`, at most 64: safe in any artifact name.
 */
export const ARTIFACT_SCOPE = /^[A-Za-z0-9_.-]{1,64}$/;

/** The plan's artifact name in a scope. */
export function planArtifactName(scope = ''): string {
  return scope ? `hephy-${scope}-plan` : 'hephy-plan';
}

/** @throws UserError naming `source` and the first problem (src/core/jsonDocument.ts). */
export function parseLegRecord(text: string, source: string): LegRecord {
  return parseJsonDocument(text, legRecordSchema, source, 'leg record');
}

type LegOutcome = Omit<LegRecord, 'schema' | 'legId' | 'image' | 'dir' | 'platform' | 'backend' | 'runner' | 'startedAt' | 'finishedAt'>;

/** A leg's record: who the leg was, when it ran (finished now), and what came of it. */
export function legRecord(leg: Leg, startedAt: Date, outcome: LegOutcome): LegRecord {
  return {
    schema: 1,
    legId: leg.id,
    image: leg.image,
    dir: leg.dir,
    platform: leg.platform,
    backend: leg.backend,
    runner: leg.runner,
    ...(leg.wave !== undefined ? { wave: leg.wave } : {}),
    ...outcome,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

/**
 * How a skipped leg's error starts: a dependant whose need failed, pushed nothing or has no leg for
 * its platform is not built (core/imageGraph.ts neededImagesFor) and fails with the reason.
 */
export const SKIPPED_PREFIX = 'skipped: ';

/** A record for a leg not built because of its needs, with the reason (failed: it moves no tag). */
export function skippedLegRecord(leg: Leg, reason: string, startedAt: Date): LegRecord {
  return failedLegRecord(leg, `${SKIPPED_PREFIX}${reason}`, startedAt, { setup: 0, build: 0, push: 0, total: 0 });
}

/** Why a leg was skipped, or undefined for a leg that ran. */
export function skipReason(record: Pick<LegRecord, 'status' | 'error'>): string | undefined {
  return record.status === 'failure' && record.error?.startsWith(SKIPPED_PREFIX) ? record.error.slice(SKIPPED_PREFIX.length) : undefined;
}

/** A record for a leg that failed before or during its build. */
export function failedLegRecord(leg: Leg, error: string, startedAt: Date, durationsMs: LegRecord['durationsMs']): LegRecord {
  return legRecord(leg, startedAt, { durationsMs, status: 'failure', error });
}
