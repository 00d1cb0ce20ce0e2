/**
 * The known word a mistyped one was most likely meant to be (`--dryrun` → `--dry-run`, `hlep` → `help`),
 * so a usage error can say what to type instead of only what was wrong.
 */
export function closestWord(typed: string, known: readonly string[]): string | undefined {
  const plain = (word: string) => word.toLowerCase().replace(/[-_]/g, "");
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const word of known) {
    const distance = editDistance(plain(typed), plain(word));
    if (distance < bestDistance) {
      best = word;
      bestDistance = distance;
    }
  }
  // A third of the word may be wrong (at least one letter): beyond that a guess misleads more than it helps.
  return bestDistance <= Math.max(1, Math.floor(plain(typed).length / 3)) ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit (`hlep`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
