// What the merge hands to the summary: per image its outcome and its legs' records.
import type { LegRecord } from '../model.js';
import type { LegProblem } from '../mergePlan.js';

export interface ImageOutcome {
  image: string;
  /** built: every leg built, nothing pushed (push disabled); the leg records hold their digests. */
  status: 'published' | 'built' | 'failed';
  /** Digest of the published index. */
  digest?: string;
  tags: string[];
  platforms: string[];
  failedLegs: LegProblem[];
  records: LegRecord[];
  /** Why the merge itself failed (imagetools error, missing platform in the index). */
  error?: string;
  /** Not built: its inputs were published; re-tagged from the published manifests. */
  unchanged?: boolean;
  /** The image's signature, when the merge was given a signing key and the image was published. */
  signature?: ImageSignature;
  /**
   * SBOM and provenance attestations per platform manifest: those the merge attached, or, for a
   * re-tagged unchanged image, those it found already there (pipeline/attest.ts).
   */
  attestations?: ImageAttestations;
  /**
   * What the user should know about a published image, one line each, e.g. that a re-tagged
   * unchanged image lacks an attestation its settings want (shown in the summary).
   */
  notes?: string[];
}

/** What the merge attached to one platform manifest; absent: nothing of that kind was asked for. */
export interface PlatformAttestation {
  platform: string;
  digest: string;
  sbom?: 'attested' | 'already attested';
  provenance?: 'attested' | 'already attested';
}

export interface ImageAttestations {
  platforms: PlatformAttestation[];
  durationMs: number;
  /**
   * The cosign commands that verify them: one per statement there is (attested or already
   * attested), by platform manifest digest; none for what is not there, whatever was asked.
   */
  verifyCommands?: string[];
}

/** A signature the merge made (or found) on a published image: its index, recursively. */
export interface ImageSignature {
  /** key: a private key given to the merge (`--sign-key`); keyless: the job's GitHub OIDC identity (Fulcio, Rekor). */
  method: 'key' | 'keyless';
  /** signed: this merge signed it; already signed: every manifest already verified with the key. */
  status: 'signed' | 'already signed';
  /** The cosign command that verifies it (the index; each platform manifest by its own digest). */
  verifyCommand: string;
  /** The `cosign verify-attestation` commands of the SBOM and provenance the plan asked for (attached by the merge). */
  attestationCommands?: string[];
  durationMs: number;
}

export interface RunReport {
  outcomes: ImageOutcome[];
  /** Wall time of the merge step. */
  mergeMs: number;
  /** When the merge step started (ISO 8601); absent in reports written before it was recorded. */
  startedAt?: string;
}
