// The one tag a leg may push when its tool cannot push by digest alone (Spin always; Kaniko
// without skopeo). It is per leg, overwritten by the leg's next run, and never a tag users pull:
// the merge publishes the real tags on the digest the leg recorded.
export const SCRATCH_TAG_PREFIX = 'hephy-leg-';

/** `hephy-leg-<leg id>`, within the 128 characters a tag may have. */
export function scratchTag(legId: string): string {
  return `${SCRATCH_TAG_PREFIX}${legId.replace(/[^A-Za-z0-9_.-]/g, '-')}`.slice(0, 128);
}
