/**
 * Where a notification goes and how that receiver has been answering: the URL, and the state
 * Intercom's rules keep for it (`DeliveryRules.ts`): throttled after a 429 (longer with each one,
 * until an answer gets through), paused after a long run of errors, disabled by a 410. One target per
 * URL, shared by every notification sent there.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { type DeliveryRules, type Stepper, stepper } from "./DeliveryRules.ts"

export interface DeliveryOutcome {
  readonly ok: boolean
  readonly status: number | null
}

/** Whether a notification may go out now. */
export type Gate =
  | { readonly _tag: "Open" }
  | { readonly _tag: "Paused"; readonly until: number }
  | { readonly _tag: "Throttled"; readonly until: number }

const open: Gate = { _tag: "Open" }

export class DeliveryTarget {
  readonly url: string
  /** Until when (Unix ms) its notifications wait because the receiver answered 429. */
  throttledUntil: number | null = null
  /** Until when (Unix ms) nothing is sent after too many consecutive errors. */
  pausedUntil: number | null = null
  /** Why it gets nothing any more (410 Gone), if so. */
  disabledReason: string | null = null
  private readonly rules: DeliveryRules
  private throttle: Stepper | undefined
  private errorCount: Stepper | undefined
  private errorWindow: Stepper | undefined

  constructor(url: string, rules: DeliveryRules) {
    this.url = url
    this.rules = rules
  }

  /**
   * Whether a delivery may go out at `now`. `scheduledFor` is the throttle end a waiting delivery was
   * woken for: it goes, unless the throttle grew meanwhile (timers may fire a millisecond early).
   */
  gate(now: number, scheduledFor: number | null = null): Gate {
    if (this.pausedUntil !== null && now < this.pausedUntil)
      return { _tag: "Paused", until: this.pausedUntil }
    if (this.throttledUntil !== null && now < this.throttledUntil && this.throttledUntil !== scheduledFor) {
      return { _tag: "Throttled", until: this.throttledUntil }
    }
    return open
  }

  /**
   * Learns from an answer: a 2xx clears the throttle and the error run; a 429 throttles (longer each
   * time); any other failure counts towards a pause; a 410 also disables the target.
   */
  observe(outcome: DeliveryOutcome, now: number): Effect.Effect<void> {
    const rules = this.rules
    if (outcome.status === 410) this.disabledReason = "the receiver answered 410 Gone"
    if (outcome.ok) {
      // The common case, at thousands a second: nothing to step.
      this.throttle = undefined
      this.throttledUntil = null
      this.errorCount = undefined
      this.errorWindow = undefined
      return Effect.void
    }
    return Effect.gen({ self: this }, function* () {
      if (outcome.status === 429) {
        this.throttle ??= yield* stepper(rules.throttle)
        const wait = (yield* this.throttle(now)) ?? 0
        this.throttledUntil = now + wait
        return
      }
      if (this.errorWindow === undefined || (yield* this.errorWindow(now)) === undefined) {
        // A new run of errors: its 15 minutes start now.
        this.errorWindow = yield* stepper(rules.errorWindow)
        this.errorCount = yield* stepper(rules.errorCount)
        yield* this.errorWindow(now)
      }
      if ((yield* this.errorCount!(now)) === undefined) {
        this.pausedUntil = now + Duration.toMillis(rules.pauseFor)
        this.errorCount = undefined
        this.errorWindow = undefined
      }
    })
  }
}
