// Go import paths (golang.org/x/mod v0.38.0 module.CheckImportPath plus ko's relative packages),
// OCI image references (distribution/reference v0.6.0) and Dockerfile stage names (BuildKit
// v0.33.0 instructions/parse.go validStageName): values accepted by the tool are accepted here,
// and nothing that starts with `-` is.
import { importPathProblem, koImportPathProblem } from '../../../src/core/grammar/goImportPath.js';
import { imageReferenceProblem, parseImageReference } from '../../../src/core/grammar/imageReference.js';
import { stageNameProblem } from '../../../src/core/grammar/stageName.js';

describe('Go packages ko may build', () => {
  test.each(['.', './cmd/server', '../app', 'example.com/app/cmd/x', 'github.com/a/b-c.d_e~f', 'gopkg.in/yaml.v3'])('allows %s', (path) => {
    expect(koImportPathProblem(path)).toBeUndefined();
  });
  test.each([
    ['--push=true', /option/],
    ['-x', /option/],
    ['./cmd/...', /many packages/],
    ['example.com//x', /\/\//],
    ['example.com/x/', /ends with/],
    ['example.com/a b', /whitespace/],
    ['example.com/a;b', /contains `;`/],
    ['example.com/CON/x', /reserved/],
    ['example.com/x~1', /~/],
    ['./cmd/x/', /ends with/],
  ])('refuses %s', (path, why) => {
    expect(koImportPathProblem(path)).toMatch(why);
  });
  test('CheckImportPath refuses a leading dash in an element', () => {
    expect(importPathProblem('-example.com/x')).toMatch(/option/);
  });
});

describe('image references', () => {
  test.each([
    'alpine',
    'registry.example.com/base/static:1',
    '127.0.0.1:5000/team/app@sha256:' + 'a'.repeat(64),
    'localhost:5000/x:latest',
    '[::1]:5000/x',
  ])('parses %s', (ref) => {
    expect(imageReferenceProblem(ref)).toBeUndefined();
  });
  test.each([
    ['--x', /option/],
    ['-registry.example.com/x', /option/],
    ['Upper/Case', /lowercase/],
    ['a b', /whitespace/],
    ['x@sha256:abc', /expected/],
    ['x@sha256:' + 'A'.repeat(64), /64 lowercase hex/],
    ['x@md5:' + 'a'.repeat(32), /unsupported digest/],
    ['a'.repeat(64), /image ID/],
    ['x:' + 't'.repeat(129), /expected/],
  ])('refuses %s', (ref, why) => {
    expect(imageReferenceProblem(ref)).toMatch(why);
  });
  test('splits domain, path, tag and digest', () => {
    expect(parseImageReference('127.0.0.1:5000/team/app:v1')).toEqual({ domain: '127.0.0.1:5000', path: 'team/app', tag: 'v1' });
  });
});

describe('stage names', () => {
  test.each(['', 'build', 'Build-Stage', 'a.b_c-d'])('allows %j', (name) => {
    expect(stageNameProblem(name)).toBeUndefined();
  });
  test.each(['--target=x', '-x', '1stage', 'a b', 'a/b', 'a:b'])('refuses %j', (name) => {
    expect(stageNameProblem(name)).toBeDefined();
  });
});
