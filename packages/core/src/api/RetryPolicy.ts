/**
 * The named retry policies an action can declare. Each is a Schedule over `IntercomError`:
 *
 * - a 429 waits until `X-RateLimit-Reset` when that is at most `rateLimitWaitBound` away; past the
 *   bound the RateLimited error (retryable, with `retryAfter`) goes to the caller so the runtime
 *   backs off;
 * - other retryable failures (5xx, network, timeout) back off exponentially from `backoffBase`,
 *   capped at `backoffCap`, with ±20 % jitter;
 * - at most `maxRetries` retries in all.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type { IntercomError } from "./IntercomError.ts"

export const backoffBase = Duration.millis(500)
export const backoffCap = Duration.seconds(5)
export const rateLimitWaitBound = Duration.seconds(15)
export const maxRetries = 5

export type RetrySchedule = Schedule.Schedule<Duration.Duration, IntercomError>

export interface RetryPolicy {
  readonly name: "transient" | "unsentOnly" | "none"
  readonly description: string
  readonly schedule: RetrySchedule
}

const waitsForReset = (error: IntercomError): boolean =>
  error.reason._tag === "RateLimited" &&
  Duration.isLessThanOrEqualTo(error.reason.retryAfter, rateLimitWaitBound)

/** Scales a delay by a random factor in [0.8, 1.2) so that many clients do not retry in step. */
const jitter = (delay: Duration.Duration): Effect.Effect<Duration.Duration> =>
  Effect.map(Random.next, (random) => Duration.millis(Duration.toMillis(delay) * (0.8 + 0.4 * random)))

const make = (shouldRetry: (error: IntercomError) => boolean): RetrySchedule =>
  Schedule.exponential(backoffBase, 2).pipe(
    Schedule.setInputType<IntercomError>(),
    Schedule.modifyDelay(({ input, duration }) =>
      input.reason._tag === "RateLimited"
        ? Effect.succeed(input.reason.retryAfter)
        : jitter(Duration.min(duration, backoffCap))
    ),
    Schedule.while(
      ({ input, attempt }) =>
        attempt <= maxRetries &&
        shouldRetry(input) &&
        (input.reason._tag !== "RateLimited" || waitsForReset(input))
    )
  )

/** For calls that may be repeated: every retryable failure is retried. */
export const transient: RetryPolicy = {
  name: "transient",
  description: `429: wait for the window reset (up to ${Duration.format(rateLimitWaitBound)}); 5xx, timeout, network: exponential backoff from ${Duration.format(backoffBase)} capped at ${Duration.format(backoffCap)} with jitter; at most ${maxRetries} retries`,
  schedule: make((error) => error.retryable)
}

/**
 * For calls that must not be repeated once they may have reached Intercom (creating a conversation,
 * replying): only failures that prove the request never arrived (a 429, a refused connection).
 */
export const unsentOnly: RetryPolicy = {
  name: "unsentOnly",
  description: `only when the request provably did not reach Intercom: 429 (wait for the reset, up to ${Duration.format(rateLimitWaitBound)}) or a refused connection (backoff); at most ${maxRetries} retries`,
  schedule: make((error) => error.reason.retryable && error.reason.provablyUnsent)
}

export const none: RetryPolicy = {
  name: "none",
  description: "never retried here; the error's `retryable` tells the runtime what to do",
  schedule: make(() => false)
}
