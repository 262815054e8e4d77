// A matrix leg as a build job receives it (the JSON of `matrix`), checked before use: it comes
// through workflow expressions that a hand-written caller could get wrong.
import { z } from 'zod';
import { BACKENDS } from './config/schema.js';
import type { Leg } from './model.js';
import { UserError } from './problem.js';

const legSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  image: z.string().min(1),
  dir: z.string().min(1),
  backend: z.enum(BACKENDS),
  platform: z.string().min(1),
  runner: z.string(),
  emulated: z.boolean(),
}) satisfies z.ZodType<Leg>;

export function parseLeg(text: string, source = 'leg'): Leg {
  if (!text.trim()) throw new UserError(`${source} is empty: pass the matrix leg, e.g. leg: \${{ toJSON(matrix) }}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`${source} is not JSON: pass the matrix leg, e.g. leg: \${{ toJSON(matrix) }}`);
  }
  const parsed = legSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}; expected a leg of the plan's matrix`);
  }
  return parsed.data;
}
