/** The "did you mean" hint of every error about a misspelt name (CLI flags and values, config keys). */

/** Edit distance (insert, delete, substitute, swap of neighbours), for the "did you mean" hints. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * " (did you mean 'x'?)" when one of `valid` is close to `given` (a third of its letters, at least 1, may differ, as
 * commander does for flags), else ''. Case is ignored.
 */
export function didYouMean(given: string, valid: readonly string[]): string {
  const g = given.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const v of valid) {
    const dist = editDistance(g, v.toLowerCase());
    if (dist < bestDistance) {
      best = v;
      bestDistance = dist;
    }
  }
  return best !== undefined && best !== given && bestDistance <= Math.max(1, Math.floor(g.length / 3)) ? ` (did you mean '${best}'?)` : '';
}
