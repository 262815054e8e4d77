// The Handlebars expressions docker/metadata-action evaluates in its `tags` rules (src/meta.ts:
// setGlobalExp, procSchedule, procSemver), re-implemented for exactly the expressions it offers
// instead of compiling the template with Handlebars: a build-config.yaml is untrusted input, and a
// template compiler turns its text into code. What differs on purpose: an expression metadata-action
// does not know is an error here (Handlebars renders it empty), and a date format token outside the
// supported set is an error (moment knows more).
//
// Syntax kept from Handlebars: `{{name}}` (HTML-escaped, as Handlebars escapes it), `{{{name}}}`
// (not escaped), helper arguments as 'single' or "double" quoted strings, hash arguments
// `key='value'`, and `\{{` for a literal `{{`.

/** A value or a helper of the template's scope. Helpers get the positional and hash arguments. */
export type TemplateValue = string | number | ((args: string[], hash: Record<string, string>) => string);
export type TemplateScope = Record<string, TemplateValue>;

export class TemplateError extends Error {}

interface Mustache {
  escaped: boolean;
  name: string;
  args: string[];
  hash: Record<string, string>;
}
type Part = string | Mustache;

// Handlebars' escapeExpression (lib/handlebars/utils.js, v4.7).
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]);

const TOKEN = /\s*(?:'([^']*)'|"([^"]*)"|([A-Za-z_][\w-]*)=(?:'([^']*)'|"([^"]*)")|([A-Za-z_][\w.-]*))/y;

function parseMustache(body: string, escaped: boolean, template: string): Mustache {
  const tokens: Array<{ literal?: string; key?: string; value?: string; name?: string }> = [];
  TOKEN.lastIndex = 0;
  let rest = body;
  while (rest.trim()) {
    TOKEN.lastIndex = 0;
    const m = TOKEN.exec(rest);
    if (!m) throw new TemplateError(`cannot read \`{{${body}}}\` in \`${template}\``);
    if (m[1] !== undefined || m[2] !== undefined) tokens.push({ literal: m[1] ?? m[2] });
    else if (m[3] !== undefined) tokens.push({ key: m[3], value: m[4] ?? m[5] });
    else tokens.push({ name: m[6] });
    rest = rest.slice(m[0].length);
  }
  const [head, ...params] = tokens;
  if (!head?.name) throw new TemplateError(`\`{{${body}}}\` in \`${template}\` names no expression`);
  const args: string[] = [];
  const hash: Record<string, string> = {};
  for (const param of params) {
    if (param.literal !== undefined) args.push(param.literal);
    else if (param.key !== undefined) hash[param.key] = param.value ?? '';
    else throw new TemplateError(`\`{{${body}}}\` in \`${template}\`: arguments are quoted strings, e.g. {{date 'YYYYMMDD'}}`);
  }
  return { escaped, name: head.name, args, hash };
}

function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('\\{{', i)) {
      text += '{{';
      i += 3;
      continue;
    }
    if (!template.startsWith('{{', i)) {
      text += template[i++];
      continue;
    }
    const triple = template.startsWith('{{{', i);
    const close = template.indexOf(triple ? '}}}' : '}}', i);
    if (close < 0) throw new TemplateError(`\`${template}\` opens \`{{\` and never closes it`);
    if (text) parts.push(text);
    text = '';
    parts.push(parseMustache(template.slice(i + (triple ? 3 : 2), close), !triple, template));
    i = close + (triple ? 3 : 2);
  }
  if (text) parts.push(text);
  return parts;
}

/** True when the template is exactly `{{raw}}` (metadata-action's isRawStatement). */
export function isRawStatement(template: string): boolean {
  try {
    const parts = parseTemplate(template);
    return parts.length === 1 && typeof parts[0] !== 'string' && parts[0].name === 'raw';
  } catch {
    return false;
  }
}

