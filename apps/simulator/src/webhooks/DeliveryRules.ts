/**
 * Intercom's webhook delivery rules, as Effect `Schedule`s:
 *
 * - a receiver has 5 s to answer;
 * - a failed delivery is retried once, a minute later;
 * - a `429` throttles the receiver: its notifications wait a minute, doubling with each 429, up to 2 h;
 * - a notification still held back 2 h after it was first sent is dropped;
 * - more than 1,000 consecutive errors within 15 minutes pause the receiver for 15 minutes.
 *
 * Every duration is multiplied by `timeScale` (0.01 makes the retry 600 ms), so tests and demos need
 * not wait a minute. The answer window never drops below 2 s: scaling it speeds up no test of a
 * receiver that answers, and a receiver on a machine busy with a whole test suite can take a second.
 * The dispatcher steps the schedules by hand (`Schedule.toStep`), because a receiver's throttle and
 * error run outlive any one notification.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"

export const intercomAnswerWithin = Duration.seconds(5)
export const intercomRetryAfter = Duration.minutes(1)
export const intercomThrottleFirst = Duration.minutes(1)
export const intercomThrottleMax = Duration.hours(2)
export const intercomThrottledLifetime = Duration.hours(2)
export const intercomPauseAfterErrors = 1_000
export const intercomPauseWindow = Duration.minutes(15)
export const intercomPauseFor = Duration.minutes(15)

const minimumAnswerWindow = Duration.seconds(2)

export interface DeliveryRules {
  /** How long a receiver has to answer. */
  readonly answerWithin: Duration.Duration
  /** One retry, a minute after a failed attempt. */
  readonly retryAfterFailure: Schedule.Schedule<number>
  /** A receiver's 429s: a minute, doubling per 429, never more than 2 h. */
  readonly throttle: Schedule.Schedule<Duration.Duration>
  /** A throttled notification lives 2 h from its first send; stepped at each throttled wait. */
  readonly throttledLifetime: Schedule.Schedule<Duration.Duration>
  /** One step per consecutive error: done after 1,000 (the next one pauses the receiver). */
  readonly errorCount: Schedule.Schedule<number>
  /** The window those errors must fall in: done once 15 minutes passed since the run began. */
  readonly errorWindow: Schedule.Schedule<Duration.Duration>
  /** How long a paused receiver gets nothing. */
  readonly pauseFor: Duration.Duration
}

export const deliveryRules = (timeScale = 1): DeliveryRules => {
  const scale = (duration: Duration.Duration) =>
    Duration.millis(Math.round(Duration.toMillis(duration) * timeScale))
  const maxThrottle = scale(intercomThrottleMax)
  return {
    answerWithin: Duration.max(scale(intercomAnswerWithin), minimumAnswerWindow),
    retryAfterFailure: Schedule.spaced(scale(intercomRetryAfter)).pipe(Schedule.upTo({ times: 1 })),
    throttle: Schedule.exponential(scale(intercomThrottleFirst), 2).pipe(
      Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, maxThrottle)))
    ),
    throttledLifetime: Schedule.during(scale(intercomThrottledLifetime)),
    errorCount: Schedule.recurs(intercomPauseAfterErrors),
    errorWindow: Schedule.during(scale(intercomPauseWindow)),
    pauseFor: scale(intercomPauseFor)
  }
}

/** A schedule stepped by hand at given instants: the next delay in ms, or `undefined` once it is done. */
export type Stepper = (nowMillis: number) => Effect.Effect<number | undefined>

export const stepper = <Output>(schedule: Schedule.Schedule<Output>): Effect.Effect<Stepper> =>
  Effect.map(
    Schedule.toStep(schedule),
    (step) => (nowMillis) =>
      step(nowMillis, undefined).pipe(
        Effect.map(([, delay]) => Duration.toMillis(delay)),
        Pull.catchDone(() => Effect.succeed(undefined))
      )
  )

/**
 * A stepper made when it is first stepped, first at `startAt` when given: most deliveries are answered
 * at once and never step their retry or throttle schedules, so they need not make them.
 */
export const lazyStepper = <Output>(schedule: Schedule.Schedule<Output>, startAt?: number): Stepper => {
  let made: Stepper | undefined
  return (nowMillis) =>
    made !== undefined
      ? made(nowMillis)
      : Effect.flatMap(stepper(schedule), (step) => {
          made = step
          return startAt === undefined ? step(nowMillis) : Effect.andThen(step(startAt), step(nowMillis))
        })
}
