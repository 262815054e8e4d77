import { buildConfigJsonSchema } from '../../core/config/jsonSchema.js';
import type { CommandSpec } from '../args.js';

export const schemaCommand: CommandSpec = {
  name: 'schema',
  summary: 'Print the JSON Schema of build-config.yaml',
  usage: 'hephy-builder schema',
  help: '',
  options: {},
  allowPositionals: false,
  async run(_args, io) {
    io.out(`${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`);
    return 0;
  },
};
