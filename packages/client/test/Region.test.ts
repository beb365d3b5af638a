import { describe, expect, it } from "vitest"
import { millisUntilReset, readRateLimit, regionFromAppRegion } from "../src/index.ts"

describe("regionFromAppRegion", () => {
  it.each([
    ["US", "us"],
    ["Europe", "eu"],
    ["EU", "eu"],
    [" au ", "au"],
    ["Australia", "au"]
  ] as const)("maps %j to %s", (value, region) => expect(regionFromAppRegion(value)).toBe(region))

  it.each([null, undefined, "", "Mars"])("does not guess for %j", (value) => {
    expect(regionFromAppRegion(value)).toBeUndefined()
  })
})

describe("readRateLimit", () => {
  it("ignores non-numeric values", () => {
    const headers = new Headers({
      "x-ratelimit-limit": "ten",
      "x-ratelimit-remaining": "1",
      "x-ratelimit-reset": "2"
    })
    expect(readRateLimit(headers)).toBeUndefined()
  })

  it("measures the time to the reset, never negative", () => {
    expect(millisUntilReset({ resetAt: 100 }, 95_500)).toBe(4_500)
    expect(millisUntilReset({ resetAt: 100 }, 120_000)).toBe(0)
  })
})
