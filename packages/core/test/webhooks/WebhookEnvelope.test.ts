import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import {
  decodeNotification,
  decodeNotificationBody,
  makeNotificationEnvelope,
  NotificationEnvelope,
  readBodyText,
  WebhookEnvelopeError,
  webhookBodyLimitBytes,
  webhookFixture,
  webhookFixtureBytes
} from "../../src/index.ts"

const encoder = new TextEncoder()

const minimal = {
  type: "notification_event",
  app_id: "a86dr8yl",
  topic: "ping",
  data: { type: "notification_event_data", item: { type: "ping", message: "hello" } }
}

const failure = (body: Uint8Array | string) => Effect.flip(decodeNotification(body))

/** A valid envelope padded with an unmodelled field to exactly `size` bytes. */
const paddedEnvelope = (size: number): Uint8Array => {
  const skeleton = JSON.stringify({ ...minimal, padding: "" })
  const padding = "x".repeat(size - encoder.encode(skeleton).byteLength)
  return encoder.encode(JSON.stringify({ ...minimal, padding }))
}

describe("makeNotificationEnvelope", () => {
  it("wraps an item as Intercom's deliveries do, and decodes to itself", () => {
    const item = webhookFixture("contact.user.created").data.item
    const envelope = makeNotificationEnvelope({
      topic: "contact.user.created",
      appId: "a86dr8yl",
      item,
      id: "notif_0c1f",
      createdAt: 1_700_000_000
    })
    assert.deepStrictEqual(
      Object.keys(envelope).sort(),
      Object.keys(webhookFixture("contact.user.created")).sort()
    )
    assert.deepStrictEqual(envelope.data, { type: "notification_event_data", item })
    assert.strictEqual(envelope.first_sent_at, 1_700_000_000)
    assert.deepStrictEqual(decodeNotificationBody(JSON.stringify(envelope)), envelope)
  })
})

