/**
 * Intercom's rate limits: the `X-RateLimit-*` headers, read into a typed value from every response and
 * written by anything that answers as Intercom does (the simulator, test servers), and the window the
 * per-minute budget is spread over.
 */
export interface RateLimit {
  /**
   * `X-RateLimit-Limit`: requests allowed in the current window. Intercom spreads the per-minute
   * budget over 10-second windows, so 1,000 a minute reads as 167 here (see `windowAllowance`).
   */
  readonly limit: number
  /** `X-RateLimit-Remaining`: requests left in the current window. */
  readonly remaining: number
  /** `X-RateLimit-Reset`: when the window resets, in Unix seconds. */
  readonly resetAt: number
}

/** The three headers, as Intercom names them. */
export const rateLimitHeaderNames = {
  limit: "X-RateLimit-Limit",
  remaining: "X-RateLimit-Remaining",
  reset: "X-RateLimit-Reset"
} as const

/** Intercom spreads the per-minute budget over windows of this length. */
export const rateLimitWindowSeconds = 10

/**
 * A window's allowance for a per-minute budget: Intercom rounds up, so 1,000 a minute allows 167 in
 * each 10-second window ("Exceeded rate limit of 167 in 10_seconds").
 */
export const windowAllowance = (perMinute: number): number =>
  Math.max(1, Math.ceil((perMinute * rateLimitWindowSeconds) / 60))

const integer = (value: string | null): number | undefined => {
  if (value === null || value.trim() === "") return undefined
  const parsed = Number(value)
  return Number.isFinite(parsed) ? Math.trunc(parsed) : undefined
}

/** `undefined` unless all three headers are present and numeric: a partial reading is no reading. */
export const readRateLimit = (headers: Pick<Headers, "get">): RateLimit | undefined => {
  const limit = integer(headers.get(rateLimitHeaderNames.limit))
  const remaining = integer(headers.get(rateLimitHeaderNames.remaining))
  const resetAt = integer(headers.get(rateLimitHeaderNames.reset))
  if (limit === undefined || remaining === undefined || resetAt === undefined) return undefined
  return { limit, remaining, resetAt }
}

/** Milliseconds from `nowMs` until the window resets (never negative). */
export const millisUntilReset = (rateLimit: Pick<RateLimit, "resetAt">, nowMs: number): number =>
  Math.max(0, rateLimit.resetAt * 1000 - nowMs)

/** The headers that state a reading, as Intercom sends them on every authenticated answer. */
export const rateLimitHeaders = (rateLimit: RateLimit): Record<string, string> => ({
  [rateLimitHeaderNames.limit]: String(rateLimit.limit),
  [rateLimitHeaderNames.remaining]: String(Math.max(0, rateLimit.remaining)),
  [rateLimitHeaderNames.reset]: String(rateLimit.resetAt)
})
