import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Schema from "effect/Schema"
import {
  type AnyTrigger,
  checkTriggerPayload,
  classifyNotification,
  contactCreated,
  conversationCreated,
  conversationUserReplied,
  decodeTriggerOptions,
  decodeTriggerPayload,
  defaultTriggerOptions,
  isWebhookTopic,
  routeNotification,
  TriggerDecodeError,
  triggerByKey,
  triggers,
  unknownTopicNotifications,
  webhookFixture,
  webhookTopics
} from "../../src/index.ts"

const decodeOptions = <T extends AnyTrigger>(trigger: T, input: unknown) =>
  Schema.decodeUnknownSync(trigger.options)(input) as T["options"]["Type"]

describe("triggers: keys and topics", () => {
  it("has the three documented keys, each found by key", () => {
    assert.deepStrictEqual(
      triggers.map((trigger) => trigger.key),
      ["intercom/conversation-created", "intercom/conversation-user-replied", "intercom/contact-created"]
    )
    for (const trigger of triggers) assert.strictEqual(triggerByKey(trigger.key), trigger)
    assert.isUndefined(triggerByKey("intercom/contact-deleted"))
  })

  it("maps each trigger to its Intercom 2.x topics", () => {
    assert.deepStrictEqual(conversationCreated.topics, [
      "conversation.user.created",
      "conversation.admin.single.created"
    ])
    assert.deepStrictEqual(conversationUserReplied.topics, ["conversation.user.replied"])
    assert.deepStrictEqual(contactCreated.topics, ["contact.user.created", "contact.lead.created"])
  })

  it("webhookTopics lists every trigger topic plus ping, and nothing else", () => {
    const expected = new Set([...triggers.flatMap((trigger) => trigger.topics), "ping"])
    assert.deepStrictEqual(new Set(webhookTopics), expected)
    assert.isTrue(isWebhookTopic("ping"))
    assert.isFalse(isWebhookTopic("contact.created"), "the 1.x name is not a 2.x topic")
  })
})

describe("triggers: options", () => {
  it("conversation-created: initiator defaults to both; contact and admin select one topic each", () => {
    const defaults = decodeOptions(conversationCreated, {})
    assert.deepStrictEqual(defaults, { initiator: "both" })
    const table = [
      ["both", "conversation.user.created", true],
      ["both", "conversation.admin.single.created", true],
      ["contact", "conversation.user.created", true],
      ["contact", "conversation.admin.single.created", false],
      ["admin", "conversation.user.created", false],
      ["admin", "conversation.admin.single.created", true],
      ["both", "conversation.user.replied", false],
      ["both", "contact.user.created", false],
      ["both", "ping", false]
    ] as const
    for (const [initiator, topic, expected] of table) {
      const options = decodeOptions(conversationCreated, { initiator })
      assert.strictEqual(conversationCreated.activates(topic, options), expected, `${initiator} × ${topic}`)
    }
  })

  it("contact-created: role defaults to both; user and lead select one topic each", () => {
    assert.deepStrictEqual(decodeOptions(contactCreated, {}), { role: "both" })
    const table = [
      ["both", "contact.user.created", true],
      ["both", "contact.lead.created", true],
      ["user", "contact.user.created", true],
      ["user", "contact.lead.created", false],
      ["lead", "contact.user.created", false],
      ["lead", "contact.lead.created", true],
      ["both", "conversation.user.created", false],
      ["both", "contact.created", false]
    ] as const
    for (const [role, topic, expected] of table) {
      const options = decodeOptions(contactCreated, { role })
      assert.strictEqual(contactCreated.activates(topic, options), expected, `${role} × ${topic}`)
    }
  })

  it("conversation-user-replied: no options; only its topic activates it", () => {
    const options = decodeOptions(conversationUserReplied, {})
    assert.isTrue(conversationUserReplied.activates("conversation.user.replied", options))
    assert.isFalse(conversationUserReplied.activates("conversation.admin.replied", options))
    assert.isFalse(conversationUserReplied.activates("conversation.user.created", options))
  })

  it("defaultTriggerOptions: the options a workflow gets when it sets none; they activate on every topic", () => {
    assert.deepStrictEqual(defaultTriggerOptions(conversationCreated), { initiator: "both" })
    assert.deepStrictEqual(defaultTriggerOptions(conversationUserReplied), {})
    assert.deepStrictEqual(defaultTriggerOptions(contactCreated), { role: "both" })
    for (const trigger of triggers as ReadonlyArray<AnyTrigger>) {
      const defaults = defaultTriggerOptions(trigger)
      assert.deepStrictEqual(defaults, decodeOptions(trigger, {}))
      for (const topic of trigger.topics)
        assert.isTrue(trigger.activates(topic, defaults), `${trigger.key} ${topic}`)
    }
  })

  it("defaultTriggerOptions throws, naming the trigger, for options without defaults (a defect)", () => {
    const strict = { ...contactCreated, options: Schema.Struct({ role: Schema.String }) }
    assert.throws(
      () => defaultTriggerOptions(strict),
      /intercom\/contact-created has options without defaults/
    )
  })

  it.effect("invalid options fail with the field path and the allowed values", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decodeTriggerOptions(conversationCreated, { initiator: "bot" }))
      assert.instanceOf(error, TriggerDecodeError)
      assert.strictEqual(error.part, "options")
      assert.deepStrictEqual(
        error.issues.map((issue) => issue.path),
        ["initiator"]
      )
      assert.include(error.message, "intercom/conversation-created")
      assert.include(error.issues[0]?.problem ?? "", "admin")
      const role = yield* Effect.flip(decodeTriggerOptions(contactCreated, { role: 3 }))
      assert.deepStrictEqual(
        role.issues.map((issue) => issue.path),
        ["role"]
      )
      assert.deepStrictEqual(yield* decodeTriggerOptions(contactCreated, { role: "lead" }), { role: "lead" })
    })
  )

  it("options and payload Schemas convert to JSON Schema, defaults and enums included", () => {
    for (const trigger of triggers) {
      const options = Schema.toJsonSchemaDocument(trigger.options)
      assert.strictEqual(options.schema.type, "object", trigger.key)
      const payload = Schema.toJsonSchemaDocument(trigger.payload)
      assert.isObject(payload.schema, trigger.key)
      assert.isAbove(Object.keys(payload.definitions).length, 0, trigger.key)
    }
    const initiator = Schema.toJsonSchemaDocument(conversationCreated.options).schema.properties
    assert.deepStrictEqual(initiator, {
      initiator: {
        type: "string",
        enum: ["contact", "admin", "both"],
        title: "Started by",
        description:
          "contact: conversations a user or lead starts; admin: one-to-one conversations an admin starts",
        default: "both"
      }
    })
  })
})

