import type { CommandSpec } from '../args.js';
import { buildCommand } from './build.js';
import { detectCommand } from './detect.js';
import { mergeCommand } from './merge.js';
import { generateCommand } from './generate.js';
import { initCommand } from './init.js';
import { planCommand } from './plan.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

export const commands: CommandSpec[] = [
  validateCommand,
  detectCommand,
  planCommand,
  schemaCommand,
  initCommand,
  generateCommand,
  buildCommand,
  mergeCommand,
  runCommand,
  verifyCommand,
];
