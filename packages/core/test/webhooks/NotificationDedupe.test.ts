import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import {
  defaultDedupeWindow,
  markNotificationIfNew,
  NotificationDedupe,
  NotificationDedupeError,
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

  it.effect("bounded: past capacity the oldest id is forgotten first", () =>
    Effect.gen(function* () {
      for (const id of ["n1", "n2", "n3"]) assert.isTrue(yield* markIfNew(id))
      assert.isTrue(yield* markIfNew("n4"), "n4 is new and evicts n1")
      assert.isFalse(yield* markIfNew("n4"))
      assert.isFalse(yield* markIfNew("n3"))
      assert.isFalse(yield* markIfNew("n2"))
      assert.isTrue(yield* markIfNew("n1"), "n1 was evicted")
    }).pipe(Effect.provide(NotificationDedupe.layerMemory({ capacity: 3 })))
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
})
