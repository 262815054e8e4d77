import { syftEnv, syftScan, syftScanArgs } from '../../src/tools/syft.js';
import { ToolError } from '../../src/tools/exec.js';

describe('tools/syft', () => {
  it('scans an OCI layout or a pushed digest into an SPDX JSON file, the source after --', () => {
    expect(
      syftScanArgs({ source: { kind: 'oci-dir', path: '/w/layout' }, outputFile: '/w/s.json', name: 'reg/app', version: 'sha256:ab' }),
    ).toEqual([
      'scan',
      '--output=spdx-json=/w/s.json',
      '--source-name=reg/app',
      '--source-version=sha256:ab',
      '--quiet',
      '--',
      'oci-dir:/w/layout',
    ]);
    expect(
      syftScanArgs({
        source: { kind: 'registry', reference: 'reg/app@sha256:ab' },
        outputFile: '/w/s.json',
        name: 'reg/app',
        version: 'sha256:ab',
      }).at(-1),
    ).toBe('registry:reg/app@sha256:ab');
  });

  it("scans a Spin app's source directory for what its lock files declare, links kept inside it, installed copies left out", () => {
    // syft v1.57.1: dir: scheme (syft/source/sourceproviders/source_providers.go); --base-path,
    // --exclude and --select-catalogers (cmd/syft/internal/options/catalog.go); link targets
    // resolved under the base (syft/internal/fileresolver/directory_indexer.go addSymlinkToIndex).
    expect(
      syftScanArgs({
        source: { kind: 'dir', path: '/repo/apps/hello', basePath: '/repo/apps/hello' },
        outputFile: '/w/s.json',
        name: 'reg/hello',
        version: 'sha256:ab',
      }),
    ).toEqual([
      'scan',
      '--output=spdx-json=/w/s.json',
      '--source-name=reg/hello',
      '--source-version=sha256:ab',
      '--base-path=/repo/apps/hello',
      '--exclude=./**/node_modules',
      '--exclude=./**/.git',
      '--select-catalogers=declared',
      '--quiet',
      '--',
      'dir:/repo/apps/hello',
    ]);
  });

  it('runs with a scrubbed environment: no registry password, no SYFT_* of the caller, no update check', () => {
    const env = syftEnv(
      { PATH: '/bin', HOME: '/h', DOCKER_CONFIG: '/d', HEPHY_REGISTRY_PASSWORD: 'pw', SYFT_OUTPUT: 'table', GITHUB_TOKEN: 't' },
      { kind: 'registry', reference: 'r@sha256:a', insecure: true },
    );
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/h',
      DOCKER_CONFIG: '/d',
      SYFT_CHECK_FOR_APP_UPDATE: 'false',
      SYFT_REGISTRY_INSECURE_USE_HTTP: 'true',
    });
  });

  it("says syft's own error in one line", async () => {
    const runner = async () => {
      throw new ToolError(
        'syft scan failed',
        'syft scan',
        1,
        '',
        '[0000] ERROR could not determine source: unable to load oci-dir: no such file',
      );
    };
    await expect(
      syftScan(
        { source: { kind: 'oci-dir', path: '/nope' }, outputFile: '/tmp/x', name: 'r', version: 'v' },
        { env: {}, cwd: '/tmp' },
        runner,
      ),
    ).rejects.toThrow('syft: ERROR could not determine source: unable to load oci-dir: no such file');
  });
});
