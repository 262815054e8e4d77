import { loadBuildConfig } from '../../src/core/config/load.js';
test('probe', () => {
  for (const f of ['test/fixtures/configs/invalid/bad-metadata.yaml', 'test/fixtures/configs/valid/labels-annotations.yaml']) {
    const r = loadBuildConfig(f);
    console.log(JSON.stringify(r.problems, null, 1), JSON.stringify(r.config));
  }
});
