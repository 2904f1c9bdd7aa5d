/**
 * "Did you mean": the names closest to a mistyped one, for unknown objects (answers, liveboards, tables,
 * visualizations) and unknown flags and commands alike. Closeness is the edit distance with swapped neighbours as
 * one edit (`hots` → `host`), case-insensitive; a name that contains the input, or is contained in it, counts as
 * close too (`--output` → `--out`).
 */

/** Insertions, deletions, substitutions and swaps of two neighbours, one edit each (optimal string alignment). */
const distance = (a: string, b: string): number => {
  if (a === b) return 0
  let before: Array<number> = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1)
      )
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        current[j] = Math.min(current[j]!, before[j - 2]! + 1)
      }
    }
    before = previous
    previous = current
  }
  return previous[b.length]!
}

/**
 * Up to `limit` of `candidates` closest to `input`, closest first (ties in the candidates' order). A candidate
 * qualifies when at most about a third of its characters differ, or when one contains the other (3+ characters;
 * with `contained: "prefix"` only when one starts with the other, as for flags: `--output` is `--out`, but
 * `--format` is no `--log-format`), and it is not much further than the closest one.
 */
export const closest = (
  input: string,
  candidates: Iterable<string>,
  limit = 3,
  contained: "anywhere" | "prefix" = "anywhere"
): ReadonlyArray<string> => {
  const wanted = input.trim().toLowerCase()
  if (wanted === "") return []
  const near: Array<{ readonly name: string; readonly score: number }> = []
  const containing: Array<{ readonly name: string; readonly score: number }> = []
  const seen = new Set<string>()
  for (const name of candidates) {
    if (seen.has(name) || name === input) continue
    seen.add(name)
    const lower = name.toLowerCase()
    const longest = Math.max(lower.length, wanted.length)
    // Names much longer or shorter than the input cannot be near: skip the O(n·m) distance for them.
    const d = Math.abs(lower.length - wanted.length) > longest / 3 ? longest : distance(wanted, lower)
    if (d <= Math.max(1, Math.floor(longest / 3))) near.push({ name, score: d })
    else if (
      Math.min(lower.length, wanted.length) >= 3 &&
      (contained === "prefix"
        ? lower.startsWith(wanted) || wanted.startsWith(lower)
        : lower.includes(wanted) || wanted.includes(lower))
    )
      containing.push({ name, score: Math.abs(lower.length - wanted.length) })
  }
  near.sort((a, b) => a.score - b.score)
  containing.sort((a, b) => a.score - b.score)
  // A near name far worse than the best is noise next to it ("Regin": "Region", not also "Month").
  const best = near[0]?.score ?? 0
  return [...near.filter((s) => s.score <= best + 2), ...containing].slice(0, limit).map((s) => s.name)
}

/** `; did you mean "a", "b" or "c"?` (names quoted unless `quote` is false, as for `--out`), or "" for none. */
export const didYouMean = (suggestions: ReadonlyArray<string>, quote = true): string => {
  if (suggestions.length === 0) return ""
  const shown = suggestions.map((s) => (quote ? `"${s}"` : s))
  const list = shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`
  return `; did you mean ${list}?`
}
