// build-env never carries a credential into a build argument (a user test passed
// --build-env HEPHY_REGISTRY_PASSWORD, as the error's hint said, and read the password back from
// the image): such names are refused, and the hint no longer offers them.
import {
  availableBuildEnvironment,
  buildEnvironment,
  buildEnvNames,
  isCredentialName,
  unknownVariableProblems,
} from '../../src/core/buildEnv.js';
import { UserError } from '../../src/core/problem.js';

describe('credentials never pass through build-env', () => {
  it.each([
    'HEPHY_REGISTRY_PASSWORD',
    'HEPHY_COSIGN_PASSWORD',
    'GITHUB_TOKEN',
    'INPUT_PASSWORD',
    'ACTIONS_RUNTIME_TOKEN',
    'NPM_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'STRIPE_API_KEY',
  ])('%s is refused as a name, with or without a value', (name) => {
    expect(isCredentialName(name)).toBe(true);
    expect(() => buildEnvironment([name], { [name]: 's3cret' })).toThrow(UserError);
    expect(() => buildEnvironment([`${name}=s3cret`], {})).toThrow(/looks like a credential.*secrets: key/);
    expect(() => buildEnvNames([name])).toThrow(UserError);
  });

  it('passes ordinary names, and says for a credential to use secrets:, not --build-env', () => {
    expect(buildEnvironment(['BASE_IMAGE', 'VERSION=1.2'], { BASE_IMAGE: 'reg/busybox:1' })).toEqual({
      BASE_IMAGE: 'reg/busybox:1',
      VERSION: '1.2',
    });
    expect(buildEnvNames(['BASE_IMAGE', 'KEYBOARD_LAYOUT=us'])).toEqual(['BASE_IMAGE', 'KEYBOARD_LAYOUT']);
    const [problem] = unknownVariableProblems({ build_args: ['LEAK=${HEPHY_REGISTRY_PASSWORD}'] }, 'app/build-config.yaml', undefined, []);
    expect(problem.hint).toBe(
      'a credential never goes into a build argument (it is readable in the image): use the secrets: key with BuildKit',
    );
    const [plain] = unknownVariableProblems({ build_args: ['B=${BASE_IMAGE}'] }, 'app/build-config.yaml', undefined, []);
    expect(plain.hint).toContain('--build-env BASE_IMAGE');
  });
});

describe('availableBuildEnvironment (the plan job, which may lack the build job values)', () => {
  it('leaves out a NAME entry the environment lacks, keeps NAME=VALUE and set names, refuses what buildEnvironment refuses', () => {
    expect(availableBuildEnvironment(['BASE=reg.test/b:1', 'SET', 'UNSET', '# note'], { SET: 'x' })).toEqual({
      BASE: 'reg.test/b:1',
      SET: 'x',
    });
    expect(() => availableBuildEnvironment(['GITHUB_TOKEN'], { GITHUB_TOKEN: 't' })).toThrow(/looks like a credential/);
    expect(() => availableBuildEnvironment(['-x=1'], {})).toThrow(/is not a variable name/);
  });
});
