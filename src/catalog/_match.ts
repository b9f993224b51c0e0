/** Close-match suggestions for unknown names (Levenshtein distance plus prefix/substring hits). */

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to `limit` candidates closest to `name`, best first. */
export function closeMatches(name: string, candidates: Iterable<string>, limit = 5): string[] {
  const q = name.toLowerCase();
  const scored: { c: string; d: number }[] = [];
  for (const c of new Set(candidates)) {
    const lc = c.toLowerCase();
    let d = distance(q, lc);
    if (lc.startsWith(q) || q.startsWith(lc) || lc.includes(q)) d = Math.min(d, 1);
    // Allow roughly one edit per three characters before a name stops being "close".
    if (d <= Math.max(2, Math.floor(q.length / 3))) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, limit).map((s) => s.c);
}
