import { isAttachmentFile, pinSpdxCreated, sbomFileName, sbomNeedsSyft, secretsIn, spdxDate } from '../../src/core/sbom.js';

describe('core/sbom', () => {
  it('names the SBOM after the leg record, and readLegRecords skips it', () => {
    expect(sbomFileName('hephy-leg-app--linux-amd64')).toBe('hephy-leg-app--linux-amd64.spdx.json');
    expect(isAttachmentFile('hephy-leg-app--linux-amd64.spdx.json')).toBe(true);
    expect(isAttachmentFile('hephy-leg-app--linux-amd64.provenance.json')).toBe(true);
    expect(isAttachmentFile('hephy-leg-app--linux-amd64.json')).toBe(false);
  });

  it('dates a document at the commit time in SPDX 2.3 §6.9 format (syft v1.57.1 writes time.Now())', () => {
    expect(spdxDate(1700000000)).toBe('2023-11-14T22:13:20Z');
    const syft = JSON.stringify({
      spdxVersion: 'SPDX-2.3',
      creationInfo: { created: '2026-11-30T20:31:36Z', creators: ['Tool: syft-v1.57.1'] },
    });
    const pinned = JSON.parse(pinSpdxCreated(syft, 1700000000, 'x'));
    expect(pinned.creationInfo).toEqual({ created: '2023-11-14T22:13:20Z', creators: ['Tool: syft-v1.57.1'] });
    // Outside git (no commit time) the tool's date stays.
    expect(JSON.parse(pinSpdxCreated(syft, undefined, 'x')).creationInfo.created).toBe('2026-11-30T20:31:36Z');
  });

  it('refuses what is not an SPDX 2 JSON document', () => {
    expect(() => pinSpdxCreated('not json', 1, 'the SBOM of syft')).toThrow(/the SBOM of syft is not JSON/);
    expect(() => pinSpdxCreated('{"bomFormat":"CycloneDX"}', 1, 'the SBOM')).toThrow(/not an SPDX 2.x JSON document/);
  });

  it('finds secret values in a document, ignoring ones too short to mean anything', () => {
    expect(secretsIn('{"x":"hunter2-pass"}', ['hunter2-pass', 'abc', 'other'])).toEqual(['hunter2-pass']);
    expect(secretsIn('{"x":"abc"}', ['abc'])).toEqual([]);
  });

  it('needs syft for every backend but ko (which writes its own), when an SBOM is asked for', () => {
    const on = { sbom: true, provenance: false, sign: 'none' as const };
    expect(['ko', 'kaniko', 'buildkit', 'spin'].map((backend) => sbomNeedsSyft({ backend, supplyChain: on }))).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect(sbomNeedsSyft({ backend: 'spin', supplyChain: { ...on, sbom: false } })).toBe(false);
    expect(sbomNeedsSyft({ backend: 'spin' })).toBe(false);
  });
});
