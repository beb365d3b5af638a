/**
 * Layers and helpers the core's tests share: the real IntercomApi pointed at a loopback server,
 * a canary token that must never leak, a fixed Random for exact jitter, and a driver that moves the
 * TestClock forward while real I/O happens.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { IntercomApi, type IntercomApiOptions } from "../../src/api/IntercomApi.ts"
import { RateLimiter } from "../../src/api/RateLimiter.ts"

/** If this string shows up in any error message or log line, a secret leaked. */
export const canaryToken = "tok_CANARY_d41d8cd98f00b204e980"

export const apiLayer = (
  baseUrl: string,
  options: Partial<Omit<IntercomApiOptions, "accessToken" | "baseUrl">> = {}
): Layer.Layer<IntercomApi | RateLimiter> =>
  Layer.mergeAll(
    IntercomApi.layer({ accessToken: Redacted.make(canaryToken), baseUrl, ...options }),
    RateLimiter.layer
  )

/** A Random whose every draw is 0.5: jitter then scales delays by exactly 1. */
export const middleRandom: Random.Random = {
  nextIntUnsafe: () => 0,
  nextDoubleUnsafe: () => 0.5
}

export const withMiddleRandom = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, Random.Random, middleRandom)

/**
 * Runs `effect` on the TestClock, advancing it in small steps while letting real I/O (the loopback
 * server) make progress between steps, until the effect completes.
 */
export const advancingClock = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly stepMillis?: number; readonly maxSteps?: number } = {}
): Effect.Effect<A, E, R> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    for (let step = 0; step < (options.maxSteps ?? 10_000); step++) {
      if (fiber.pollUnsafe() !== undefined) break
      yield* TestClock.withLive(Effect.sleep(1))
      yield* TestClock.adjust(options.stepMillis ?? 50)
    }
    return yield* Fiber.join(fiber)
  })
