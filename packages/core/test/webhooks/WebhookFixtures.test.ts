/**
 * The fixtures are the registry (one file per topic, named by the topic); these tests keep the files, the
 * triggers' topics and the schemas consistent, as stripe-cli's triggers_consistency_test does.
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import spec from "@taskjuice/intercom-client/spec.json" with { type: "json" }
import { Ajv, type ValidateFunction } from "ajv"
import { Ajv2020 } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import * as Schema from "effect/Schema"
import {
  NotificationEnvelope,
  triggers,
  WebhookFixtureError,
  webhookFixture,
  webhookFixtureBytes,
  webhookFixtureTopics,
  webhookFixtureUrl,
  webhookTopics
} from "../../src/index.ts"

// Intercom's own values for `format: uri` fields are relative references ("/contacts/…/tags"), and the
// spec even puts the format on a `type` field ("note"); validate them as URI references.
const isUriReference = (value: string) => {
  try {
    new URL(value, "https://api.intercom.io/")
    return true
  } catch {
    return false
  }
}

const specAjv = new Ajv({ strict: false, allErrors: true })
addFormats.default(specAjv)
specAjv.addFormat("uri", { type: "string", validate: isUriReference })
specAjv.addSchema({ ...spec, $id: "intercom-spec" })

const specSchemaFor = (itemType: string): ValidateFunction => {
  const validate = specAjv.getSchema(`intercom-spec#/components/schemas/${itemType}`)
  if (validate === undefined) throw new Error(`the spec has no schema for ${itemType}`)
  return validate
}

const errorsOf = (validate: ValidateFunction) =>
  (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""}`)

const triggerTopics = new Set<string>(triggers.flatMap((trigger) => trigger.topics))

describe("webhook fixtures: consistency", () => {
  it("every handled topic has a fixture and every fixture is a handled topic", () => {
    assert.deepStrictEqual([...webhookFixtureTopics()], [...webhookTopics].sort())
  })

  it("every trigger topic has a fixture, and every fixture but ping belongs to a trigger", () => {
    const fixtures = new Set(webhookFixtureTopics())
    for (const topic of triggerTopics) assert.isTrue(fixtures.has(topic), `no fixture for ${topic}`)
    for (const topic of fixtures) {
      if (topic !== "ping") assert.isTrue(triggerTopics.has(topic), `fixture ${topic} maps to no trigger`)
    }
  })

  it("each file is named after the topic it carries and decodes as a notification envelope", () => {
    for (const topic of webhookFixtureTopics()) {
      const raw: unknown = JSON.parse(readFileSync(webhookFixtureUrl(topic), "utf8"))
      const envelope = Schema.decodeUnknownSync(NotificationEnvelope)(raw)
      assert.strictEqual(envelope.topic, topic)
      assert.deepStrictEqual(envelope, raw, `${topic}: decoding must keep every field`)
      if (topic !== "ping") assert.match(envelope.id ?? "", /^notif_[0-9a-f-]{36}$/)
    }
  })

  it("each fixture decodes with the payload Schema of every trigger listening to its topic", () => {
    for (const trigger of triggers) {
      for (const topic of trigger.topics) {
        const decoded = Schema.decodeUnknownSync(trigger.payload)(webhookFixture(topic))
        assert.strictEqual(decoded.topic, topic)
      }
    }
  })

  it("each fixture's data.item validates against the patched Intercom spec's schema for its type", () => {
    for (const topic of webhookFixtureTopics()) {
      const item = webhookFixture(topic).data.item
      if (topic === "ping") {
        // The spec describes no notification objects; a ping item is just a type and a message.
        assert.deepStrictEqual(Object.keys(item).sort(), ["message", "type"])
        continue
      }
      const validate = specSchemaFor(item.type)
      assert.isTrue(validate(item), `${topic}: ${errorsOf(validate).join("; ")}`)
    }
  })

  it("the spec check can fail: a fixture item with a wrong field type or a missing required field is refused", () => {
    const item = structuredClone(webhookFixture("conversation.user.created").data.item)
    const validate = specSchemaFor("conversation")
    assert.isFalse(validate({ ...item, created_at: "2026-01-08" }))
    assert.include(errorsOf(validate).join(" "), "/created_at")
    // Only 2.11's description requires fields of a conversation (2.12+ require none).
    const required: ReadonlyArray<string> =
      (spec.components.schemas.conversation as { readonly required?: ReadonlyArray<string> }).required ?? []
    const { source: _source, ...withoutSource } = item
    assert.strictEqual(validate(withoutSource), !required.includes("source"))
  })

  it("each fixture validates against the JSON Schema published for its triggers' payloads", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    for (const trigger of triggers) {
      const document = Schema.toJsonSchemaDocument(trigger.payload)
      const validate = ajv.compile({ ...document.schema, $defs: document.definitions })
      for (const topic of trigger.topics) {
        assert.isTrue(
          validate(webhookFixture(topic)),
          `${trigger.key}/${topic}: ${errorsOf(validate).join("; ")}`
        )
      }
      assert.isFalse(validate(webhookFixture("ping")), `${trigger.key} must not accept a ping`)
    }
  })

  it("asking for a topic without a fixture fails with the list of available topics", () => {
    try {
      webhookFixtureBytes("user.created")
      assert.fail("expected a WebhookFixtureError")
    } catch (error) {
      assert.instanceOf(error, WebhookFixtureError)
      assert.include(String(error), "user.created")
      assert.include(String(error), "conversation.user.created")
    }
  })
})
