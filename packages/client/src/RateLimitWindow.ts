/**
 * Intercom's request budget as a server keeps it: a fixed allowance per window, windows aligned to
 * multiples of their length from the Unix epoch, counted per key (Intercom counts per app, i.e. per
 * access token). The one home of that rule for everything that answers as Intercom does: the simulator
 * and the core's test servers. The headers it states are `rateLimitHeaders`'s; the 429 text is
 * `rateLimitExceededMessage`.
 */
import { type RateLimit, rateLimitWindowSeconds, windowAllowance } from "./RateLimit.ts"

/** One request's verdict: the reading to send back, and whether it fit in the window. */
export interface RateLimitDecision extends RateLimit {
  readonly allowed: boolean
}

export interface RateLimitWindowOptions {
  /** Requests allowed in each window (see `windowAllowance` for a per-minute budget). */
  readonly allowance: number
  /** The window's length; Intercom's is 10 s. A whole number of seconds, as `X-RateLimit-Reset` is in seconds. */
  readonly windowMillis?: number
}

/**
 * Intercom's 429 text: "Exceeded rate limit of 167 in 10_seconds" for 1,000 a minute.
 */
export const rateLimitExceededMessage = (allowance: number, windowSeconds = rateLimitWindowSeconds): string =>
  `Exceeded rate limit of ${allowance} in ${windowSeconds}_seconds`

interface Window {
  start: number
  used: number
}

/** A fixed-window budget; `take` counts one request for a key at a given time. */
export class RateLimitWindow {
  readonly allowance: number
  readonly windowMillis: number
  private readonly windows = new Map<string, Window>()

  constructor(options: RateLimitWindowOptions) {
    const windowMillis = options.windowMillis ?? rateLimitWindowSeconds * 1000
    if (!Number.isInteger(windowMillis / 1000) || windowMillis <= 0) {
      throw new RangeError(`windowMillis must be a positive whole number of seconds, got ${windowMillis}`)
    }
    this.windowMillis = windowMillis
    this.allowance = Number.isFinite(options.allowance)
      ? Math.max(1, Math.floor(options.allowance))
      : Number.MAX_SAFE_INTEGER
  }

  /** The budget Intercom keeps for a per-minute figure: `windowAllowance(perMinute)` per 10 s. */
  static perMinute(perMinute: number): RateLimitWindow {
    return new RateLimitWindow({
      allowance: Number.isFinite(perMinute) ? windowAllowance(perMinute) : Number.POSITIVE_INFINITY
    })
  }

  /** Where the window holding `nowMillis` starts (Unix ms). */
  windowStart(nowMillis: number): number {
    return nowMillis - (nowMillis % this.windowMillis)
  }

  /** The reading for `key` without counting a request (for an answer that spends no budget). */
  peek(key: string, nowMillis: number): RateLimit {
    const start = this.windowStart(nowMillis)
    const window = this.windows.get(key)
    const used = window !== undefined && window.start === start ? window.used : 0
    return {
      limit: this.allowance,
      remaining: Math.max(0, this.allowance - used),
      resetAt: (start + this.windowMillis) / 1000
    }
  }

  /** Counts one request for `key` if its window has room; the reading either way. */
  take(key: string, nowMillis: number): RateLimitDecision {
    const start = this.windowStart(nowMillis)
    let window = this.windows.get(key)
    if (window === undefined) {
      window = { start, used: 0 }
      this.windows.set(key, window)
    } else if (window.start !== start) {
      window.start = start
      window.used = 0
    }
    const resetAt = (start + this.windowMillis) / 1000
    if (window.used >= this.allowance) {
      return { allowed: false, limit: this.allowance, remaining: 0, resetAt }
    }
    window.used++
    return { allowed: true, limit: this.allowance, remaining: this.allowance - window.used, resetAt }
  }
}
