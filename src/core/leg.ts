// A matrix leg as a build job receives it (the JSON of `matrix`), checked before use: it comes
// through workflow expressions that a hand-written caller could get wrong.
import { z } from 'zod';
import { BACKENDS } from './config/schema.js';
import type { Leg } from './model.js';
import type { Runner } from './runners.js';
import { DIGEST } from './oci.js';
import { parseJsonDocument } from './jsonDocument.js';
import { UserError } from './problem.js';
import { FULL_OBJECT_ID } from './upstreamRef.js';

const label = z.string().min(1);

/** A runner as `runs-on` takes it (core/runners.ts parseRunnerMap checks the labels themselves). */
export const runnerSchema = z.union([
  label,
  z.array(label).min(1),
  z.strictObject({ group: label.optional(), labels: z.union([label, z.array(label).min(1)]).optional() }),
]) satisfies z.ZodType<Runner>;

export const legSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  image: z.string().min(1),
  dir: z.string().min(1),
  backend: z.enum(BACKENDS),
  platform: z.string().min(1),
  runner: runnerSchema,
  emulated: z.boolean(),
  upstreamCommit: z.string().regex(FULL_OBJECT_ID).optional(),
  inputDigest: z.string().regex(DIGEST).optional(),
  wave: z.number().int().min(1).optional(),
}) satisfies z.ZodType<Leg>;

const LEG_HINT = "pass a leg of the plan's matrix, e.g. leg: ${{ toJSON(matrix) }}";

export function parseLeg(text: string, source = 'leg'): Leg {
  if (!text.trim()) throw new UserError(`${source} is empty: ${LEG_HINT}`);
  return parseJsonDocument(text, legSchema, source, 'leg', LEG_HINT);
}
