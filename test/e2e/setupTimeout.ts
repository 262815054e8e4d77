// The e2e tests' timeout. jest-circus takes testTimeout from the global config only
// (jest-circus/build/jestAdapterInit.js, Jest 30: `if (globalConfig.testTimeout)`), so a
// project's `testTimeout` is ignored; each e2e test file sets it here instead. Real builds on a
// shared 2-core machine: a cold leg can take a minute when others build too. A safety net against
// hangs, not a speed target (those live in bench/).
import { jest } from '@jest/globals';

jest.setTimeout(10 * 60 * 1000);
