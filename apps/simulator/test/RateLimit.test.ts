import { readRateLimit } from "@taskjuice/intercom-client"
import * as Redacted from "effect/Redacted"
import { afterEach, describe, expect, it } from "vitest"
import { RateLimiter, type Simulator, startSimulator, windowMillis } from "../src/index.ts"

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const get = (base: string, token: string, path = "/tags") =>
  fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })

/** Waits until a fresh 10-second window has most of its time left, so a burst stays inside one window. */
const startOfWindow = async () => {
  const into = Date.now() % windowMillis
  if (into > windowMillis - 3000)
    await new Promise((resolve) => setTimeout(resolve, windowMillis - into + 20))
}

describe("RateLimiter", () => {
  it("spreads the per-minute budget over 10-second windows and resets at the window's end", () => {
    let now = 1_700_000_000_000
    const limiter = new RateLimiter(1000, () => now)
    expect(limiter.allowance).toBe(166)
    const decisions = Array.from({ length: 167 }, () => limiter.take("app"))
    expect(decisions[0]).toMatchObject({ allowed: true, limit: 166, remaining: 165, resetAt: 1_700_000_010 })
    expect(decisions[165]).toMatchObject({ allowed: true, remaining: 0 })
    expect(decisions[166]).toMatchObject({ allowed: false, remaining: 0 })
    expect(limiter.take("another app").allowed).toBe(true)
    now += windowMillis
    expect(limiter.take("app")).toMatchObject({ allowed: true, remaining: 165, resetAt: 1_700_000_020 })
  })
})

describe("rate limits over HTTP", () => {
  it("sends X-RateLimit-Limit/-Remaining/-Reset on every answer, counting down within the window", async () => {
    sim = await startSimulator({ clientSecret: "s" })
    const token = Redacted.value(sim.accessToken)
    await startOfWindow()
    const first = readRateLimit((await get(sim.url, token)).headers)
    const second = readRateLimit((await get(sim.url, token)).headers)
    expect(first).toMatchObject({ limit: 166, remaining: 165 })
    expect(second).toMatchObject({ limit: 166, remaining: 164, resetAt: first!.resetAt })
    expect(first!.resetAt % 10).toBe(0)
    expect(first!.resetAt * 1000 - Date.now()).toBeGreaterThan(0)
    expect(first!.resetAt * 1000 - Date.now()).toBeLessThanOrEqual(windowMillis)
  })

  it("answers 429 error.list rate_limit_exceeded past the window's allowance, per app token", async () => {
    sim = await startSimulator({ clientSecret: "s", rateLimitPerMinute: 60 })
    const token = Redacted.value(sim.accessToken)
    const other = sim.store.issueToken("another-app").token
    await startOfWindow()
    const statuses: Array<number> = []
    for (let i = 0; i < 10; i++) statuses.push((await get(sim.url, token)).status)
    expect(statuses).toEqual(Array(10).fill(200))
    const limited = await get(sim.url, token, "/contacts")
    expect(limited.status).toBe(429)
    expect(readRateLimit(limited.headers)).toMatchObject({ limit: 10, remaining: 0 })
    const body = (await limited.json()) as { type: string; errors: Array<{ code: string }> }
    expect(sim.schemas.componentErrors("error", body)).toEqual([])
    expect(body.errors[0]?.code).toBe("rate_limit_exceeded")
    expect((await get(sim.url, other)).status).toBe(200)
  })

  it("defaults to 1,000 requests a minute and takes any other figure", async () => {
    sim = await startSimulator({ clientSecret: "s" })
    expect(sim.rateLimitPerMinute).toBe(1000)
    await sim.close()
    sim = await startSimulator({ clientSecret: "s", rateLimitPerMinute: 10_000 })
    const answer = await get(sim.url, Redacted.value(sim.accessToken))
    expect(answer.headers.get("x-ratelimit-limit")).toBe("1666")
  })
})
