import { describe, expect, it } from "vitest"
import { RateLimitWindow, rateLimitExceededMessage, windowAllowance } from "../src/index.ts"

const at = 1_700_000_003_000 // 3 s into a 10-second window (1_700_000_000 is a multiple of 10)

describe("RateLimitWindow: Intercom's fixed 10-second budget", () => {
  it("allows 167 in a window for 1,000 a minute, then refuses until the window ends", () => {
    const budget = RateLimitWindow.perMinute(1000)
    expect(budget.allowance).toBe(windowAllowance(1000))
    const decisions = Array.from({ length: 168 }, () => budget.take("app", at))
    expect(decisions[0]).toEqual({ allowed: true, limit: 167, remaining: 166, resetAt: 1_700_000_010 })
    expect(decisions[166]).toEqual({ allowed: true, limit: 167, remaining: 0, resetAt: 1_700_000_010 })
    expect(decisions[167]).toEqual({ allowed: false, limit: 167, remaining: 0, resetAt: 1_700_000_010 })
    expect(budget.take("app", 1_700_000_009_999).allowed).toBe(false)
    expect(budget.take("app", 1_700_000_010_000)).toEqual({
      allowed: true,
      limit: 167,
      remaining: 166,
      resetAt: 1_700_000_020
    })
  })

  it("peeks at a reading without spending the budget", () => {
    const budget = new RateLimitWindow({ allowance: 2 })
    expect(budget.peek("app", at)).toEqual({ limit: 2, remaining: 2, resetAt: 1_700_000_010 })
    budget.take("app", at)
    expect(budget.peek("app", at)).toEqual({ limit: 2, remaining: 1, resetAt: 1_700_000_010 })
    expect(budget.take("app", at).remaining).toBe(0)
  })

  it("counts each key (access token) on its own", () => {
    const budget = new RateLimitWindow({ allowance: 1 })
    expect(budget.take("one", at).allowed).toBe(true)
    expect(budget.take("one", at).allowed).toBe(false)
    expect(budget.take("two", at).allowed).toBe(true)
  })

  it("takes other window lengths in whole seconds, and refuses the rest", () => {
    const budget = new RateLimitWindow({ allowance: 2, windowMillis: 1000 })
    expect(budget.take("k", 1_700_000_000_999).resetAt).toBe(1_700_000_001)
    expect(() => new RateLimitWindow({ allowance: 2, windowMillis: 1500 })).toThrow(/whole number of seconds/)
  })

  it("words the 429 as Intercom's docs do", () => {
    expect(rateLimitExceededMessage(167)).toBe("Exceeded rate limit of 167 in 10_seconds")
  })
})
