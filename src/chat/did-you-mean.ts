/**
 * The known word a mistyped one was most likely meant to be (`--dryrun` → `--dry-run`, `hlep` → `help`),
 * so a usage error can say what to type instead of only what was wrong. `planbot doctor` asks it about
 * every variable of the environment (often a hundred) against every setting, so a word out of reach is
 * dropped as soon as that is certain: by its length alone, or once every partial distance is too far.
 */
export function closestWord(typed: string, known: readonly string[]): string | undefined {
  const target = plain(typed);
  // A third of the word may be wrong (at least one letter): beyond that a guess misleads more than it helps.
  const allowed = Math.max(1, Math.floor(target.length / 3));
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const word of known) {
    const candidate = plain(word);
    // Each letter of difference in length is at least one edit; ties keep the earlier word.
    if (Math.abs(candidate.length - target.length) >= bestDistance) continue;
    const distance = editDistance(target, candidate, bestDistance);
    if (distance < bestDistance) {
      best = word;
      bestDistance = distance;
    }
  }
  return best;
}

/** Case, hyphens and underscores do not count as typing mistakes. */
function plain(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, "");
}

/**
 * Levenshtein distance, with a swap of two neighbouring letters counted as one edit (`hlep`); `limit` when
 * it is `limit` or more. Only three rows of the usual table are kept (the swap looks two rows back); once
 * two rows in a row are all at `limit` or beyond, no later cell can come back under it.
 */
function editDistance(a: string, b: string, limit: number): number {
  let twoBack: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let previousLeast = 0;
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, twoBack[j - 2]! + 1);
      current.push(value);
      least = Math.min(least, value);
    }
    if (least >= limit && previousLeast >= limit) return limit;
    twoBack = previous;
    previous = current;
    previousLeast = least;
  }
  return Math.min(previous[b.length]!, limit);
}
