import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/testing/TestClock"
import {
  IntercomError,
  type IntercomErrorReason,
  RateLimited,
  Server,
  Transport
} from "../../src/api/IntercomError.ts"
import * as RetryPolicy from "../../src/api/RetryPolicy.ts"
import { withMiddleRandom } from "../support/TestRuntime.ts"

const failure = (reason: IntercomErrorReason, idempotent = true) =>
  new IntercomError({ reason, operation: "Test", idempotent })

/**
 * Retries an effect that fails with `failures` in turn (then succeeds) under `policy`, moving the
 * TestClock, and returns the delays between attempts and the outcome.
 */
const runDelays = (policy: RetryPolicy.RetryPolicy, failures: ReadonlyArray<IntercomError>) =>
  Effect.gen(function* () {
    const attemptTimes: Array<number> = []
    const attempt = Effect.gen(function* () {
      attemptTimes.push(yield* Clock.currentTimeMillis)
      const error = failures[attemptTimes.length - 1]
      return error === undefined ? "done" : yield* Effect.fail(error)
    })
    const fiber = yield* Effect.forkChild(Effect.exit(Effect.retry(attempt, policy.schedule)))
    yield* TestClock.adjust(Duration.minutes(5))
    const exit = yield* Fiber.join(fiber)
    const delays = attemptTimes.slice(1).map((time, index) => time - (attemptTimes[index] ?? 0))
    return { delays, exit, attempts: attemptTimes.length }
  })

const times = <A>(count: number, value: A): ReadonlyArray<A> => Array.from({ length: count }, () => value)

describe("RetryPolicy", () => {
  it.effect("transient: exponential backoff from 500 ms, capped at 5 s, at most 5 retries", () =>
    Effect.gen(function* () {
      const { delays, exit, attempts } = yield* runDelays(
        RetryPolicy.transient,
        times(10, failure(new Server({ status: 503 })))
      )
      assert.deepStrictEqual(delays, [500, 1000, 2000, 4000, 5000])
      assert.strictEqual(attempts, 6)
      assert.isTrue(Exit.isFailure(exit))
    }).pipe(withMiddleRandom)
  )

  it.effect("transient: succeeds as soon as a retry does", () =>
    Effect.gen(function* () {
      const { delays, exit } = yield* runDelays(RetryPolicy.transient, [
        failure(new Transport({ kind: "network" })),
        failure(new Server({ status: 502 }))
      ])
      assert.deepStrictEqual(delays, [500, 1000])
      assert.deepStrictEqual(exit, Exit.succeed("done"))
    }).pipe(withMiddleRandom)
  )

  it.effect("transient: jitter keeps each delay within ±20 % of the backoff", () =>
    Effect.gen(function* () {
      const { delays } = yield* runDelays(
        RetryPolicy.transient,
        times(10, failure(new Server({ status: 500 })))
      )
      const expected = [500, 1000, 2000, 4000, 5000]
      assert.strictEqual(delays.length, expected.length)
      delays.forEach((delay, index) => {
        const base = expected[index] ?? 0
        assert.isTrue(delay >= base * 0.8 && delay <= base * 1.2, `delay ${delay} vs ${base}`)
      })
    })
  )

  it.effect("a 429 waits exactly until the reset, without jitter, when within the bound", () =>
    Effect.gen(function* () {
      const { delays, exit } = yield* runDelays(RetryPolicy.transient, [
        failure(new RateLimited({ retryAfter: Duration.millis(3200) })),
        failure(new RateLimited({ retryAfter: Duration.millis(700) })),
        failure(new Server({ status: 500 }))
      ])
      assert.deepStrictEqual(delays, [3200, 700, 2000])
      assert.deepStrictEqual(exit, Exit.succeed("done"))
    }).pipe(withMiddleRandom)
  )

  it.effect("a 429 whose reset is past the bound is not waited for: RateLimited goes to the caller", () =>
    Effect.gen(function* () {
      const limited = failure(new RateLimited({ retryAfter: Duration.seconds(40) }))
      const { delays, exit, attempts } = yield* runDelays(RetryPolicy.transient, [limited])
      assert.deepStrictEqual(delays, [])
      assert.strictEqual(attempts, 1)
      assert.deepStrictEqual(exit, Exit.fail(limited))
      assert.isTrue(limited.retryable)
      assert.deepStrictEqual(limited.retryAfter, Duration.seconds(40))
    })
  )

  it.effect("unsentOnly: a 5xx or a lost connection of a non-idempotent call is never retried", () =>
    Effect.gen(function* () {
      for (const reason of [
        new Server({ status: 500 }),
        new Transport({ kind: "network" }),
        new Transport({ kind: "timeout" })
      ]) {
        const { attempts } = yield* runDelays(RetryPolicy.unsentOnly, times(3, failure(reason, false)))
        assert.strictEqual(attempts, 1, reason._tag)
      }
    })
  )

  it.effect("unsentOnly: a refused connection and a 429 are retried (nothing reached Intercom)", () =>
    Effect.gen(function* () {
      const { delays, exit } = yield* runDelays(RetryPolicy.unsentOnly, [
        failure(new Transport({ kind: "refused" }), false),
        failure(new RateLimited({ retryAfter: Duration.seconds(2) }), false),
        failure(new Transport({ kind: "refused" }), false)
      ])
      assert.deepStrictEqual(delays, [500, 2000, 2000])
      assert.deepStrictEqual(exit, Exit.succeed("done"))
    }).pipe(withMiddleRandom)
  )

  it.effect("transient respects the error: a non-idempotent 5xx is not retryable", () =>
    Effect.gen(function* () {
      const error = failure(new Server({ status: 500 }), false)
      assert.isFalse(error.retryable)
      const { attempts } = yield* runDelays(RetryPolicy.transient, [error])
      assert.strictEqual(attempts, 1)
    })
  )

  it.effect("none: never retries", () =>
    Effect.gen(function* () {
      const { attempts } = yield* runDelays(RetryPolicy.none, times(3, failure(new Server({ status: 500 }))))
      assert.strictEqual(attempts, 1)
    })
  )
})
