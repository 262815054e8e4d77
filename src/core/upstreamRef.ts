// Resolving an upstream_ref to one commit at plan time, from the refs the upstream advertises
// (`git ls-remote`), so that every leg of an upstream image builds that same commit even when the
// branch moves while the legs start. The choice among advertised refs is the one `git fetch
// origin <ref>` makes, so the plan names the commit a fetch of the ref would have checked out.

/** One line of `git ls-remote`: an object id and the ref that points at it. */
export interface AdvertisedRef {
  oid: string;
  name: string;
}

/** A full object id: SHA-1 (40 hex digits) or SHA-256 (64). */
export const FULL_OBJECT_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The order in which git expands a short ref name, first match wins (git's refs.c
 * `ref_rev_parse_rules`, documented in git-rev-parse(1) "SPECIFYING REVISIONS"); `git fetch
 * origin <ref>` matches the remote's advertised refs with the same rules (remote.c
 * `find_ref_by_name_abbrev` via `refname_match`), so a tag wins over a branch of the same name.
 */
export const REF_RULES: readonly string[] = ['%s', 'refs/%s', 'refs/tags/%s', 'refs/heads/%s', 'refs/remotes/%s', 'refs/remotes/%s/HEAD'];

/** Parses `git ls-remote` output (`<oid>\t<ref>` per line); other lines are left out. */
export function parseLsRemote(text: string): AdvertisedRef[] {
  return text
    .split('\n')
    .map((line) => /^([0-9a-f]{40}|[0-9a-f]{64})\t(\S+)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, oid, name]) => ({ oid, name }));
}

/**
 * The commit (and the full ref name that gave it); or `abbreviated`: the ref is a short commit id
 * that no ref matches, which names one commit already (the leg's fetch expands it); or why the
 * ref names nothing.
 */
export type RefResolution = { ref: string; commit: string } | { abbreviated: string } | { problem: string };

/**
 * The commit `ref` names among the advertised refs: the first rule of REF_RULES that matches, an
 * annotated tag peeled to its commit (the `^{}` line ls-remote prints after it). A full object id
 * is its own answer (no lookup needed); an abbreviated one, which no ref advertises, is left to the
 * leg's fetch (it names one commit whenever it runs).
 */
export function resolveAdvertisedRef(ref: string, advertised: readonly AdvertisedRef[], repo: string): RefResolution {
  if (FULL_OBJECT_ID.test(ref)) return { ref, commit: ref };
  const byName = new Map(advertised.map((entry) => [entry.name, entry.oid]));
  for (const rule of REF_RULES) {
    const name = rule.replace('%s', ref);
    const oid = byName.get(name);
    if (oid) return { ref: name, commit: byName.get(`${name}^{}`) ?? oid };
  }
  if (/^[0-9a-f]{4,63}$/.test(ref)) return { abbreviated: ref };
  return { problem: `upstream_ref ${ref} is not a branch or tag of ${repo}` };
}
