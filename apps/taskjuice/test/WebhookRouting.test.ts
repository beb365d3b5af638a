import { assert, describe, it } from "@effect/vitest"
import { NotificationDedupe, notificationIdOf, sign, webhookFixture } from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Connections } from "../src/Connections.ts"
import { receiveWebhook, type WebhookEndpointOptions } from "../src/WebhookEndpoint.ts"
import { testConnection } from "./support/Connections.ts"

const secret = Redacted.make("routing-secret")
const layer = Layer.mergeAll(
  Connections.layerMemory([
    testConnection({ id: "conn_admin_only" }),
    testConnection({ id: "conn_leads_only" })
  ]),
  NotificationDedupe.layerMemory()
)

// Each connection's workflows listen with their own options; the endpoint applies them with the core's `activates`.
const options: WebhookEndpointOptions = {
  secrets: [Redacted.make("an-old-secret"), secret],
  subscriptions: (connection) =>
    connection.id === "conn_admin_only"
      ? [{ triggerKey: "intercom/conversation-created", options: { initiator: "admin" } }]
      : [
          { triggerKey: "intercom/contact-created", options: { role: "lead" } },
          { triggerKey: "intercom/no-such-trigger", options: {} }
        ]
}

const deliver = (topic: string, changes: Record<string, unknown> = {}) => {
  const body = JSON.stringify({ ...webhookFixture(topic), ...changes })
  return receiveWebhook(Buffer.from(body), { "x-hub-signature": sign(body, secret, "sha1") }, options)
}

const activated = (receipt: Effect.Success<ReturnType<typeof deliver>>) =>
  receipt._tag === "Accepted"
    ? receipt.activations.map((a) => `${a.connectionId} ${a.triggerKey}`)
    : [receipt._tag]

describe("receiveWebhook routing", () => {
  it.effect("activates only the subscriptions whose options accept the topic, with any accepted secret", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(activated(yield* deliver("conversation.user.created")), [])
      assert.deepStrictEqual(activated(yield* deliver("conversation.admin.single.created")), [
        "conn_admin_only intercom/conversation-created"
      ])
      assert.deepStrictEqual(activated(yield* deliver("contact.user.created")), [])
      assert.deepStrictEqual(activated(yield* deliver("contact.lead.created")), [
        "conn_leads_only intercom/contact-created"
      ])
    }).pipe(Effect.provide(layer))
  )

  it.effect("recognizes a repeat of a notification that carries no id", () =>
    Effect.gen(function* () {
      const first = yield* deliver("contact.lead.created", { id: null, delivery_attempts: 1 })
      const second = yield* deliver("contact.lead.created", { id: null, delivery_attempts: 2 })
      assert.strictEqual(first._tag, "Accepted")
      assert.strictEqual(second._tag, "Duplicate")
      const other = yield* deliver("contact.lead.created", { id: null, created_at: 1 })
      assert.strictEqual(other._tag, "Accepted")
      const fixture = webhookFixture("contact.lead.created")
      assert.match(notificationIdOf({ ...fixture, id: null }), /^derived_[0-9a-f]{32}$/)
    }).pipe(Effect.provide(layer))
  )
})
