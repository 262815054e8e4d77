// What the merge adds to a published image beyond its tags (issue 12). The plan decides it per
// image (build-config.yaml keys over the action/CLI inputs over the defaults) and the merge
// carries it out after the image published, so a failed image gets no signature or attestation.

/** The supply-chain settings of one image. */
export interface SupplyChainSettings {
  /** An SPDX SBOM per platform manifest, attached as an in-toto attestation (`cosign attest`). */
  sbom: boolean;
  /** A SLSA v1 provenance statement per platform manifest, attached as an in-toto attestation. */
  provenance: boolean;
  /**
   * How the index (and, recursively, its platform manifests) is signed: `keyless` with the
   * runner's GitHub OIDC token (Fulcio, Rekor), `key` with a cosign key pair given as a secret or
   * `--sign-key`, `none` for no signature.
   */
  sign: 'keyless' | 'key' | 'none';
}