describe("decodeNotification", () => {
  it.effect("decodes the fixture bytes of every topic", () =>
    Effect.gen(function* () {
      for (const topic of ["conversation.user.created", "contact.lead.created", "ping"]) {
        const notification = yield* decodeNotification(webhookFixtureBytes(topic))
        assert.strictEqual(notification.type, "notification_event")
        assert.strictEqual(notification.topic, topic)
        assert.strictEqual(notification.app_id, "a86dr8yl")
      }
    })
  )

  it.effect("keeps every field it does not model, at every level (nothing is lost)", () =>
    Effect.gen(function* () {
      const raw = new TextDecoder().decode(webhookFixtureBytes("conversation.user.replied"))
      const notification = yield* decodeNotification(raw)
      assert.deepStrictEqual(notification, JSON.parse(raw))
      const extended = { ...minimal, brand_new: { nested: [1, 2] }, data: { ...minimal.data, extra: true } }
      assert.deepStrictEqual<unknown>(yield* decodeNotification(JSON.stringify(extended)), extended)
    })
  )

  it.effect("accepts a null or absent id (pings), refuses any other type", () =>
    Effect.gen(function* () {
      assert.isNull((yield* decodeNotification(JSON.stringify({ ...minimal, id: null }))).id)
      assert.isUndefined((yield* decodeNotification(JSON.stringify(minimal))).id)
      const error = yield* failure(JSON.stringify({ ...minimal, id: 42 }))
      assert.strictEqual(error.reason._tag, "InvalidEnvelope")
    })
  )

  it.effect("names every bad field by its path", () =>
    Effect.gen(function* () {
      const bad = {
        type: "notification_event",
        topic: 7,
        created_at: "yesterday",
        data: { type: "notification_event_data", item: { message: "no type" } }
      }
      const error = yield* failure(JSON.stringify(bad))
      assert.strictEqual(error.reason._tag, "InvalidEnvelope")
      if (error.reason._tag !== "InvalidEnvelope") return
      const paths = error.reason.issues.map((issue) => issue.path).sort()
      assert.deepStrictEqual(paths, ["app_id", "created_at", "data.item.type", "topic"])
      assert.include(error.message, "data.item.type")
      assert.include(error.message, "app_id")
    })
  )

  it.effect("refuses the wrong envelope type and data type", () =>
    Effect.gen(function* () {
      const error = yield* failure(
        JSON.stringify({ ...minimal, type: "event", data: { ...minimal.data, type: "x" } })
      )
      assert.strictEqual(error.reason._tag, "InvalidEnvelope")
      if (error.reason._tag !== "InvalidEnvelope") return
      assert.deepStrictEqual(error.reason.issues.map((issue) => issue.path).sort(), ["data.type", "type"])
    })
  )

  it.effect("non-JSON, non-UTF-8 and non-object bodies are InvalidJson or InvalidEnvelope", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* failure("{not json")).reason._tag, "InvalidJson")
      assert.strictEqual((yield* failure(new Uint8Array([0x7b, 0xff, 0x7d]))).reason._tag, "InvalidJson")
      assert.strictEqual((yield* failure("")).reason._tag, "InvalidJson")
      const array = yield* failure("[]")
      assert.strictEqual(array.reason._tag, "InvalidEnvelope")
      assert.isFalse(array.retryable)
    })
  )

  it("readBodyText is the text the decode reads: a byte order mark dropped, not UTF-8 or over the limit refused", () => {
    const bytes = encoder.encode(JSON.stringify(minimal))
    const text = readBodyText(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]))
    assert.strictEqual(text, JSON.stringify(minimal))
    assert.deepStrictEqual(decodeNotificationBody(text as string), decodeNotificationBody(bytes))
    const notUtf8 = readBodyText(new Uint8Array([0x7b, 0xff, 0x7d]))
    assert.instanceOf(notUtf8, WebhookEnvelopeError)
    assert.strictEqual((notUtf8 as WebhookEnvelopeError).reason._tag, "InvalidJson")
    const over = readBodyText(paddedEnvelope(webhookBodyLimitBytes + 1))
    assert.strictEqual((over as WebhookEnvelopeError).reason._tag, "BodyTooLarge")
  })

  it.effect("a body of exactly the limit decodes; one byte more is BodyTooLarge", () =>
    Effect.gen(function* () {
      const atLimit = paddedEnvelope(webhookBodyLimitBytes)
      assert.strictEqual(atLimit.byteLength, webhookBodyLimitBytes)
      const decoded = yield* decodeNotification(atLimit)
      assert.strictEqual(decoded.topic, "ping")
      const over = paddedEnvelope(webhookBodyLimitBytes + 1)
      const error = yield* failure(over)
      assert.instanceOf(error, WebhookEnvelopeError)
      assert.deepStrictEqual(
        error.reason._tag === "BodyTooLarge" && [error.reason.bytes, error.reason.limit],
        [webhookBodyLimitBytes + 1, webhookBodyLimitBytes]
      )
      const overAsText = yield* failure(new TextDecoder().decode(over))
      assert.strictEqual(overAsText.reason._tag, "BodyTooLarge")
    })
  )

  it("webhookFixture returns a fresh copy each time", () => {
    const first = webhookFixture("ping")
    const second = webhookFixture("ping")
    assert.notStrictEqual(first, second)
    assert.deepStrictEqual(first, second)
  })

  it("the fast path agrees with the full envelope Schema on any envelope-like input", () => {
    const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
    const maybe = <A>(arbitrary: fc.Arbitrary<A>) =>
      fc.option(fc.oneof(arbitrary, anyValue), { nil: undefined })
    const envelopeLike = fc.record(
      {
        type: maybe(fc.constant("notification_event")),
        id: maybe(fc.oneof(fc.string(), fc.constant(null))),
        app_id: maybe(fc.string()),
        topic: maybe(fc.constantFrom("ping", "contact.user.created", "company.created")),
        created_at: maybe(fc.integer({ min: 0 })),
        delivery_attempts: maybe(fc.nat()),
        first_sent_at: maybe(fc.integer({ min: 0 })),
        extra: maybe(fc.dictionary(fc.string(), anyValue)),
        data: maybe(
          fc.record(
            {
              type: maybe(fc.constant("notification_event_data")),
              item: maybe(
                fc.record({ type: maybe(fc.string()), id: maybe(fc.string()) }, { requiredKeys: [] })
              ),
              more: maybe(anyValue)
            },
            { requiredKeys: [] }
          )
        )
      },
      { requiredKeys: [] }
    )
    const full = Schema.decodeUnknownResult(NotificationEnvelope, { errors: "all" })
    fc.assert(
      fc.property(envelopeLike, (candidate) => {
        const json = JSON.stringify(candidate)
        const fast = decodeNotificationBody(json)
        const expected = full(JSON.parse(json))
        if (Result.isSuccess(expected)) assert.deepStrictEqual<unknown>(fast, expected.success)
        else {
          assert.instanceOf(fast, WebhookEnvelopeError)
          assert.strictEqual(fast instanceof WebhookEnvelopeError && fast.reason._tag, "InvalidEnvelope")
        }
      }),
      { numRuns: 500 }
    )
  })
})
