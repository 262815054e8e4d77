import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { checkApp } from '../../core/appCheck.js';
import { formatProblem, type Problem } from '../../core/problem.js';
import { planRepository } from '../../pipeline/planRepository.js';
import { MATRIX_JOB_LIMIT, MATRIX_WARNING_LEGS, matrixLimitProblem } from '../../core/plan.js';
import type { CommandSpec } from '../args.js';

/** Problems of one build-config.yaml: its own, then what its backend needs from the directory. */
function validateFile(file: string, shown: string): Problem[] {
  return checkApp(dirname(file), { path: file, shown }, { displayDir: dirname(shown) }).problems;
}

export const validateCommand: CommandSpec = {
  name: 'validate',
  summary: 'Check build-config.yaml files; print every problem as file:line:col',
  usage: 'hephy-builder validate [PATH...]   (files, or directories to search; default: .)',
  help: '',
  options: {},
  allowPositionals: true,
  async run(args, io) {
    const paths = args.positionals.length ? args.positionals : ['.'];
    const problems: Problem[] = [];
    let checked = 0;
    for (const path of paths) {
      const abs = resolve(io.cwd, path);
      if (!existsSync(abs)) {
        problems.push({ file: path, line: 1, column: 1, path: '', message: 'no such file or directory', severity: 'error' });
        continue;
      }
      if (statSync(abs).isDirectory()) {
        const plan = await planRepository(abs, { kind: 'all' }, { cwd: io.cwd });
        const prefix = relative(io.cwd, abs);
        checked += plan.images.length;
        if (plan.images.length === 0 && plan.problems.length === 0) {
          problems.push({
            file: path,
            line: 1,
            column: 1,
            path: '',
            message: 'no build-config.yaml found here or below',
            severity: 'error',
          });
        }
        const legs = plan.matrix.include.length;
        // Over the limit, the plan's own error says so; close to it, a warning before it bites.
        if (legs >= MATRIX_WARNING_LEGS && legs <= MATRIX_JOB_LIMIT) plan.problems.push(matrixLimitProblem(legs, 'warning'));
        problems.push(...plan.problems.map((p) => ({ ...p, file: prefix ? `${prefix}/${p.file}` : p.file })));
      } else {
        checked += 1;
        problems.push(...validateFile(abs, path));
      }
    }
    for (const problem of problems) io.err(`${formatProblem(problem)}\n`);
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors) {
      io.err(`${errors} error(s) found\n`);
      return 1;
    }
    io.out(`ok: ${checked} app(s) valid\n`);
    return 0;
  },
};
