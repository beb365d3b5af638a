import { assert, describe, it } from "@effect/vitest"
import { type NotificationIdentity, notificationIdOf, sign } from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { notificationNow } from "../src/testing/Deliveries.ts"
import { receiveWebhook, type WebhookEndpointOptions } from "../src/WebhookEndpoint.ts"
import { memoryStateWith, testConnection } from "./support/Connections.ts"

const secret = Redacted.make("routing-secret")
// One send time for the file, so two attempts of an id-less notification derive the same id.
const sentAt = Math.floor(Date.now() / 1000)
const layer = memoryStateWith([
  testConnection({ id: "conn_admin_only" }),
  testConnection({ id: "conn_leads_only" })
])

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
  const body = JSON.stringify(notificationNow(topic, changes, sentAt))
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
      const other = yield* deliver("contact.lead.created", { id: null, created_at: sentAt - 1 })
      assert.strictEqual(other._tag, "Accepted")
      assert.match(
        notificationIdOf(
          notificationNow("contact.lead.created", { id: null }) as unknown as NotificationIdentity
        ),
        /^derived_[0-9a-f]{32}$/
      )
    }).pipe(Effect.provide(layer))
  )
})
