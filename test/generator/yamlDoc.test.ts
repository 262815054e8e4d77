import { parse } from 'yaml';
import { note, renderYaml } from '../../src/generator/yamlDoc.js';

describe('renderYaml', () => {
  const data = {
    name: 'x',
    on: { pull_request: null, push: { branches: ['main'] } },
    permissions: note({}, { before: 'nothing by default', blank: true }),
    jobs: note(
      {
        a: note(
          {
            steps: [
              note({ uses: note('owner/repo@0123', { after: 'v1.2.3' }) }, { before: 'first step' }),
              { run: 'set -e\necho "$X"\n' },
              { if: '${{ !cancelled() }}', expr: "${{ a == 'b' }}" },
            ],
          },
          { before: 'job a\nexplained on two lines' },
        ),
      },
      { blank: true },
    ),
  };
  const text = renderYaml(data, 'header line');

  it('parses back to the plain data', () => {
    expect(parse(text)).toEqual({
      name: 'x',
      on: { pull_request: null, push: { branches: ['main'] } },
      permissions: {},
      jobs: {
        a: { steps: [{ uses: 'owner/repo@0123' }, { run: 'set -e\necho "$X"\n' }, { if: '${{ !cancelled() }}', expr: "${{ a == 'b' }}" }] },
      },
    });
  });

  it('places comments before keys and list items, after scalars, and at the top', () => {
    expect(text.startsWith('# header line\n')).toBe(true);
    expect(text).toContain('\n# nothing by default\npermissions: {}\n');
    expect(text).toContain('  # job a\n  # explained on two lines\n  a:\n');
    expect(text).toContain('      # first step\n      - uses: owner/repo@0123 # v1.2.3\n');
  });

  it('writes empty triggers bare, scripts as literal blocks, and no trailing whitespace', () => {
    expect(text).toContain('  pull_request:\n');
    expect(text).toContain('      - run: |\n          set -e\n          echo "$X"\n');
    expect(text).toContain('\n\njobs:\n');
    expect(text).not.toMatch(/[ \t]$/m);
  });

  it('refuses a trailing comment on a collection', () => {
    expect(() => renderYaml({ a: note({ b: 1 }, { after: 'x' }) })).toThrow(/scalar/);
  });
});
