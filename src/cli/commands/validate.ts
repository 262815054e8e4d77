import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { checkApp } from '../../core/appCheck.js';
import { formatProblem, type Problem } from '../../core/problem.js';
import { planRepository } from '../../pipeline/planRepository.js';
import { MATRIX_JOB_LIMIT, MATRIX_WARNING_LEGS, matrixLimitProblem } from '../../core/plan.js';
import { topLevel } from '../../tools/git.js';
import type { CommandSpec } from '../args.js';

/**
 * Problems of one build-config.yaml: its own, then what its backend needs from the directory.
 * Every path it names must stay inside the git work tree holding the file, else inside the
 * file's own directory (never no check).
 */
async function validateFile(file: string, shown: string): Promise<{ problems: Problem[]; images: number }> {
  const dir = dirname(file);
  const root = (await topLevel(dir)) ?? dir;
  const checked = checkApp(dir, { path: file, shown }, { displayDir: dirname(shown), root });
  return { problems: checked.problems, images: checked.images?.length ?? 0 };
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
    // Directories (build-config.yaml files) and the images they describe: with `images:` a file has several.
    let files = 0;
    let images = 0;
    for (const path of paths) {
      const abs = resolve(io.cwd, path);
      if (!existsSync(abs)) {
        problems.push({ file: path, line: 1, column: 1, path: '', message: 'no such file or directory', severity: 'error' });
        continue;
      }
      if (statSync(abs).isDirectory()) {
        // The whole repository is planned, so a need of an image here on one elsewhere resolves;
        // only what lies in this directory is reported.
        const root = (await topLevel(abs)) ?? abs;
        const plan = await planRepository(root, { kind: 'all' }, { cwd: io.cwd });
        const under = relative(root, abs);
        const inside = (file: string) => under === '' || file === under || file.startsWith(`${under}/`);
        const planned = plan.images.filter((image) => inside(image.dir));
        const found = plan.problems.filter((problem) => inside(problem.file));
        const prefix = relative(io.cwd, root);
        files += new Set(planned.map((image) => image.dir)).size;
        images += planned.length;
        if (planned.length === 0 && found.length === 0) {
          problems.push({
            file: path,
            line: 1,
            column: 1,
            path: '',
            message: 'no build-config.yaml found here or below',
            severity: 'error',
          });
        }
        const legs = plan.matrix.include.filter((leg) => inside(leg.dir)).length;
        // Over the limit, the plan's own error says so; close to it, a warning before it bites.
        if (legs >= MATRIX_WARNING_LEGS && legs <= MATRIX_JOB_LIMIT) found.push(matrixLimitProblem(legs, 'warning'));
        problems.push(...found.map((p) => ({ ...p, file: prefix ? `${prefix}/${p.file}` : p.file })));
      } else {
        const checked = await validateFile(abs, path);
        files += 1;
        images += checked.images;
        problems.push(...checked.problems);
      }
    }
    for (const problem of problems) io.err(`${formatProblem(problem)}\n`);
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors) {
      io.err(`${errors} error(s) found\n`);
      return 1;
    }
    io.out(`ok: ${files} app(s) valid${images > files ? ` (${images} images)` : ''}\n`);
    return 0;
  },
};
