/**
 * A Redis outage, for real: the suite's redis-server is stopped under a running worker. The stores fail
 * with a retryable StoreUnavailable (the host answers 503, Intercom delivers again later) instead of
 * hanging, and the core's rate limiter keeps pacing in its own process instead of failing the action.
 */
import { assert, describe, it } from "@effect/vitest"
import { NotificationDedupe, NotificationDedupeError, RateLimiter } from "@taskjuice/intercom-core"
import { startRedisServer } from "@taskjuice/intercom-testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { ActivationInbox, ConnectionStore, generateStateKey, State, StoreUnavailable } from "../src/index.ts"
import { activationFixture, keysOf } from "./conformance.ts"

describe("redis outage", () => {
  it("stores fail retryably and at once; the rate limiter falls back to pacing locally", {
    timeout: 30_000
  }, async () => {
    const redis = await startRedisServer()
    const state = State.layer({
      location: { _tag: "Redis", host: redis.host, port: redis.port, database: 0 },
      keys: keysOf(generateStateKey())
    }).pipe(Layer.provide(Logger.layer([])))
    const runtime = ManagedRuntime.make(
      Layer.mergeAll(state, RateLimiter.layerStore.pipe(Layer.provide(state))).pipe(
        Layer.provideMerge(Logger.layer([]))
      )
    )
    try {
      const delivery = {
        dedupeKey: "ws_a:notif_1",
        expiresAtMillis: Date.now() + 60_000,
        activations: [activationFixture("n1")]
      }
      const accepted = await runtime.runPromise(
        Effect.flatMap(Effect.service(ActivationInbox), (inbox) => inbox.accept(delivery))
      )
      assert.strictEqual(accepted._tag, "Accepted")
      await redis.stop()

      const failed = await runtime.runPromise(
        Effect.flip(
          Effect.flatMap(Effect.service(ActivationInbox), (inbox) =>
            inbox.accept({ ...delivery, dedupeKey: "ws_a:notif_2" })
          )
        )
      )
      assert.instanceOf(failed, StoreUnavailable)
      assert.isTrue(failed.retryable)
      const listing = await runtime.runPromise(
        Effect.flip(Effect.flatMap(Effect.service(ConnectionStore), (store) => store.list))
      )
      assert.instanceOf(listing, StoreUnavailable)
      const marked = await runtime.runPromise(
        Effect.flip(
          Effect.flatMap(Effect.service(NotificationDedupe), (dedupe) => dedupe.markIfNew("ws_a:notif_3"))
        )
      )
      assert.instanceOf(marked, NotificationDedupeError)
      assert.strictEqual(marked.reason, "Unavailable")

      const limiter = await runtime.runPromise(Effect.service(RateLimiter))
      await runtime.runPromise(limiter.acquire("ws_a"))
      await runtime.runPromise(
        limiter.observe(
          "ws_a",
          { limit: 5, remaining: 4, resetAt: Math.floor(Date.now() / 1000) + 30 },
          false
        )
      )
      const grants = await runtime.runPromise(
        Effect.forEach(
          Array.from({ length: 8 }),
          () => Effect.timeoutOption(limiter.acquire("ws_a"), "500 millis"),
          {
            concurrency: "unbounded"
          }
        )
      )
      assert.strictEqual(
        grants.filter((grant) => grant._tag === "Some").length,
        4,
        "paced by the local window"
      )
    } finally {
      await runtime.dispose()
      await redis.stop()
    }
  })
})
