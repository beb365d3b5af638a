/**
 * What the benchmarks share: sides measured in turn, forwards then backwards (so each follows each
 * other equally often, and none always pays for what another left in the caches and the heap), and
 * the median of what was measured.
 */

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

/** Wall-clock µs one call takes. */
export const microsOf = async (call: () => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint()
  await call()
  return Number(process.hrtime.bigint() - started) / 1000
}

/** Runs the sides in order then in reverse, `rounds` times; answers each side's µs per call. */
export const interleaved = async (
  sides: ReadonlyArray<() => Promise<unknown>>,
  rounds: number
): Promise<ReadonlyArray<ReadonlyArray<number>>> => {
  const times = sides.map((): Array<number> => [])
  const order = sides.map((_, index) => index)
  for (let round = 0; round < rounds; round++)
    for (const index of round % 2 === 0 ? order : [...order].reverse())
      times[index]?.push(await microsOf(sides[index] ?? (() => Promise.resolve())))
  return times
}
