import type { RateLimitWindow } from "@taskjuice/intercom-core"

/** How long a workspace's window outlives its last use in a shared store (Intercom's windows are 10 s). */
export const windowTimeToLiveMillis = 60 * 60 * 1000

/** `remaining|resetAtMillis|windowBudget`; `remaining` may be `Infinity` (a server that sends no limits). */
export const encodeWindow = (window: RateLimitWindow): string =>
  `${window.remaining}|${window.resetAtMillis ?? ""}|${window.windowBudget}`

export const decodeWindow = (text: string | null | undefined): RateLimitWindow | undefined => {
  if (text === null || text === undefined || text === "") return undefined
  const [remaining, resetAt, budget] = text.split("|")
  return {
    remaining: Number(remaining),
    resetAtMillis: resetAt === undefined || resetAt === "" ? undefined : Number(resetAt),
    windowBudget: Number(budget)
  }
}
