// Two projects: fast unit tests of the pure core and adapters, and end-to-end tests that drive
// real tools (registry, ko, buildkitd, kaniko) and so run one at a time.
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      setupFilesAfterEnv: ['<rootDir>/test/setupUnitTimeout.ts'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/test/e2e/'],
    },
    {
      ...common,
      displayName: 'e2e',
      // 10 minutes per test (a project's testTimeout would be ignored: see the file).
      setupFilesAfterEnv: ['<rootDir>/test/e2e/setupTimeout.ts'],
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/globalSetup.mjs',
      globalTeardown: '<rootDir>/test/e2e/globalTeardown.mjs',
    },
  ],
};
