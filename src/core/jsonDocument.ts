// Documents that cross a job arrive as JSON another process wrote (the plan artifact, leg records,
// a matrix leg) or a user handed over (`merge --plan`): each is parsed with its zod schema, never
// cast. A bad one is one line naming the document, the field and what is wrong with it.
import type { z } from 'zod';
import { messageOf, UserError } from './problem.js';

/**
 * `text` as JSON, checked by `schema`.
 * @param source where the text came from, e.g. a file name or `input leg`.
 * @param what the kind of document, e.g. `leg record`.
 * @param hint what to do about it, appended after `; `.
 * @throws UserError `SOURCE: not a JSON WHAT (reason)` or `SOURCE: not a valid WHAT: FIELD: reason`.
 */
export function parseJsonDocument<T>(text: string, schema: z.ZodType<T>, source: string, what: string, hint?: string): T {
  const advice = hint ? `; ${hint}` : '';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${source}: not a JSON ${what} (${messageOf(error)})${advice}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UserError(`${source}: not a valid ${what}: ${first.path.join('.') || '(root)'}: ${first.message}${advice}`);
  }
  return parsed.data;
}
