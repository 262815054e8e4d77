// What a label or annotation may be, wherever it comes from (build-config.yaml, an action input, a
// CLI flag, a leg record), and the OCI keys hephy-builder sets itself.
//
// Keys: the OCI image spec (annotations.md) asks for reverse-domain names (`com.example.myKey`) and
// Docker's label guidelines for alphanumerics joined by single `.` or `-`; we take that form and
// also allow `_`. Nothing else: every tool splits `KEY=VALUE` at the first `=` (ko
// pkg/commands/resolver.go, Kaniko pkg/config/args.go keyValueArg, Spin parse_kv) and buildx reads
// what comes before a `:` as the annotation's level (util/buildflags/export.go ParseAnnotations),
// so `=`, `:` and `[` can never be part of a key; a key never starts with `-`.
// Values: one line of text (no control characters), at most MAX_VALUE_LENGTH characters; they
// always travel inside one `--flag=KEY=VALUE` argument, so a value is never read as an option.
import { z } from 'zod';
import { UserError } from './problem.js';

/** The `org.opencontainers.image.*` keys (OCI image spec annotations.md, "Pre-Defined Annotation Keys"). */
export const OCI_KEYS = {
  created: 'org.opencontainers.image.created',
  revision: 'org.opencontainers.image.revision',
  version: 'org.opencontainers.image.version',
  source: 'org.opencontainers.image.source',
  url: 'org.opencontainers.image.url',
  title: 'org.opencontainers.image.title',
  description: 'org.opencontainers.image.description',
  licenses: 'org.opencontainers.image.licenses',
} as const;

/**
 * Keys a user cannot set: hephy-builder writes them from the commit it built (revision) and that
 * commit's time (created), and a label that says otherwise would misstate what the image holds.
 */
export const RESERVED_KEYS: readonly string[] = [OCI_KEYS.revision, OCI_KEYS.created];

export const MAX_KEY_LENGTH = 255;
/** A value always goes into one argv element; the kernel caps one at 128 KiB, we stay far below. */
export const MAX_VALUE_LENGTH = 4096;

const KEY = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001F\u007F]/;

const KEY_FORM = 'letters and digits joined by single . _ or -, e.g. com.example.team';

/** Why `key` is not a usable label or annotation key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'a key must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `a key is at most ${MAX_KEY_LENGTH} characters, this one has ${key.length}`;
  if (!KEY.test(key)) return `a key is ${KEY_FORM}`;
  return undefined;
}

/** Why `value` is not a usable label or annotation value, or undefined when it is. */
export function valueProblem(value: string): string | undefined {
  if (value.length > MAX_VALUE_LENGTH) return `a value is at most ${MAX_VALUE_LENGTH} characters, this one has ${value.length}`;
  if (CONTROL.test(value)) return 'a value is one line of text, without control characters';
  return undefined;
}

function reservedProblem(key: string): string | undefined {
  return RESERVED_KEYS.includes(key) ? `${key} is set by hephy-builder from the commit built; it cannot be given` : undefined;
}

const keySchema = z.string().superRefine((key, ctx) => {
  const problem = keyProblem(key);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const userKeySchema = keySchema.superRefine((key, ctx) => {
  const problem = reservedProblem(key);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const valueSchema = z.string().superRefine((value, ctx) => {
  const problem = valueProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A map of labels or annotations as the user gives it (build-config.yaml): no reserved key. */
export const userMetadataMap = z.record(userKeySchema, valueSchema);
/** A map of annotations as hephy-builder wrote it (a leg record): any valid key. */
export const metadataMap = z.record(keySchema, valueSchema);

/** A single value of ours (description, licenses) under the same rules as any value. */
export const metadataValue = valueSchema;

/**
 * `KEY=VALUE` entries (the lines of an action input, repeated CLI flags) as a map; blank entries
 * are skipped, a later entry wins over an earlier one with the same key.
 * @throws UserError naming `source` (e.g. `input labels`, `--label`) and the entry.
 */
export function parseMetadataEntries(entries: readonly string[], source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of entries) {
    const entry = raw.replace(/\r$/, '');
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    if (at < 0) throw new UserError(`${source}: expected KEY=VALUE, got \`${shortText(entry)}\``);
    const key = entry.slice(0, at).trim();
    const value = entry.slice(at + 1);
    const problem = keyProblem(key) ?? reservedProblem(key) ?? valueProblem(value);
    if (problem) throw new UserError(`${source}: ${problem} (in \`${shortText(entry)}\`)`);
    out[key] = value;
  }
  return out;
}

/** The lines of a multi-line action input, as entries for parseMetadataEntries. */
export function metadataLines(text: string): string[] {
  return text.split('\n');
}

function shortText(text: string): string {
  // eslint-disable-next-line no-control-regex -- shown escaped, never raw
  const flat = text.replace(/[\u0000-\u001F\u007F]/g, '?');
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}
