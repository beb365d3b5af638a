/**
 * Intercom's rate limit, over HTTP, on TestClock: the 10-second windows pass when the test says.
 * The budget itself is the client's `RateLimitWindow` (tested there); here, that the twin answers by it.
 */

import { expect, it } from "@effect/vitest"
import { readRateLimit } from "@taskjuice/intercom-client"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/testing/TestClock"
import { describe } from "vitest"
import { IntercomSimulator } from "../src/index.ts"
import { api, simulatorLayer } from "./support/Clocked.ts"

describe("rate limits over HTTP", () => {
  it.effect(
    "sends X-RateLimit-Limit/-Remaining/-Reset on every answer, counting down within the window",
    () =>
      Effect.gen(function* () {
        const sim = yield* IntercomSimulator
        yield* TestClock.setTime(1_700_000_003_000)
        const first = readRateLimit((yield* api(sim, "GET", "/tags")).headers)
        const second = readRateLimit((yield* api(sim, "GET", "/contacts/000000000000000000000000")).headers)
        // 1,000 a minute is 167 per 10-second window, as Intercom rounds.
        expect(first).toEqual({ limit: 167, remaining: 166, resetAt: 1_700_000_010 })
        expect(second).toEqual({ limit: 167, remaining: 165, resetAt: 1_700_000_010 })
        yield* TestClock.adjust("7 seconds")
        expect(readRateLimit((yield* api(sim, "GET", "/tags")).headers)).toEqual({
          limit: 167,
          remaining: 166,
          resetAt: 1_700_000_020
        })
      }).pipe(Effect.provide(simulatorLayer({ rateLimitPerMinute: undefined })))
  )

  it.effect("answers 429 error.list with Intercom's text past the window's allowance, per app token", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      const other = sim.store.tokens.issue("another-app").token
      const statuses: Array<number> = []
      for (let i = 0; i < 10; i++) statuses.push((yield* api(sim, "GET", "/tags")).status)
      expect(statuses).toEqual(Array(10).fill(200))
      const limited = yield* api(sim, "GET", "/contacts")
      expect(limited.status).toBe(429)
      expect(readRateLimit(limited.headers)).toMatchObject({ limit: 10, remaining: 0 })
      expect(sim.schemas.componentErrors("error", limited.body)).toEqual([])
      expect(limited.body.errors[0]).toMatchObject({
        code: "rate_limit_exceeded",
        message: "Exceeded rate limit of 10 in 10_seconds"
      })
      expect((yield* api(sim, "GET", "/tags", undefined, { authorization: `Bearer ${other}` })).status).toBe(
        200
      )
      yield* TestClock.adjust("10 seconds")
      expect((yield* api(sim, "GET", "/tags")).status).toBe(200)
    }).pipe(Effect.provide(simulatorLayer({ rateLimitPerMinute: 60 })))
  )

  it.effect("counts a path Intercom does not have, and answers it with the headers", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      const missing = yield* api(sim, "GET", "/no/such/path")
      expect(missing.status).toBe(404)
      expect(readRateLimit(missing.headers)).toMatchObject({ limit: 1, remaining: 0 })
      expect((yield* api(sim, "GET", "/tags")).status).toBe(429)
    }).pipe(Effect.provide(simulatorLayer({ rateLimitPerMinute: 6 })))
  )

  it.effect("takes any other figure: 10,000 a minute is 1,667 a window", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      expect(sim.rateLimitPerMinute).toBe(10_000)
      expect((yield* api(sim, "GET", "/tags")).headers.get("x-ratelimit-limit")).toBe("1667")
    }).pipe(Effect.provide(simulatorLayer({ rateLimitPerMinute: 10_000 })))
  )
})
