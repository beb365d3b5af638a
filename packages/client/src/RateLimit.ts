/**
 * Intercom's rate-limit headers, read into a typed value from every response.
 */
export interface RateLimit {
  /**
   * `X-RateLimit-Limit`: requests allowed in the current window. Intercom spreads the per-minute
   * budget over 10-second windows, so 1,000 a minute reads as 166 here.
   */
  readonly limit: number
  /** `X-RateLimit-Remaining`: requests left in the current window. */
  readonly remaining: number
  /** `X-RateLimit-Reset`: when the window resets, in Unix seconds. */
  readonly resetAt: number
}

const integer = (value: string | null): number | undefined => {
  if (value === null || value.trim() === "") return undefined
  const parsed = Number(value)
  return Number.isFinite(parsed) ? Math.trunc(parsed) : undefined
}

/** `undefined` unless all three headers are present and numeric: a partial reading is no reading. */
export const readRateLimit = (headers: Headers): RateLimit | undefined => {
  const limit = integer(headers.get("x-ratelimit-limit"))
  const remaining = integer(headers.get("x-ratelimit-remaining"))
  const resetAt = integer(headers.get("x-ratelimit-reset"))
  if (limit === undefined || remaining === undefined || resetAt === undefined) return undefined
  return { limit, remaining, resetAt }
}

/** Milliseconds from `nowMs` until the window resets (never negative). */
export const millisUntilReset = (rateLimit: Pick<RateLimit, "resetAt">, nowMs: number): number =>
  Math.max(0, rateLimit.resetAt * 1000 - nowMs)
