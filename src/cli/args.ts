// Argument parsing for the CLI: node's parseArgs with our own error wording, so a typo in a flag
// is a one-line message with the command's usage, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/problem.js';

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Lines shown under "Options:" in --help. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals: boolean;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: spec.allowPositionals,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error);
    throw new UserError(`${why}\nusage: ${spec.usage}\nRun \`hephy-builder ${spec.name} --help\` for details.`);
  }
}

export function commandHelp(spec: CommandSpec): string {
  return `${spec.summary}\n\nusage: ${spec.usage}\n${spec.help ? `\nOptions:\n${spec.help}\n` : ''}`;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The path under the registry, one option for every command: `--image-prefix`, the name of the
 * action input `image-prefix`. `--prefix`, its earlier name in build, merge and run, is accepted
 * too (not in --help); both at once must agree.
 */
export const imagePrefixOptions = {
  'image-prefix': { type: 'string' },
  prefix: { type: 'string' },
} as const;

export function imagePrefixOption(args: ParsedArgs): string | undefined {
  const name = stringOption(args, 'image-prefix');
  const earlierName = stringOption(args, 'prefix');
  if (name !== undefined && earlierName !== undefined && name !== earlierName)
    throw new UserError(
      `--image-prefix \`${name}\` and --prefix \`${earlierName}\` are one option (--prefix is its earlier name): give it once`,
    );
  return name ?? earlierName;
}

/** Splits `a,b` and repeated flags into one list, trimming blanks. */
export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const value = args.values[name];
  if (value === undefined || typeof value === 'boolean') return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[,\n]/));
  return items.map((s) => s.trim()).filter(Boolean);
}
