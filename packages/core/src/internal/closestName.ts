/**
 * The "did you mean" of an unknown name: the closest of the valid names by edit distance, where
 * swapping two neighbouring letters counts as one edit (`emial` is one edit from `email`).
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export const editDistance = (a: string, b: string): number => {
  // Three rows suffice: the current one, the one before and the one before that (for swaps).
  let beforePrevious: Array<number> = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + substitution
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1)
      current.push(best)
    }
    beforePrevious = previous
    previous = current
  }
  return previous[b.length] ?? 0
}

/** How far a name may be from a valid one and still be taken for it: more for longer names. */
const tolerance = (name: string): number => (name.length <= 3 ? 1 : name.length <= 8 ? 2 : 3)

/**
 * The valid name `name` was most probably meant to be, ignoring case; `undefined` when none is
 * close enough to suggest. Ties go to the name listed first.
 */
export const closestName = (name: string, names: ReadonlyArray<string>): string | undefined => {
  const wanted = name.toLowerCase()
  let closest: { readonly name: string; readonly distance: number } | undefined
  for (const candidate of names) {
    const distance = editDistance(wanted, candidate.toLowerCase())
    if (distance <= tolerance(name) && (closest === undefined || distance < closest.distance))
      closest = { name: candidate, distance }
  }
  return closest?.name
}
