import { resolve } from 'node:path';
import { checkGenerated, writeGenerated } from '../../generator/index.js';
import { UserError } from '../../core/problem.js';
import { stringOption, type CommandSpec } from '../args.js';

export const generateCommand: CommandSpec = {
  name: 'generate',
  summary: 'Check (--check) or rewrite (--write) the workflows hephy-builder generated',
  usage: 'hephy-builder generate --check | --write [--root DIR] [--action-sha SHA --action-version V]',
  help: `  --check               exit 1 and print a diff when a generated workflow differs from what this version writes
  --write               rewrite every generated workflow in place
  --root DIR            repository root (default: .)
  --action-sha SHA      with --write, for a release (scripts/release.sh): the reusable workflow's
  --action-version V    action steps run the action at commit SHA, marked as version V`,
  options: {
    check: { type: 'boolean' },
    write: { type: 'boolean' },
    root: { type: 'string' },
    project: { type: 'boolean' },
    'action-sha': { type: 'string' },
    'action-version': { type: 'string' },
  },
  allowPositionals: false,
  async run(args, io) {
    const root = resolve(io.cwd, stringOption(args, 'root') ?? '.');
    if (Boolean(args.values.check) === Boolean(args.values.write))
      throw new UserError('say --check or --write\nusage: hephy-builder generate --check | --write [--root DIR]');
    const actionSha = stringOption(args, 'action-sha');
    const actionVersion = stringOption(args, 'action-version');
    if ((actionSha === undefined) !== (actionVersion === undefined) || (actionSha !== undefined && !args.values.write)) {
      throw new UserError('--action-sha and --action-version go together, with --write');
    }
    const release = actionSha !== undefined && actionVersion !== undefined ? { actionSha, actionVersion } : undefined;
    const noneFound = 'no generated workflow found under .github/workflows (run `hephy-builder init` first)\n';
    if (args.values.write) {
      const files = writeGenerated(root, { project: Boolean(args.values.project), release });
      // Nothing to regenerate is a mistake worth saying, as --check says it.
      if (files.length === 0) {
        io.err(noneFound);
        return 1;
      }
      for (const file of files) io.out(`${file.status.padEnd(11)} ${file.path}\n`);
      return 0;
    }
    const result = checkGenerated(root);
    if (result.checked.length === 0) {
      io.err(noneFound);
      return 1;
    }
    if (!result.ok) {
      io.err(result.diff);
      io.err('generated workflows are out of date: run `hephy-builder generate --write` (or `init --force`)\n');
      return 1;
    }
    io.out(`ok: ${result.checked.join(', ')} up to date\n`);
    return 0;
  },
};
