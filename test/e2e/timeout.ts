// The e2e tests' timeout. jest-circus reads only the global `testTimeout` (jest-circus 30,
// jestAdapterInit: `globalConfig.testTimeout`), never a project's, so the e2e project sets it here.
// Real builds on a shared 2-core machine: a cold leg can take a minute when others build too. A
// safety net against hangs, not a speed target (those live in bench/).
import { jest } from '@jest/globals';

jest.setTimeout(10 * 60 * 1000);
