import { parsePushedDigest, parseSpinVersion, pinnedChecksum, spinArch, spinPushArgs, spinReleaseUrl } from '../../src/tools/spin.js';

describe('spin tool', () => {
  it('pins a checksum per release and arch, and says when there is none', () => {
    expect(pinnedChecksum('v3.4.0', 'amd64')).toBe('d8286b5feaa9c17eca4fd173d14cb9a4783a40bbb9c40fe8a80c33dcc19f9fd2');
    expect(() => pinnedChecksum('v9.9.9', 'amd64')).toThrow('no pinned checksum for spin v9.9.9 on amd64');
  });

  it('maps Node architectures to release names', () => {
    expect(spinArch('x64')).toBe('amd64');
    expect(spinArch('arm64')).toBe('aarch64');
    expect(() => spinArch('riscv64')).toThrow('(riscv64)');
    expect(spinReleaseUrl('v3.4.0', 'amd64')).toBe(
      'https://github.com/spinframework/spin/releases/download/v3.4.0/spin-v3.4.0-linux-amd64.tar.gz',
    );
  });

  it('reads the version and the pushed digest from Spin output', () => {
    expect(parseSpinVersion('spin 3.4.0 (1a2b3c4 2025-09-01)\n')).toBe('3.4.0');
    const digest = `sha256:${'d'.repeat(64)}`;
    expect(parsePushedDigest(`Pushing app to the Registry...\nPushed with digest ${digest}\n`)).toBe(digest);
    expect(parsePushedDigest('Pushed; the registry did not return the digest\n')).toBeUndefined();
  });

  it('puts --insecure before the reference only for plain-http registries', () => {
    expect(spinPushArgs('spin.toml', 'r.example.com/a:t', false)).toEqual(['registry', 'push', '--from', 'spin.toml', 'r.example.com/a:t']);
    expect(spinPushArgs('spin.toml', '127.0.0.1:5000/a:t', true)).toEqual([
      'registry',
      'push',
      '--from',
      'spin.toml',
      '--insecure',
      '127.0.0.1:5000/a:t',
    ]);
  });
});