describe("triggers: payloads", () => {
  it("the sample is the first topic's fixture, typed", () => {
    assert.strictEqual(conversationCreated.sample.topic, "conversation.user.created")
    assert.strictEqual(conversationCreated.sample.data.item.id, "215470919183205")
    assert.strictEqual(contactCreated.sample.data.item.role, "user")
    const parts = conversationUserReplied.sample.data.item.conversation_parts.conversation_parts
    assert.strictEqual(parts.length, 1)
    assert.strictEqual(parts[0]?.part_type, "comment")
    // The author is not checked at runtime, and 2.12+ descriptions mark it optional.
    assert.strictEqual(parts[0]?.author?.type, "user")
  })

  it.effect("the payload is the whole envelope, unknown fields included", () =>
    Effect.gen(function* () {
      const notification = webhookFixture("contact.lead.created")
      const payload = yield* decodeTriggerPayload(contactCreated, notification)
      assert.deepStrictEqual<unknown>(payload, notification)
      assert.strictEqual(payload.data.item.role, "lead")
    })
  )

  it.effect("conversation-user-replied requires data.item.conversation_parts and names what is missing", () =>
    Effect.gen(function* () {
      const notification = webhookFixture("conversation.user.replied")
      const { conversation_parts: _parts, ...withoutParts } = notification.data.item
      const missing = { ...notification, data: { ...notification.data, item: withoutParts } }
      const error = yield* Effect.flip(decodeTriggerPayload(conversationUserReplied, missing))
      assert.strictEqual(error.part, "payload")
      assert.deepStrictEqual(
        error.issues.map((issue) => issue.path),
        ["data.item.conversation_parts"]
      )
      const badPart = structuredClone(notification) as { data: { item: Record<string, unknown> } }
      badPart.data.item.conversation_parts = {
        type: "conversation_part.list",
        total_count: 1,
        conversation_parts: [{ type: "conversation_part", part_type: "comment" }]
      }
      const partError = yield* Effect.flip(decodeTriggerPayload(conversationUserReplied, badPart))
      assert.deepStrictEqual(
        partError.issues.map((issue) => issue.path),
        ["data.item.conversation_parts.conversation_parts[0].id"]
      )
    })
  )

  it.effect("a payload whose item is the wrong object or whose topic is not the trigger's is refused", () =>
    Effect.gen(function* () {
      const contact = webhookFixture("contact.user.created")
      const error = yield* Effect.flip(decodeTriggerPayload(conversationCreated, contact))
      assert.includeMembers(
        error.issues.map((issue) => issue.path),
        ["topic", "data.item.type"]
      )
      const conversation = webhookFixture("conversation.user.created")
      const wrongTopic = { ...conversation, topic: "conversation.user.replied" }
      const topicError = yield* Effect.flip(decodeTriggerPayload(conversationCreated, wrongTopic))
      assert.deepStrictEqual(
        topicError.issues.map((issue) => issue.path),
        ["topic"]
      )
    })
  )
})

