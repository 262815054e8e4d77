// The plan as a document: it crosses from the plan job to the merge job as an artifact, and from
// `plan --json` to `merge --plan FILE` as a file. The schema mirrors the Plan of model.ts (the
// compiler checks that what it accepts is a Plan) and reuses the schemas of its parts: the build
// config's own, and the matrix leg's.
import { z } from 'zod';
import { BACKENDS, buildConfigSchema } from './config/schema.js';
import { parseJsonDocument } from './jsonDocument.js';
import { legSchema } from './leg.js';
import { DIGEST } from './oci.js';
import type { ImageSpec, LegInputDigest, Plan, PlanPublish, UnchangedImage, SelectionMode, SkippedDir, Source } from './model.js';
import { TAG_MODES } from './tags.js';
import type { Problem } from './problem.js';
import { FULL_OBJECT_ID } from './upstreamRef.js';
import { supplyChainSettingsSchema } from './supplyChain.js';

const selectionModeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('since'), rev: z.string().min(1) }),
  z.object({ kind: z.literal('rebuild-list'), file: z.string().min(1) }),
  z.object({ kind: z.literal('dirs'), dirs: z.array(z.string()) }),
]) satisfies z.ZodType<SelectionMode>;

const sourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local'), dir: z.string().min(1) }),
  z.object({
    kind: z.literal('upstream'),
    repo: z.string().min(1),
    ref: z.string().min(1),
    commit: z.string().regex(FULL_OBJECT_ID).optional(),
  }),
]) satisfies z.ZodType<Source>;

const imageSpecSchema = z.object({
  image: z.string().min(1),
  dir: z.string().min(1),
  configFile: z.string().min(1).optional(),
  config: buildConfigSchema,
  backend: z.enum(BACKENDS),
  backendReason: z.string(),
  platforms: z.array(z.string().min(1)),
  source: sourceSchema,
  additionalTags: z.array(z.string().min(1)),
  tags: z.array(z.string().min(1)),
  version: z.string().min(1).optional(),
  supplyChain: supplyChainSettingsSchema.optional(),
  entryName: z.string().min(1).optional(),
  needs: z.array(z.object({ name: z.string().min(1), image: z.string().min(1) })).optional(),
  wave: z.number().int().min(1).optional(),
}) satisfies z.ZodType<ImageSpec>;

const publishSchema = z.object({
  mode: z.enum(TAG_MODES),
  registry: z.string().min(1).optional(),
  prefix: z.string().optional(),
  perArchTags: z.boolean(),
  run: z.string(),
  push: z.boolean(),
  pushWhy: z.string().optional(),
  recordInputs: z.boolean().optional(),
}) satisfies z.ZodType<PlanPublish>;

const skippedDirSchema = z.object({ dir: z.string(), reason: z.string() }) satisfies z.ZodType<SkippedDir>;

const problemSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  path: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  severity: z.enum(['error', 'warning']),
}) satisfies z.ZodType<Problem>;

const legInputDigestSchema = z.object({
  legId: z.string().min(1),
  digest: z.string().regex(DIGEST).optional(),
  reason: z.string().optional(),
  files: z.number().int().nonnegative().optional(),
  baseImages: z.record(z.string(), z.string()).optional(),
}) satisfies z.ZodType<LegInputDigest>;

const unchangedImageSchema = z.object({
  image: z.string().min(1),
  dir: z.string().min(1),
  tags: z.array(z.string().min(1)),
  index: z.string().regex(DIGEST).optional(),
  platforms: z.array(z.object({ platform: z.string().min(1), digest: z.string().regex(DIGEST), inputDigest: z.string().regex(DIGEST) })),
  supplyChain: supplyChainSettingsSchema.optional(),
}) satisfies z.ZodType<UnchangedImage>;

export const planSchema = z.object({
  mode: selectionModeSchema,
  images: z.array(imageSpecSchema),
  matrix: z.object({ include: z.array(legSchema) }),
  skipped: z.array(skippedDirSchema),
  problems: z.array(problemSchema),
  publish: publishSchema,
  inputDigests: z.array(legInputDigestSchema).optional(),
  unchanged: z.array(unchangedImageSchema).optional(),
}) satisfies z.ZodType<Plan>;

/**
 * A plan as `plan --json` prints it and the plan job saves it.
 * @throws UserError naming `source` and the first problem (src/core/jsonDocument.ts).
 */
export function parsePlan(text: string, source: string, hint?: string): Plan {
  return parseJsonDocument(text, planSchema, source, 'plan', hint);
}
