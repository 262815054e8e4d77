// The action reads every backend option (core/backendTraits.ts) as the input of the same name,
// the way the runner passes inputs: INPUT_<NAME> in the environment (@actions/core getInput).
import { readInputs } from '../../src/action/inputs.js';
import { BACKEND_OPTIONS } from '../../src/core/backendTraits.js';

const inputVariable = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

describe('the action inputs of the backends', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads each declared option from its input; an empty input is unset', () => {
    for (const option of BACKEND_OPTIONS) process.env[inputVariable(option.name)] = `value-of-${option.name}`;
    process.env[inputVariable('base-image')] = '';
    const { backendOptions } = readInputs();
    expect(backendOptions).toEqual({ kanikoImage: 'value-of-kaniko-image' });
  });
});
