/**
 * Intercom's rate limit: a per-minute budget spread over 10-second windows (1,000/min gives 166
 * requests per 10 s). Every answer carries `X-RateLimit-Limit` (the window's allowance, as in
 * Intercom's own header examples), `-Remaining` (left in this window) and `-Reset` (the Unix second
 * the window ends); past the allowance the answer is 429 `rate_limit_exceeded`.
 * Windows are aligned to wall-clock multiples of 10 s and counted per access token (one per app).
 */

export const windowMillis = 10_000
const windowsPerMinute = 60_000 / windowMillis

export interface RateLimitDecision {
  readonly allowed: boolean
  readonly limit: number
  readonly remaining: number
  /** Unix seconds when the current window ends. */
  readonly resetAt: number
}

export const rateLimitHeaders = (decision: RateLimitDecision): Record<string, string> => ({
  "X-RateLimit-Limit": String(decision.limit),
  "X-RateLimit-Remaining": String(decision.remaining),
  "X-RateLimit-Reset": String(decision.resetAt)
})

export class RateLimiter {
  /** Requests allowed in each 10-second window. */
  readonly allowance: number
  private readonly now: () => number
  private readonly windows = new Map<string, { start: number; used: number }>()

  constructor(perMinute: number, now: () => number = Date.now) {
    this.allowance = Number.isFinite(perMinute)
      ? Math.max(1, Math.floor(perMinute / windowsPerMinute))
      : Number.MAX_SAFE_INTEGER
    this.now = now
  }

  /** Counts one request for `key` if the window has room. */
  take(key: string): RateLimitDecision {
    const start = Math.floor(this.now() / windowMillis) * windowMillis
    let window = this.windows.get(key)
    if (window === undefined || window.start !== start) {
      window = { start, used: 0 }
      this.windows.set(key, window)
    }
    const resetAt = (start + windowMillis) / 1000
    if (window.used >= this.allowance) return { allowed: false, limit: this.allowance, remaining: 0, resetAt }
    window.used++
    return { allowed: true, limit: this.allowance, remaining: this.allowance - window.used, resetAt }
  }
}
