/**
 * Did-you-mean: the candidates nearest to what was typed, by edit distance (a transposition counts
 * as one edit, so `trigegr` finds `trigger`). effect/cli suggests flags and commands itself; this is
 * for the values only our commands know (topics, versions, choices).
 */

const distance = (a: string, b: string): number => {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions.
  const rows = a.length + 1
  const columns = b.length + 1
  const table: Array<Array<number>> = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(table[i - 1]![j]! + 1, table[i]![j - 1]! + 1, table[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, table[i - 2]![j - 2]! + 1)
      }
      table[i]![j] = best
    }
  }
  return table[a.length]![b.length]!
}

/**
 * The candidates closest to `input` (case-insensitive): those within a third of the input's length
 * in edits (at least 1), or that start with the input, or that the input starts with (at least three
 * letters of it); none when more than `limit` are as close.
 */
export const didYouMean = (input: string, candidates: Iterable<string>, limit = 3): ReadonlyArray<string> => {
  const typed = input.toLowerCase()
  if (typed === "") return []
  const allowed = Math.max(1, Math.floor(typed.length / 3))
  const scored: Array<{ readonly candidate: string; readonly score: number }> = []
  for (const candidate of new Set(candidates)) {
    const lower = candidate.toLowerCase()
    if (lower === typed) continue
    const edits = distance(typed, lower)
    if (edits <= allowed) scored.push({ candidate, score: edits })
    else if (typed.length >= 3 && lower.startsWith(typed)) scored.push({ candidate, score: allowed + 1 })
    // A longer name for the same thing (`--hostname` for `--host`): the candidate begins the input.
    else if (lower.replace(/^-+/, "").length >= 3 && typed.startsWith(lower))
      scored.push({ candidate, score: allowed + 1 })
  }
  scored.sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate))
  const best = scored.filter(({ score }) => score === scored[0]?.score)
  // More near misses than we would name say nothing (`2.17` is as near to 2.10 as to 2.16).
  return best.length > limit ? [] : best.map(({ candidate }) => candidate)
}
