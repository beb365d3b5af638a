import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { TestClock } from "effect/testing"
import {
  checkReplay,
  defaultDedupeWindow,
  isStaleReplay,
  markNotificationIfNew,
  NotificationDedupe,
  NotificationDedupeError,
  notificationDedupeKey,
  replayCutoffMillis,
  staleReplayNotifications,
  webhookFixture
} from "../../src/index.ts"

const markIfNew = (id: string) =>
  Effect.gen(function* () {
    const store = yield* NotificationDedupe
    return yield* store.markIfNew(id)
  })

describe("NotificationDedupe", () => {
  it.effect("an id activates once; other ids are independent", () =>
    Effect.gen(function* () {
      assert.isTrue(yield* markIfNew("notif_a"))
      assert.isFalse(yield* markIfNew("notif_a"))
      assert.isFalse(yield* markIfNew("notif_a"))
      assert.isTrue(yield* markIfNew("notif_b"))
      assert.isFalse(yield* markIfNew("notif_b"))
    }).pipe(Effect.provide(NotificationDedupe.layer))
  )

  it.effect("the default window outlasts Intercom's retry a minute later", () =>
    Effect.gen(function* () {
      assert.isAbove(Duration.toMillis(defaultDedupeWindow), Duration.toMillis(Duration.minutes(1)))
      assert.isTrue(yield* markIfNew("notif_retry"))
      yield* TestClock.adjust(Duration.seconds(65))
      assert.isFalse(yield* markIfNew("notif_retry"), "Intercom's retry after a minute is a duplicate")
      yield* TestClock.adjust(Duration.minutes(13))
      assert.isFalse(yield* markIfNew("notif_retry"), "still within 15 minutes")
    }).pipe(Effect.provide(NotificationDedupe.layer))
  )

  it.effect("an id is forgotten once its window has passed (TestClock)", () =>
    Effect.gen(function* () {
      assert.isTrue(yield* markIfNew("notif_x"))
      yield* TestClock.adjust(Duration.seconds(119))
      assert.isFalse(yield* markIfNew("notif_x"))
      yield* TestClock.adjust(Duration.seconds(1))
      assert.isTrue(yield* markIfNew("notif_x"), "exactly at expiry the id is new again")
      assert.isFalse(yield* markIfNew("notif_x"), "and starts a fresh window")
      yield* TestClock.adjust(Duration.seconds(60))
      assert.isFalse(yield* markIfNew("notif_x"))
    }).pipe(Effect.provide(NotificationDedupe.layerMemory({ window: "2 minutes" })))
  )

  it.effect("a duplicate does not extend the window", () =>
    Effect.gen(function* () {
      assert.isTrue(yield* markIfNew("notif_y"))
      yield* TestClock.adjust(Duration.seconds(90))
      assert.isFalse(yield* markIfNew("notif_y"))
      yield* TestClock.adjust(Duration.seconds(30))
      assert.isTrue(yield* markIfNew("notif_y"), "expires 2 minutes after it was first seen")
    }).pipe(Effect.provide(NotificationDedupe.layerMemory({ window: "2 minutes" })))
  )

  it.effect(
    "bounded without forgetting: at capacity a new key is refused (retryable, Full), never evicting",
    () =>
      Effect.gen(function* () {
        for (const id of ["n1", "n2", "n3"]) assert.isTrue(yield* markIfNew(id))
        const refused = yield* Effect.flip(markIfNew("n4"))
        assert.instanceOf(refused, NotificationDedupeError)
        assert.strictEqual(refused.reason, "Full")
        assert.isTrue(refused.retryable)
        for (const id of ["n1", "n2", "n3"]) assert.isFalse(yield* markIfNew(id), `${id} is still remembered`)
        yield* TestClock.adjust("15 minutes")
        assert.isTrue(yield* markIfNew("n4"), "room again once the oldest keys leave their window")
      }).pipe(Effect.provide(NotificationDedupe.layerMemory({ capacity: 3 })))
  )

  it.effect("the same notification id from two workspaces is two keys: both activate", () =>
    Effect.gen(function* () {
      const fixture = webhookFixture("conversation.user.created")
      assert.isTrue(yield* markNotificationIfNew({ ...fixture, app_id: "workspace_a" }))
      assert.isTrue(yield* markNotificationIfNew({ ...fixture, app_id: "workspace_b" }))
      assert.isFalse(yield* markNotificationIfNew({ ...fixture, app_id: "workspace_b" }))
      assert.notStrictEqual(
        notificationDedupeKey({ ...fixture, app_id: "workspace_a" }),
        notificationDedupeKey({ ...fixture, app_id: "workspace_b" })
      )
    }).pipe(Effect.provide(NotificationDedupe.layer))
  )

  it.effect("each layer build has its own memory", () =>
    Effect.gen(function* () {
      assert.isTrue(yield* markIfNew("notif_shared"))
      assert.isTrue(yield* markIfNew("notif_shared").pipe(Effect.provide(NotificationDedupe.layerMemory())))
    }).pipe(Effect.provide(NotificationDedupe.layerMemory()))
  )

  it("refuses a non-positive window or capacity", () => {
    assert.throws(() => NotificationDedupe.makeMemory({ window: 0 }), RangeError)
    assert.throws(() => NotificationDedupe.makeMemory({ capacity: 0 }), RangeError)
    assert.throws(() => NotificationDedupe.makeMemory({ capacity: 1.5 }), RangeError)
  })

  it.effect(
    "markNotificationIfNew: by Intercom's id, or by the stand-in when the notification has none",
    () =>
      Effect.gen(function* () {
        const fixture = webhookFixture("contact.lead.created")
        assert.isTrue(yield* markNotificationIfNew(fixture))
        const repeat = { ...fixture, delivery_attempts: 2 }
        assert.isFalse(yield* markNotificationIfNew(repeat))
        const idless = { ...fixture, id: null }
        assert.isTrue(yield* markNotificationIfNew(idless))
        // Intercom's retry a minute later: same event, new attempt count and send time.
        const retried = { ...idless, delivery_attempts: 2, first_sent_at: 1 }
        assert.isFalse(yield* markNotificationIfNew(retried))
        assert.isTrue(yield* markNotificationIfNew({ ...idless, created_at: (fixture.created_at ?? 0) + 1 }))
      }).pipe(Effect.provide(NotificationDedupe.layer))
  )

  it.effect("a plugged-in store is used, and its failure is a retryable tagged error", () =>
    Effect.gen(function* () {
      const notification = webhookFixture("contact.user.created")
      const error = yield* Effect.flip(markNotificationIfNew(notification))
      assert.instanceOf(error, NotificationDedupeError)
      assert.isTrue(error.retryable)
    }).pipe(
      Effect.provideService(NotificationDedupe, {
        markIfNew: () => Effect.fail(new NotificationDedupeError({ cause: new Error("store unreachable") }))
      })
    )
  )

  describe("replay past the window", () => {
    const now = Date.UTC(2026, 10, 1, 12, 0, 0)
    const secondsAgo = (seconds: number) => Math.floor(now / 1000) - seconds

    it("stale once first sent longer ago than the window less the margin (13 minutes by default)", () => {
      assert.isFalse(isStaleReplay({ first_sent_at: secondsAgo(60) }, now), "Intercom's retry a minute later")
      assert.isFalse(isStaleReplay({ first_sent_at: secondsAgo(13 * 60) }, now), "exactly at the cutoff")
      assert.isTrue(isStaleReplay({ first_sent_at: secondsAgo(13 * 60 + 1) }, now))
      assert.isTrue(isStaleReplay({ first_sent_at: secondsAgo(16 * 60) }, now), "past the window itself")
    })

    it("first_sent_at decides, else created_at; without either it cannot be placed", () => {
      assert.isFalse(isStaleReplay({ first_sent_at: secondsAgo(60), created_at: secondsAgo(3600) }, now))
      assert.isTrue(isStaleReplay({ created_at: secondsAgo(3600) }, now))
      assert.isFalse(isStaleReplay({}, now))
    })

    it("follows the window and margin it is given, and refuses a margin as long as the window", () => {
      const options = { window: "2 minutes", margin: "30 seconds" } as const
      assert.isFalse(isStaleReplay({ first_sent_at: secondsAgo(90) }, now, options))
      assert.isTrue(isStaleReplay({ first_sent_at: secondsAgo(91) }, now, options))
      assert.strictEqual(replayCutoffMillis(now, options), now - 90_000)
      assert.throws(() => isStaleReplay({}, now, { window: "1 minute", margin: "1 minute" }), RangeError)
    })

    it.effect("checkReplay reads the Clock and counts stale replays by topic", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(now)
        const fixture = webhookFixture("contact.user.created")
        const count = Effect.map(
          Metric.value(staleReplayNotifications),
          (state) => state.occurrences.get(fixture.topic) ?? 0
        )
        const before = yield* count
        assert.isFalse(yield* checkReplay({ ...fixture, first_sent_at: secondsAgo(5) }))
        assert.isTrue(yield* checkReplay({ ...fixture, first_sent_at: secondsAgo(20 * 60) }))
        assert.strictEqual((yield* count) - before, 1)
      })
    )
  })
})
