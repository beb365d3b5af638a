import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import {
  derivedNotificationIdPrefix,
  type NotificationIdentity,
  notificationDedupeKey,
  notificationIdOf,
  webhookFixture,
  webhookFixtureTopics
} from "../../src/index.ts"

const derived = new RegExp(`^${derivedNotificationIdPrefix}[0-9a-f]{32}$`)

const identity = fc.record({
  app_id: fc.string({ minLength: 1, maxLength: 12 }),
  topic: fc.constantFrom(...webhookFixtureTopics()),
  created_at: fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: undefined }),
  itemId: fc.option(fc.string({ minLength: 1, maxLength: 24 }), { nil: undefined })
})

type Identity = typeof identity extends fc.Arbitrary<infer T> ? T : never

const notificationOf = (fields: Identity): NotificationIdentity => ({
  id: null,
  app_id: fields.app_id,
  topic: fields.topic,
  ...(fields.created_at === undefined ? {} : { created_at: fields.created_at }),
  data: { item: { type: "contact", ...(fields.itemId === undefined ? {} : { id: fields.itemId }) } }
})

describe("notificationIdOf", () => {
  it("is Intercom's id when the notification has one", () => {
    for (const topic of webhookFixtureTopics()) {
      const fixture = webhookFixture(topic)
      if (typeof fixture.id === "string") assert.strictEqual(notificationIdOf(fixture), fixture.id)
    }
  })

  it("without an id (missing, null or empty): a derived stand-in, the same on every delivery attempt", () => {
    const fixture = webhookFixture("conversation.user.created")
    const { id: _, ...withoutId } = fixture
    const stand_in = notificationIdOf(withoutId)
    assert.match(stand_in, derived)
    assert.strictEqual(notificationIdOf({ ...fixture, id: null }), stand_in)
    assert.strictEqual(notificationIdOf({ ...fixture, id: "" }), stand_in)
    const retried = { ...fixture, id: null, delivery_attempts: 2, first_sent_at: 1_900_000_000 }
    assert.strictEqual(notificationIdOf(retried), stand_in)
  })

  it("distinct events get distinct stand-ins (workspace, topic, item id, creation time)", () => {
    fc.assert(
      fc.property(identity, identity, (a, b) => {
        const same =
          a.app_id === b.app_id &&
          a.topic === b.topic &&
          a.created_at === b.created_at &&
          a.itemId === b.itemId
        const idA = notificationIdOf(notificationOf(a))
        assert.match(idA, derived)
        assert.strictEqual(idA === notificationIdOf(notificationOf(b)), same)
      }),
      { seed: 42, numRuns: 500 }
    )
  })

  it("without item id and creation time the item's content decides, whatever its key order", () => {
    const base = { id: null, app_id: "ecahpwf5", topic: "contact.user.created" }
    const one = notificationIdOf({
      ...base,
      data: { item: { type: "contact", email: "a@example.com", name: "A" } }
    })
    const reordered = notificationIdOf({
      ...base,
      data: { item: { name: "A", email: "a@example.com", type: "contact" } }
    })
    const other = notificationIdOf({
      ...base,
      data: { item: { type: "contact", email: "b@example.com", name: "A" } }
    })
    assert.strictEqual(one, reordered)
    assert.notStrictEqual(one, other)
  })

  it("two different events of the same second without ids get different stand-ins (the whole item counts)", () => {
    const base = { id: null, app_id: "ecahpwf5", topic: "contact.user.created", created_at: 1_700_000_000 }
    const first = notificationIdOf({ ...base, data: { item: { type: "contact", email: "a@example.com" } } })
    const second = notificationIdOf({ ...base, data: { item: { type: "contact", email: "b@example.com" } } })
    assert.notStrictEqual(first, second)
    const reply = webhookFixture("conversation.user.replied")
    const { id: _, ...idless } = reply
    const otherPart = {
      ...idless,
      data: {
        ...idless.data,
        item: { ...idless.data.item, conversation_parts: { type: "conversation_part.list" } }
      }
    }
    assert.notStrictEqual(
      notificationIdOf(idless),
      notificationIdOf(otherPart),
      "two replies to one conversation"
    )
  })

  it("notificationDedupeKey is the workspace and the id", () => {
    const fixture = webhookFixture("conversation.user.created")
    assert.strictEqual(notificationDedupeKey(fixture), `${fixture.app_id}:${notificationIdOf(fixture)}`)
    assert.notStrictEqual(
      notificationDedupeKey(fixture),
      notificationDedupeKey({ ...fixture, app_id: "other" })
    )
  })
})
