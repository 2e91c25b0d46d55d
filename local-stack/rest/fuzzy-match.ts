/** Edit distance between two strings (insertions, deletions, substitutions). */
function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The lowest similarity PostgREST's fuzzy search (the `fuzzyset` library's default) still suggests. */
const MIN_SIMILARITY = 0.33;

/**
 * The candidate most like `name`, for PostgREST's "Perhaps you meant …" hints: similarity is
 * 1 − edit distance / longer length, as the fuzzy set PostgREST uses ranks its matches; none
 * below a third. An exact match is not a suggestion.
 */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = MIN_SIMILARITY;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const score = 1 - levenshtein(name, candidate) / Math.max(name.length, candidate.length, 1);
    if (score > bestScore || (best === undefined && score >= bestScore)) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
