import { resolve } from 'node:path';
import { isLoopbackRegistry, scriptCommand } from '../../src/tools/localServices.js';

describe('isLoopbackRegistry (as containerd v2.3.3 MatchLocalhost, which BuildKit v0.32.2 uses for plain http)', () => {
  it.each(['127.0.0.1:5000', '127.0.0.1', '127.1.2.3:80', 'localhost:5000', 'localhost', '[::1]:5000', '::1', '[::1]'])(
    '%s: yes',
    (host) => {
      expect(isLoopbackRegistry(host)).toBe(true);
    },
  );

  it.each([
    'registry.example.com:5000',
    '10.0.0.1:5000',
    '127.0.0.1:',
    '127.1:5000',
    '127.000.0.1:5000',
    'LOCALHOST:5000',
    'localhost.example:5000',
    '128.0.0.1',
  ])('%s: no', (host) => {
    expect(isLoopbackRegistry(host)).toBe(false);
  });
});

describe('scriptCommand', () => {
  it("names the package's own script by its absolute path", () => {
    expect(scriptCommand('registry.sh', ['stop', '127.0.0.1:5000'])).toBe(`bash ${resolve('scripts/registry.sh')} stop 127.0.0.1:5000`);
  });
});
