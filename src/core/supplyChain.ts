// What the merge adds to a published image beyond its tags (issue 12). The plan decides it per
// image (build-config.yaml keys over the action/CLI inputs over the defaults) and the merge
// carries it out after the image published, so a failed image gets no signature or attestation.
import { z } from 'zod';

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
  /**
   * BuildKit legs only: BuildKit's own provenance attestation in the pushed index (an
   * `unknown/unknown` attestation manifest beside the image, BuildKit docs "Provenance
   * attestations"), besides the signed SLSA statement the merge attaches. Absent: off.
   */
  buildkitAttestations?: boolean;
}

export const SIGN_MODES = ['keyless', 'key', 'none'] as const satisfies readonly SupplyChainSettings['sign'][];

/** The settings as the plan document carries them (core/planSchema.ts). */
export const supplyChainSettingsSchema = z.object({
  sbom: z.boolean(),
  provenance: z.boolean(),
  sign: z.enum(SIGN_MODES),
  buildkitAttestations: z.boolean().optional(),
}) satisfies z.ZodType<SupplyChainSettings>;
