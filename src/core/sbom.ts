// The SPDX SBOM of one platform image, as a leg writes it beside its record and the merge attaches
// it (`cosign attest --type spdxjson`). Pure: the tools that write it are src/tools/ko.ts (ko's own
// `--sbom=spdx`) and src/tools/syft.ts.
//
// Reproducible where the tools allow it:
// - ko v0.19.1 writes `creationInfo.created` from the image config's creation time (the commit
//   time: SOURCE_DATE_EPOCH) and `documentNamespace` from the image digest (internal/sbom/spdx.go
//   starterDocument): the same image gives the same document.
// - syft v1.57.1 reads no SOURCE_DATE_EPOCH and has no setting for either: `created` is
//   time.Now() (syft/format/common/spdxhelpers/to_format_model.go, ToFormatModel) and the
//   namespace ends in a random UUID (syft/format/internal/spdxutil/helpers/document_namespace.go).
//   `created` is set to the commit time here (pinSpdxCreated); the namespace stays random, as SPDX
//   2.3 §6.5 wants it unique per document.

/** Whether a leg of this image makes its SBOM with syft: one is asked for, and its backend (ko) writes none itself. */
export function sbomNeedsSyft(spec: { backend: string; supplyChain?: { sbom: boolean } }): boolean {
  return Boolean(spec.supplyChain?.sbom) && spec.backend !== 'ko';
}

/** The file a leg writes its SBOM to, beside its record `<record name>.json`. */
export function sbomFileName(recordName: string): string {
  return `${recordName}.spdx.json`;
}

/** Files next to the leg records that are not records (readLegRecords skips them). */
export function isAttachmentFile(name: string): boolean {
  return name.endsWith('.spdx.json') || name.endsWith('.provenance.json');
}

/** SPDX's date format (2.3 §6.9): YYYY-MM-DDThh:mm:ssZ. */
export function spdxDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface SpdxDocument {
  spdxVersion?: unknown;
  creationInfo?: { created?: unknown };
  [key: string]: unknown;
}

/**
 * Parses an SPDX 2.x JSON document and, given the commit time, sets its creation time to it.
 * @returns the document as text (JSON, one trailing newline)
 * @throws Error when the text is not an SPDX 2.x JSON document
 */
export function pinSpdxCreated(text: string, epochSeconds: number | undefined, what: string): string {
  let doc: SpdxDocument;
  try {
    doc = JSON.parse(text) as SpdxDocument;
  } catch (error) {
    throw new Error(`${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!doc || typeof doc !== 'object' || typeof doc.spdxVersion !== 'string' || !doc.spdxVersion.startsWith('SPDX-2.'))
    throw new Error(`${what} is not an SPDX 2.x JSON document (spdxVersion: ${JSON.stringify(doc?.spdxVersion)})`);
  if (epochSeconds !== undefined) doc.creationInfo = { ...(doc.creationInfo ?? {}), created: spdxDate(epochSeconds) };
  return `${JSON.stringify(doc, null, 1)}\n`;
}

/**
 * The secrets (at least 4 characters: shorter ones match by chance) found in a document that
 * leaves the leg. An SBOM describes the image, never the leg's environment or command line, and
 * this checks it.
 */
export function secretsIn(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => secret.length >= 4 && text.includes(secret));
}