describe("checkTriggerPayload", () => {
  const cases = (): ReadonlyArray<{ readonly trigger: AnyTrigger; readonly notification: unknown }> => {
    const replied = webhookFixture("conversation.user.replied")
    const { conversation_parts: _parts, ...withoutParts } = replied.data.item
    const badPart = structuredClone(replied) as { data: { item: Record<string, unknown> } }
    badPart.data.item.conversation_parts = {
      type: "conversation_part.list",
      total_count: 1,
      conversation_parts: [{ type: "conversation_part", part_type: "comment" }]
    }
    const conversation = webhookFixture("conversation.user.created")
    return [
      ...triggers.flatMap((trigger) =>
        trigger.topics.map((topic) => ({
          trigger: trigger as AnyTrigger,
          notification: webhookFixture(topic)
        }))
      ),
      {
        trigger: conversationUserReplied,
        notification: { ...replied, data: { ...replied.data, item: withoutParts } }
      },
      { trigger: conversationUserReplied, notification: badPart },
      { trigger: conversationCreated, notification: webhookFixture("contact.user.created") },
      { trigger: conversationCreated, notification: { ...conversation, topic: "conversation.user.replied" } },
      {
        trigger: contactCreated,
        notification: { ...webhookFixture("contact.user.created"), created_at: "soon" }
      },
      { trigger: contactCreated, notification: null }
    ]
  }

  it.effect(
    "agrees with decodeTriggerPayload on every fixture and every bad payload, with the same issues",
    () =>
      Effect.gen(function* () {
        let refused = 0
        for (const { trigger, notification } of cases()) {
          const decoded = yield* Effect.result(decodeTriggerPayload(trigger, notification))
          const checked = checkTriggerPayload(trigger, notification)
          if (decoded._tag === "Success") assert.isUndefined(checked, `${trigger.key}: fits`)
          else {
            refused++
            assert.instanceOf(checked, TriggerDecodeError)
            assert.deepStrictEqual(checked?.issues, decoded.failure.issues)
          }
        }
        assert.strictEqual(refused, 6)
      })
  )
})

describe("classifyNotification", () => {
  it("ping: acknowledged, activates nothing", () => {
    assert.deepStrictEqual(classifyNotification(webhookFixture("ping")), { _tag: "Ping" })
  })

  it("each trigger topic routes to exactly the triggers listening to it", () => {
    for (const topic of webhookTopics) {
      const route = classifyNotification({ topic })
      if (topic === "ping") continue
      assert.strictEqual(route._tag, "Triggers", topic)
      if (route._tag !== "Triggers") continue
      assert.strictEqual(route.topic, topic)
      assert.deepStrictEqual(
        route.triggers.map((trigger) => trigger.key),
        triggers.filter((trigger) => trigger.topics.some((t) => t === topic)).map((trigger) => trigger.key)
      )
    }
  })

  it("unknown and retired topics: acknowledged, activate nothing", () => {
    for (const topic of ["conversation.admin.replied", "contact.created", "user.created", ""]) {
      assert.deepStrictEqual(classifyNotification({ topic }), { _tag: "UnknownTopic", topic })
    }
  })

  it.effect("routeNotification counts unknown topics by name, and nothing else", () =>
    Effect.gen(function* () {
      const count = (topic: string) =>
        Effect.map(Metric.value(unknownTopicNotifications), (state) => state.occurrences.get(topic) ?? 0)
      const before = yield* count("company.created")
      yield* routeNotification({ topic: "company.created" })
      yield* routeNotification({ topic: "company.created" })
      const route = yield* routeNotification({ topic: "ping" })
      assert.strictEqual(route._tag, "Ping")
      yield* routeNotification({ topic: "contact.user.created" })
      assert.strictEqual((yield* count("company.created")) - before, 2)
      assert.strictEqual(yield* count("ping"), 0)
      assert.strictEqual(yield* count("contact.user.created"), 0)
    })
  )
})
