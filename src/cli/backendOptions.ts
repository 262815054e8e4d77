// The backends' per-run flags of `build` and `run` (`--kaniko-image`, `--base-image`, ...), from
// the options each backend declares in core/backendTraits.ts: a new option is a flag here
// without touching the commands.
import { BACKEND_OPTIONS, readBackendOptions, type BackendOptionKey, type BackendOptions } from '../core/backendTraits.js';
import { stringOption, type ParsedArgs } from './args.js';

export const backendOptions = Object.fromEntries(BACKEND_OPTIONS.map((option) => [option.name, { type: 'string' as const }]));

/**
 * The `--help` lines of the flags, their text starting at `column`; `help` replaces a line's text
 * where a command gives the option another default (run's base image).
 */
export function backendOptionsHelp(column: number, help: Partial<Record<BackendOptionKey, string>> = {}): string {
  return BACKEND_OPTIONS.map((option) => {
    const flag = `  --${option.name} ${option.value}`;
    return `${flag.padEnd(column - 1)} ${help[option.key] ?? option.help}`;
  }).join('\n');
}

export function backendOptionsFromArgs(args: ParsedArgs): BackendOptions {
  return readBackendOptions((name) => stringOption(args, name));
}
