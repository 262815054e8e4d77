// "Did you mean" hints for misspelt keys and values. Only close matches are offered: a wrong hint
// is worse than none, so the distance allowed grows slowly with the word's length.

/** Folds the spellings people reach for (buildBackend, build-backend, BUILD_BACKEND) to snake_case. */
export function normalizeKey(word: string): string {
  return word
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s.]+/g, '_')
    .toLowerCase();
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string
 * alignment), so `bulid` is as close to `build` as `buld`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) d[i][0] = i;
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

function allowedDistance(length: number): number {
  if (length <= 4) return 1;
  if (length <= 8) return 2;
  return 3;
}

// Words longer than this are not misspellings of a config key; skipping them keeps a 1 MB junk key
// from costing a 1 MB x 20 distance table.
const MAX_WORD_LENGTH = 64;

/**
 * The candidate the user most likely meant, or undefined when none is close or two are equally
 * close. Case, `-` vs `_`
 * and camelCase do not count as differences. A word that is a whole part of exactly one
 * candidate (`backend` -> `build_backend`, `dockerfile` -> `dockerfile_path`) also matches.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length === 0 || word.length > MAX_WORD_LENGTH) return undefined;
  const wanted = normalizeKey(word);
  if (wanted.length === 0) return undefined;

  let best: string | undefined;
  let bestDistance = Infinity;
  let tied = false;
  let bestNormal = '';
  for (const candidate of candidates) {
    const normal = normalizeKey(candidate);
    const distance = editDistance(wanted, normal);
    if (distance < bestDistance) {
      best = candidate;
      bestNormal = normal;
      bestDistance = distance;
      tied = false;
    } else if (distance === bestDistance && normal !== bestNormal) {
      tied = true;
    }
  }
  // Two equally close candidates (v9 is one edit from v5..v8): guessing would mislead.
  if (best !== undefined && !tied && bestDistance <= allowedDistance(wanted.length)) return best;

  if (wanted.length >= 4) {
    const containing = candidates.filter((c) => normalizeKey(c).split('_').includes(wanted));
    if (containing.length === 1) return containing[0];
  }
  return undefined;
}
