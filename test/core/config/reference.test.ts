import { readFileSync, writeFileSync } from 'node:fs';
import { REFERENCE_END, REFERENCE_START, renderConfigReference } from '../../../src/core/config/reference.js';
import { NESTED_KEYS, TOP_LEVEL_KEYS } from '../../../src/core/config/schema.js';

describe('config reference', () => {
  it('lists every key of the schema', () => {
    const table = renderConfigReference();
    for (const key of TOP_LEVEL_KEYS) expect(table).toContain(`| \`${key}\` |`);
    for (const [section, keys] of Object.entries(NESTED_KEYS)) for (const key of keys) expect(table).toContain(`| \`${section}.${key}\` |`);
  });

  it('is the one in the README (UPDATE_README=1 rewrites it)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf(REFERENCE_START);
    const end = readme.indexOf(REFERENCE_END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const fresh = `${REFERENCE_START}\n${renderConfigReference()}\n${REFERENCE_END}`;
    if (process.env.UPDATE_README === '1')
      writeFileSync('README.md', readme.slice(0, start) + fresh + readme.slice(end + REFERENCE_END.length));
    else expect(readme.slice(start, end + REFERENCE_END.length)).toBe(fresh);
  });
});
