import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkApp } from '../../core/appCheck.js';
import { CONFIG_FILE_NAME } from '../../core/config/schema.js';
import { formatProblem, UserError } from '../../core/problem.js';
import type { CommandSpec } from '../args.js';

export const detectCommand: CommandSpec = {
  name: 'detect',
  summary: 'Say which backend builds a directory, and why',
  usage: 'hephy-builder detect DIR',
  help: '',
  options: {},
  allowPositionals: true,
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UserError('detect takes exactly one directory\nusage: hephy-builder detect DIR');
    const dir = resolve(io.cwd, args.positionals[0]);
    if (!existsSync(dir)) throw new UserError(`${args.positionals[0]}: no such directory`);
    const configFile = join(dir, CONFIG_FILE_NAME);
    const shownConfig = join(args.positionals[0], CONFIG_FILE_NAME);
    const config = existsSync(configFile) ? { path: configFile, shown: shownConfig } : undefined;
    const { detection, problems } = checkApp(dir, config, { displayDir: args.positionals[0] });
    if (detection?.backend) io.out(`${detection.backend}: ${detection.reason}\n`);
    for (const problem of problems) io.err(`${formatProblem(problem)}\n`);
    return problems.some((p) => p.severity === 'error') ? 1 : 0;
  },
};
