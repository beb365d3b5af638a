/** A min-heap of keys by expiry, so purging the expired costs what is purged, not what is kept. */
export interface ExpiryHeap {
  readonly push: (key: string, expiresAt: number) => void
  /** Pops every entry expired at `now` and hands it to `onExpired` (which checks it is still current). */
  readonly popExpired: (now: number, onExpired: (key: string, expiresAt: number) => void) => void
}

export const makeExpiryHeap = (): ExpiryHeap => {
  const keys: Array<string> = []
  const times: Array<number> = []
  const swap = (a: number, b: number) => {
    ;[keys[a], keys[b]] = [keys[b] as string, keys[a] as string]
    ;[times[a], times[b]] = [times[b] as number, times[a] as number]
  }
  const less = (a: number, b: number) => (times[a] as number) < (times[b] as number)
  return {
    push: (key, expiresAt) => {
      keys.push(key)
      times.push(expiresAt)
      let child = keys.length - 1
      while (child > 0) {
        const parent = (child - 1) >> 1
        if (!less(child, parent)) break
        swap(child, parent)
        child = parent
      }
    },
    popExpired: (now, onExpired) => {
      while (keys.length > 0 && (times[0] as number) <= now) {
        const key = keys[0] as string
        const expiresAt = times[0] as number
        const lastKey = keys.pop() as string
        const lastTime = times.pop() as number
        if (keys.length > 0) {
          keys[0] = lastKey
          times[0] = lastTime
          let parent = 0
          for (;;) {
            const left = parent * 2 + 1
            const right = left + 1
            let smallest = parent
            if (left < keys.length && less(left, smallest)) smallest = left
            if (right < keys.length && less(right, smallest)) smallest = right
            if (smallest === parent) break
            swap(parent, smallest)
            parent = smallest
          }
        }
        onExpired(key, expiresAt)
      }
    }
  }
}
