/**
 * Helpers for tests that run the simulator on `TestClock` (`@effect/vitest`'s `it.effect`): the
 * simulator is built in the test's scope, so Intercom's minutes (retries, throttles, windows, code
 * lifetimes) pass when the test says so, while requests still travel over real loopback HTTP.
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { type FaultRule, IntercomSimulator, type Simulator, type SimulatorOptions } from "../../src/index.ts"
import type { DeliveryRecord } from "../../src/webhooks/WebhookDispatcher.ts"

/** A simulator for one test, on the test's clock. */
export const simulatorLayer = (
  options: Partial<SimulatorOptions> = {}
): Layer.Layer<IntercomSimulator, unknown> =>
  IntercomSimulator.layer({
    clientSecret: "test-client-secret",
    seed: "clocked",
    rateLimitPerMinute: 1_000_000,
    ...options
  })

export interface Answer {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON body, read loosely; the spec checks its shape.
  readonly body: any
}

/** One request to the simulator's API with its access token (unless the headers say otherwise). */
export const api = (
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {}
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${Redacted.value(sim.accessToken)}`,
        "content-type": "application/json",
        ...headers
      },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: text === "" ? undefined : JSON.parse(text)
    }
  })

/**
 * The first delivery record (attempt or note of one held back) that matches, once the dispatcher has
 * made it: the point after which the delivery's next wait is on the clock.
 */
export const deliveryWhere = (
  sim: Simulator,
  matches: (delivery: DeliveryRecord) => boolean
): Effect.Effect<DeliveryRecord> =>
  Effect.promise(
    () =>
      new Promise<DeliveryRecord>((resolve) => {
        const known = sim.deliveries().find(matches)
        if (known !== undefined) return resolve(known)
        const stop = sim.dispatcher.onDelivery((delivery) => {
          if (!matches(delivery)) return
          stop()
          // Let the delivery's fiber reach its next wait before the test moves the clock.
          setImmediate(() => resolve(delivery))
        })
      })
  )

/**
 * A fault rule that always strikes and says when the pipeline first reached it (its probability is
 * read then): the moment after which the fault's wait is on the clock.
 */
export const watchedFault = (
  rule: Omit<FaultRule, "probability">
): { readonly rule: FaultRule; readonly reached: Effect.Effect<void> } => {
  let reached: () => void = () => {}
  const seen = new Promise<void>((resolve) => {
    reached = resolve
  })
  return {
    rule: {
      ...rule,
      get probability() {
        setImmediate(reached)
        return 1
      }
    },
    reached: Effect.promise(() => seen)
  }
}
