import { parseCommandArgs } from '../../src/cli/args.js';
import { backendOptionsFromArgs } from '../../src/cli/backendOptions.js';
import { buildCommand } from '../../src/cli/commands/build.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { BACKEND_OPTIONS } from '../../src/core/backendTraits.js';

describe('the backends flags of build and run', () => {
  it.each([buildCommand, runCommand])('$name takes and documents every backend option', (command) => {
    for (const option of BACKEND_OPTIONS) expect(command.help).toMatch(new RegExp(`^  --${option.name} ${option.value} +\\S`, 'm'));
    const args = parseCommandArgs(command, ['--kaniko-image', 'localhost/k:1', '--base-image', 'registry.example.com/base:1']);
    expect(backendOptionsFromArgs(args)).toEqual({ kanikoImage: 'localhost/k:1', baseImage: 'registry.example.com/base:1' });
  });

  it("aligns the help's columns with the command's other flags", () => {
    expect(buildCommand.help).toContain(
      '  --kaniko-image REF      Kaniko executor image, pinned by digest (default: built from the pinned Go module)',
    );
    expect(runCommand.help).toContain("  --base-image REF      base image for ko apps (default: hephy's static base in the registry)");
  });
});
