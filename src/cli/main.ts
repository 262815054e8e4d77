// The hephy-builder CLI: a thin adapter that parses arguments and calls the core.
import { HEPHY_BUILDER_VERSION } from '../core/version.js';
import { commandHelp, parseCommandArgs, type CliIO, type CommandSpec } from './args.js';
import { UserError, formatProblem, messageOf } from '../core/problem.js';
import { commands } from './commands/index.js';

const VERSION = HEPHY_BUILDER_VERSION;

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'hephy-builder: build multi-arch container images from build-config.yaml files',
    '',
    'usage: hephy-builder <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run `hephy-builder <command> --help` for a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const spec: CommandSpec | undefined = commands.find((c) => c.name === name);
  if (!spec) {
    io.err(`hephy-builder: unknown command \`${name}\`\n\n${overview()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(spec, rest);
    if (args.values.help) {
      io.out(commandHelp(spec));
      return 0;
    }
    return await spec.run(args, io);
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIO): number {
  if (error instanceof UserError) {
    for (const problem of error.problems) io.err(`${formatProblem(problem)}\n`);
    io.err(`hephy-builder: ${error.message}\n`);
    return 1;
  }
  // Anything else is our bug, not the user's: say so briefly; the stack only on request.
  const message = messageOf(error);
  io.err(`hephy-builder: internal error: ${message}\n`);
  if (process.env.HEPHY_DEBUG && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return 70;
}

const isEntry = process.argv[1] && /hephy-builder(\.js)?$|dist\/cli\/index\.js$/.test(process.argv[1]);
if (isEntry || process.env.HEPHY_CLI_ENTRY === '1') {
  const io: CliIO = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
