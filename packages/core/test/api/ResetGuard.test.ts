import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/testing/TestClock"
import { learn, make, maxResetGuardMillis, ResetGuard, resetGuardMillis } from "../../src/api/RateLimiter.ts"
import { RateLimitStore } from "../../src/api/RateLimitStore.ts"

describe("ResetGuard", () => {
  it("is the least guard until an answer is slower, then follows the slowest and decays", () => {
    const guard = new ResetGuard()
    assert.strictEqual(guard.millis, resetGuardMillis)
    guard.granted("w", 0)
    guard.settled("w", 800)
    assert.strictEqual(guard.millis, 800)
    for (let answer = 0; answer < 40; answer++) {
      guard.granted("w", 1_000)
      guard.settled("w", 1_010)
    }
    assert.strictEqual(guard.millis, resetGuardMillis)
  })

  it("never exceeds its ceiling, and learns nothing from a request that got no answer", () => {
    const guard = new ResetGuard()
    guard.granted("w", 0)
    guard.settled("w", 60_000)
    assert.strictEqual(guard.millis, maxResetGuardMillis)
    const quiet = new ResetGuard()
    quiet.granted("w", 0)
    quiet.settled("w", undefined)
    quiet.settled("w", 60_000)
    assert.strictEqual(quiet.millis, resetGuardMillis)
  })
})

describe("the limiter's guard on a slow host", () => {
  it.effect("holds a request 500 ms before the reset once answers take 600 ms (100 ms would grant it)", () =>
    Effect.gen(function* () {
      const limiter = make(RateLimitStore.makeMemory())
      // The probe goes out at 0 and its answer comes 600 ms later: 50 left, the window ends at 10 s.
      yield* limiter.acquire("w")
      yield* TestClock.adjust(600)
      yield* limiter.observe("w", { limit: 100, remaining: 50, resetAt: 10 }, false)
      yield* TestClock.adjust(8_900)
      const held = yield* Effect.forkChild(limiter.acquire("w"))
      yield* TestClock.adjust(499)
      assert.isUndefined(held.pollUnsafe())
      yield* TestClock.adjust(10)
      yield* Fiber.join(held)
    })
  )
})

describe("learning at a window's edge", () => {
  it("an answer from the ending window, read just before the reset, leaves a rolled-over window alone", () => {
    // Another worker rolled the shared window over at 10,002; this answer's clock read says 9,990.
    const rolled = { remaining: 99, resetAtMillis: undefined, windowBudget: 100 }
    const late = learn(rolled, { limit: 100, remaining: 3, resetAt: 10 }, false, 9_990)
    assert.deepStrictEqual(late, rolled)
    // An answer from the new window still sets it.
    const fresh = learn(rolled, { limit: 100, remaining: 97, resetAt: 20 }, false, 10_010)
    assert.deepStrictEqual(fresh, { remaining: 97, resetAtMillis: 20_000, windowBudget: 100 })
    // The first probe's answer is always taken, however close its reset.
    const probed = learn(undefined, { limit: 100, remaining: 99, resetAt: 10 }, false, 9_990)
    assert.strictEqual(probed.resetAtMillis, 10_000)
  })
})
