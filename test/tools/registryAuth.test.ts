import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/core/problem.js';
import { maskSecrets } from '../../src/tools/exec.js';
import { normalizeRegistry, registrySecrets, withRegistryAuth, writeDockerConfig } from '../../src/tools/registryAuth.js';

const creds = { registry: 'https://Registry.Example.com:5443/team/app', username: 'robot', password: 'pa55:w0rd/SECRET' };
const encoded = Buffer.from('robot:pa55:w0rd/SECRET').toString('base64');

describe('normalizeRegistry', () => {
  it.each([
    ['registry.example.com', 'registry.example.com'],
    ['https://registry.example.com/', 'registry.example.com'],
    ['http://127.0.0.1:5000', '127.0.0.1:5000'],
    ['Registry.Example.com:5443/team/app', 'registry.example.com:5443'],
    ['  localhost:5000  ', 'localhost:5000'],
    ['123456789012.dkr.ecr.region-1.example.com', '123456789012.dkr.ecr.region-1.example.com'],
    ['[::1]:5000', '[::1]:5000'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeRegistry(input)).toBe(expected);
  });

  it.each(['', '   ', 'https://', 'registry example.com', 'registry.example.com:port', '-bad.example.com'])(
    'rejects %j as a user error',
    (input) => {
      expect(() => normalizeRegistry(input)).toThrow(UserError);
    },
  );
});

describe('writeDockerConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'hephy-auth-')), 'docker');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('writes auths[registry].auth = base64(user:pass) in a file only its owner can read', () => {
    expect(writeDockerConfig(dir, creds)).toEqual({ DOCKER_CONFIG: dir });
    const file = join(dir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(config).toEqual({ auths: { 'registry.example.com:5443': { auth: encoded } } });
    expect(Buffer.from(config.auths['registry.example.com:5443'].auth, 'base64').toString()).toBe('robot:pa55:w0rd/SECRET');
    // Written by rename: no temporary file stays behind.
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('merges into an existing config, replacing this registry and dropping what would shadow it', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: { 'other.example.com': { auth: 'b3RoZXI6eA==' }, 'registry.example.com:5443': { auth: 'b2xkOm9sZA==' } },
        credHelpers: { 'registry.example.com:5443': 'desktop', 'third.example.com': 'ecr-login' },
        credsStore: 'desktop',
        experimental: 'enabled',
      }),
      { mode: 0o644 },
    );
    writeDockerConfig(dir, creds);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toEqual({
      auths: { 'other.example.com': { auth: 'b3RoZXI6eA==' }, 'registry.example.com:5443': { auth: encoded } },
      credHelpers: { 'third.example.com': 'ecr-login' },
      experimental: 'enabled',
    });
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a broken existing config without echoing its content', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{"auths": {"x": {"auth": "LEAKME"');
    let message = '';
    try {
      writeDockerConfig(dir, creds);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/config\.json is not valid JSON/);
    expect(message).not.toContain('LEAKME');
  });

  it('rejects empty credentials as user errors', () => {
    expect(() => writeDockerConfig(dir, { ...creds, username: '' })).toThrow(UserError);
    expect(() => writeDockerConfig(dir, { ...creds, password: '' })).toThrow(/password is empty/);
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
  });
});

describe('registrySecrets', () => {
  it('masks the password and its base64 form', () => {
    const text = `login ${creds.password} header Basic ${encoded}`;
    const masked = maskSecrets(text, registrySecrets(creds));
    expect(masked).toBe('login *** header Basic ***');
    expect(masked).not.toContain('SECRET');
  });
});

describe('withRegistryAuth', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hephy-auth-env-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('points DOCKER_CONFIG at the new dir, keeping the previous logins, plugins and builders', () => {
    const previous = join(root, 'home', '.docker');
    mkdirSync(join(previous, 'cli-plugins'), { recursive: true });
    writeFileSync(join(previous, 'config.json'), JSON.stringify({ auths: { 'base.example.com': { auth: 'Yjpi' } } }));
    const dir = join(root, 'auth');
    const env = withRegistryAuth(
      { HOME: join(root, 'home'), PATH: '/bin' },
      [creds, { registry: '127.0.0.1:5000', username: 'u', password: 'p2' }],
      dir,
    );
    expect(env).toEqual({ HOME: join(root, 'home'), PATH: '/bin', DOCKER_CONFIG: dir, BUILDX_CONFIG: join(previous, 'buildx') });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(Object.keys(config.auths).sort()).toEqual(['127.0.0.1:5000', 'base.example.com', 'registry.example.com:5443']);
    expect(lstatSync(join(dir, 'cli-plugins')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'cli-plugins'))).toBe(join(previous, 'cli-plugins'));
    // The previous config is left as it was.
    expect(readFileSync(join(previous, 'config.json'), 'utf8')).not.toContain('127.0.0.1:5000');
  });

  it('keeps an explicit DOCKER_CONFIG and BUILDX_CONFIG as the sources', () => {
    const previous = join(root, 'ci-docker');
    const dir = join(root, 'auth');
    const env = withRegistryAuth({ DOCKER_CONFIG: previous, BUILDX_CONFIG: '/opt/buildx' }, creds, dir);
    expect(env.DOCKER_CONFIG).toBe(dir);
    expect(env.BUILDX_CONFIG).toBe('/opt/buildx');
    expect(existsSync(join(dir, 'cli-plugins'))).toBe(false);
  });

  it('leaves the environment alone when there is nothing to log in to', () => {
    const env = { HOME: root };
    expect(withRegistryAuth(env, [], join(root, 'auth'))).toBe(env);
    expect(existsSync(join(root, 'auth'))).toBe(false);
  });
});
