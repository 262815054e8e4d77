// `--label KEY=VALUE` and `--annotation KEY=VALUE` of `build` and `run`: the CLI's form of the
// action's `labels` and `annotations` inputs, checked by the same rules (core/annotations.ts), and
// the run's part of every image's metadata (core/imageMetadata.ts) from the local checkout.
import { resolve } from 'node:path';
import { parseMetadataEntries } from '../core/annotations.js';
import { runMetadata, type RunMetadata } from '../core/imageMetadata.js';
import { originUrl } from '../tools/git.js';
import type { CliIO, ParsedArgs } from './args.js';

export const metadataOptions = {
  label: { type: 'string', multiple: true },
  annotation: { type: 'string', multiple: true },
} as const;

export function metadataHelp(column: number): string {
  const line = (flag: string, text: string) => `  ${flag.padEnd(column - 3)} ${text}`;
  return [
    line('--label KEY=VALUE', 'a label of every image config (repeatable); wins over build-config.yaml labels'),
    line('--annotation KEY=VALUE', 'an annotation of every manifest and index (repeatable); wins over the config'),
  ].join('\n');
}

function entries(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/**
 * The run's metadata of a local command: the flags, and `source`/`url` from the checkout's origin
 * remote made a web address without credentials (none for a local path).
 * @throws UserError for a bad flag value.
 */
export async function runMetadataFromArgs(args: ParsedArgs, io: Pick<CliIO, 'cwd'>, root: string): Promise<RunMetadata> {
  const user = {
    labels: parseMetadataEntries(entries(args, 'label'), '--label'),
    annotations: parseMetadataEntries(entries(args, 'annotation'), '--annotation'),
  };
  return runMetadata({}, user, await originUrl(resolve(io.cwd, root)));
}
