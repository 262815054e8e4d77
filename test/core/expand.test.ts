import { expandList, expandVars, UnsetVariableError } from '../../src/core/expand.js';
import { UserError } from '../../src/core/problem.js';

describe('expandVars', () => {
  const env = { VERSION: 'v1.2', EMPTY: '', REGISTRY: '127.0.0.1:5000' };

  it('replaces ${NAME} anywhere in the text, as often as it appears', () => {
    expect(expandVars('-X main.version=${VERSION} (${VERSION})', env)).toBe('-X main.version=v1.2 (v1.2)');
    expect(expandVars('BASE=${REGISTRY}/hephy/busybox:1', env)).toBe('BASE=127.0.0.1:5000/hephy/busybox:1');
  });

  it('leaves a lone $ and Go templates alone', () => {
    expect(expandVars('echo $HOME {{.Env.X}} $', env)).toBe('echo $HOME {{.Env.X}} $');
  });

  it('writes a literal ${ for $${', () => {
    expect(expandVars('$${VERSION} is ${VERSION}', env)).toBe('${VERSION} is v1.2');
  });

  it('uses the fallback of ${NAME:-fallback} when NAME is unset or empty', () => {
    expect(expandVars('${MISSING:-dev}', env)).toBe('dev');
    expect(expandVars('${EMPTY:-dev}', env)).toBe('dev');
    expect(expandVars('${VERSION:-dev}', env)).toBe('v1.2');
  });

  it('keeps an empty but set variable empty', () => {
    expect(expandVars('[${EMPTY}]', env)).toBe('[]');
  });

  it('names an unset variable', () => {
    expect(() => expandVars('x=${NOPE}', env)).toThrow(UnsetVariableError);
    expect(() => expandVars('x=${NOPE}', env)).toThrow('${NOPE} is not in the build environment');
  });

  it('rejects a reference that is not a variable name', () => {
    expect(() => expandVars('${1X}', env)).toThrow(UserError);
    expect(() => expandVars('${}', env)).toThrow('${} is not a variable reference');
  });
});

describe('expandList', () => {
  it('says which key and entry held the unset variable', () => {
    expect(() => expandList(['A=1', 'B=${NOPE}'], {}, 'build_args')).toThrow(
      'build_args[1] (B=${NOPE}): ${NOPE} is not in the build environment',
    );
  });

  it('expands every entry', () => {
    expect(expandList(['A=${X}', 'B'], { X: 'x' }, 'build_args')).toEqual(['A=x', 'B']);
  });
});
