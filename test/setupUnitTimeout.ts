// The unit tests' timeout (set here: jest-circus ignores a project's testTimeout, see
// test/e2e/setupTimeout.ts). Several unit tests run real git, go or the CLI; Jest's 5 s default
// failed them on a loaded 2-core machine. A safety net against hangs, not a speed target (those
// live in bench/).
import { jest } from '@jest/globals';

jest.setTimeout(60 * 1000);
