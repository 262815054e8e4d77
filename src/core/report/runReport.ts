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
}

export interface RunReport {
  outcomes: ImageOutcome[];
  /** Wall time of the merge step. */
  mergeMs: number;
  /** When the merge step started (ISO 8601); absent in reports written before it was recorded. */
  startedAt?: string;
}
