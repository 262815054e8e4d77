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