/** The expressions a template uses, for checking a rule before any run. */
export function templateNames(template: string): string[] {
  return parseTemplate(template).flatMap((part) => (typeof part === 'string' ? [] : [part.name]));
}

/** Renders the template in scope. @throws TemplateError for syntax, an unknown expression or a helper's error. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return parseTemplate(template)
    .map((part) => {
      if (typeof part === 'string') return part;
      if (!Object.prototype.hasOwnProperty.call(scope, part.name)) {
        throw new TemplateError(`\`{{${part.name}}}\` is not an expression here (known: ${Object.keys(scope).join(', ')})`);
      }
      const value = scope[part.name];
      const text = typeof value === 'function' ? value(part.args, part.hash) : String(value);
      return part.escaped ? escapeHtml(text) : text;
    })
    .join('');
}

// --- dates: moment's format tokens that a tag can use (https://momentjs.com/docs/#/displaying/format/)

const DATE_TOKENS = ['YYYY', 'YY', 'MM', 'M', 'DD', 'D', 'HH', 'H', 'mm', 'm', 'ss', 's', 'SSS'] as const;
type DateToken = (typeof DATE_TOKENS)[number];

interface DateFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function fieldsIn(date: Date, timeZone: string): DateFields {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new TemplateError(`unknown time zone \`${timeZone}\` (an IANA name such as UTC or Europe/Berlin)`);
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: date.getUTCMilliseconds(),
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function tokenValue(token: DateToken, f: DateFields): string {
  switch (token) {
    case 'YYYY':
      return pad(f.year, 4);
    case 'YY':
      return pad(f.year % 100, 2);
    case 'MM':
      return pad(f.month, 2);
    case 'M':
      return String(f.month);
    case 'DD':
      return pad(f.day, 2);
    case 'D':
      return String(f.day);
    case 'HH':
      return pad(f.hour, 2);
    case 'H':
      return String(f.hour);
    case 'mm':
      return pad(f.minute, 2);
    case 'm':
      return String(f.minute);
    case 'ss':
      return pad(f.second, 2);
    case 's':
      return String(f.second);
    case 'SSS':
      return pad(f.millisecond, 3);
  }
}

/**
 * A date in a moment format: the tokens YYYY YY MM M DD D HH H mm m ss s SSS, `[literal text]`,
 * and any non-letter as it is; time zone `tz` (IANA, default UTC) as metadata-action's date helper.
 * @throws TemplateError for another letter (moment would read it as a token we do not offer).
 */
export function formatDate(date: Date, format: string, timeZone = 'UTC'): string {
  const fields = fieldsIn(date, timeZone);
  let out = '';
  let i = 0;
  while (i < format.length) {
    if (format[i] === '[') {
      const close = format.indexOf(']', i);
      if (close < 0) throw new TemplateError(`date format \`${format}\`: \`[\` without \`]\``);
      out += format.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    const token = DATE_TOKENS.find((t) => format.startsWith(t, i));
    if (token) {
      out += tokenValue(token, fields);
      i += token.length;
      continue;
    }
    if (/[A-Za-z]/.test(format[i]))
      throw new TemplateError(
        `date format \`${format}\`: \`${format[i]}\` is not a token hephy-builder offers (${DATE_TOKENS.join(' ')}; put text in [brackets])`,
      );
    out += format[i++];
  }
  return out;
}

/** metadata-action's `date`/`commit_date` helper: one format argument, an optional tz hash argument. */
export function dateHelper(date: Date, name: string): TemplateValue {
  return (args, hash) => {
    const unknown = Object.keys(hash).find((key) => key !== 'tz');
    // metadata-action: `Unknown ${key} attribute`.
    if (unknown) throw new TemplateError(`{{${name}}}: unknown ${unknown} attribute`);
    if (args.length !== 1) throw new TemplateError(`{{${name}}} takes one format, e.g. {{${name} 'YYYYMMDD'}}`);
    return formatDate(date, args[0], hash.tz ?? 'UTC');
  };
}
