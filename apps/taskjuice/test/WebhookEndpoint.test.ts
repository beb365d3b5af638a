import { sign, webhookBodyLimitBytes, webhookFixture, webhookFixtureBytes } from "@taskjuice/intercom-core"
import * as Redacted from "effect/Redacted"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import type { Activation } from "../src/Activation.ts"
import { type BundleHost, startBundleHost } from "../src/BundleHost.ts"
import { testConnection } from "./support/Connections.ts"
import { runtimeFetch } from "./support/Runtime.ts"

const secret = "client-secret-for-webhooks"
let host: BundleHost
const lines: Array<string> = []
let blockListener: Promise<void> | undefined
const listened: Array<Activation> = []

beforeAll(async () => {
  host = await startBundleHost({
    clientId: "client-id",
    clientSecret: Redacted.make(secret),
    connections: [
      testConnection({ id: "conn_a" }),
      testConnection({ id: "conn_b" }),
      testConnection({ id: "conn_gone", workspaceId: "revoked1", status: "revoked" })
    ],
    writeLine: (line) => lines.push(line),
    onActivation: async (activation) => {
      listened.push(activation)
      await blockListener
    }
  })
})
afterAll(() => host.close())

const text = (topic: string) => Buffer.from(webhookFixtureBytes(topic)).toString("utf8")

const deliver = (body: string | Uint8Array, headers: Record<string, string> = {}, method = "POST") =>
  fetch(`${host.url}/webhooks/intercom`, {
    method,
    headers: {
      "content-type": "application/json",
      "user-agent": "intercom-parrot-service-client/1.0",
      ...headers
    },
    body: method === "GET" || method === "HEAD" ? null : typeof body === "string" ? body : Buffer.from(body)
  })

const sha1 = (body: string) => ({ "x-hub-signature": sign(body, secret, "sha1") })

const withChanges = (topic: string, changes: Record<string, unknown>) =>
  JSON.stringify({ ...webhookFixture(topic), ...changes })

/** Waits until `condition` holds (work that happens after the response), failing after a while. */
const eventually = async (condition: () => boolean) => {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) assert.fail("the condition never held")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const activationsFor = (notificationId: string) =>
  host.activations.recent().filter((activation) => activation.notificationId === notificationId)

describe("POST /webhooks/intercom", () => {
  it("accepts a delivery signed with sha1 and activates the trigger for each of the workspace's connections", async () => {
    const body = text("conversation.user.created")
    const response = await deliver(body, sha1(body))
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(await response.json(), { received: "accepted", activations: 2 })
    const notification = JSON.parse(body) as { id: string }
    const activations = activationsFor(notification.id)
    assert.deepStrictEqual(
      activations.map((activation) => [activation.triggerKey, activation.connectionId]),
      [
        ["intercom/conversation-created", "conn_a"],
        ["intercom/conversation-created", "conn_b"]
      ]
    )
    for (const activation of activations) {
      assert.deepStrictEqual(activation.payload, JSON.parse(body))
      assert.strictEqual(activation.topic, "conversation.user.created")
      assert.strictEqual(activation.workspaceId, "a86dr8yl")
      assert.strictEqual(
        activation.dedupeKey,
        `${notification.id}:${activation.connectionId}:${activation.triggerKey}`
      )
    }
    const served = (await (await runtimeFetch(host, "/activations")).json()) as {
      activations: Array<Activation>
    }
    assert.deepStrictEqual(
      served.activations.filter((activation) => activation.notificationId === notification.id),
      JSON.parse(JSON.stringify(activations))
    )
    const logged = () =>
      lines
        .map((line) => JSON.parse(line) as { event: string; notificationId?: string; payload?: unknown })
        .filter((line) => line.event === "activation" && line.notificationId === notification.id)
    await eventually(() => logged().length === 2)
    assert.deepStrictEqual(logged()[0]?.payload, JSON.parse(body))
  })

  it("accepts a delivery signed only with sha256", async () => {
    const body = text("contact.user.created")
    const response = await deliver(body, { "x-hub-signature-256": sign(body, secret, "sha256") })
    assert.strictEqual(response.status, 200)
    const activations = activationsFor((JSON.parse(body) as { id: string }).id)
    assert.deepStrictEqual(
      activations.map((activation) => activation.triggerKey),
      ["intercom/contact-created", "intercom/contact-created"]
    )
  })

  it("answers 401 to a bad signature and to none, before reading the body", async () => {
    const body = text("conversation.user.replied")
    const before = host.activations.recent().length
    const tampered = await deliver(body.replace("conversation", "konversation"), sha1(body))
    assert.strictEqual(tampered.status, 401)
    assert.strictEqual(
      ((await tampered.json()) as { error: { detail: { reason: string } } }).error.detail.reason,
      "Mismatch"
    )
    const otherSecret = await deliver(body, { "x-hub-signature": sign(body, "not-our-secret", "sha1") })
    assert.strictEqual(otherSecret.status, 401)
    const unsigned = await deliver(body)
    assert.strictEqual(unsigned.status, 401)
    assert.strictEqual(
      ((await unsigned.json()) as { error: { detail: { reason: string } } }).error.detail.reason,
      "MissingHeader"
    )
    // Even garbage is refused for its missing signature, not parsed.
    const garbage = await deliver("{not json")
    assert.strictEqual(garbage.status, 401)
    assert.strictEqual(host.activations.recent().length, before)
  })

  it("answers 400 to a correctly signed body that is not a notification", async () => {
    for (const body of [
      "{not json",
      JSON.stringify({ type: "notification_event", topic: "contact.user.created" })
    ]) {
      const response = await deliver(body, sha1(body))
      assert.strictEqual(response.status, 400)
    }
  })

  it("answers a ping with 200 and activates nothing", async () => {
    const before = host.activations.recent().length
    const body = text("ping")
    const response = await deliver(body, sha1(body))
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(await response.json(), { received: "ping" })
    assert.strictEqual(host.activations.recent().length, before)
  })

  it("drops a repeated delivery of the same notification", async () => {
    const first = withChanges("conversation.user.replied", { id: "notif_repeat_1", delivery_attempts: 1 })
    const second = withChanges("conversation.user.replied", { id: "notif_repeat_1", delivery_attempts: 2 })
    assert.strictEqual((await deliver(first, sha1(first))).status, 200)
    const again = await deliver(second, sha1(second))
    assert.strictEqual(again.status, 200)
    assert.deepStrictEqual(await again.json(), { received: "duplicate", notificationId: "notif_repeat_1" })
    assert.deepStrictEqual(
      activationsFor("notif_repeat_1").map((activation) => activation.triggerKey),
      ["intercom/conversation-user-replied", "intercom/conversation-user-replied"]
    )
  })

  it("acknowledges an unknown workspace, a revoked one and an unknown topic with 200 and no activation", async () => {
    const before = host.activations.recent().length
    for (const changes of [
      { id: "notif_unknown_ws", app_id: "zz999zzz" },
      { id: "notif_revoked_ws", app_id: "revoked1" },
      { id: "notif_unknown_topic", topic: "company.created" }
    ]) {
      const body = withChanges("contact.lead.created", changes)
      const response = await deliver(body, sha1(body))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(((await response.json()) as { received: string }).received, "ignored")
    }
    assert.strictEqual(host.activations.recent().length, before)
  })

  it("answers 413 to a body over the limit", async () => {
    const body = JSON.stringify({ padding: "x".repeat(webhookBodyLimitBytes) })
    const response = await deliver(body, sha1(body))
    assert.strictEqual(response.status, 413)
  })

  it("answers 405 with Allow to other methods, 200 to Intercom's HEAD check, and never 410", async () => {
    const get = await deliver("", {}, "GET")
    assert.strictEqual(get.status, 405)
    assert.strictEqual(get.headers.get("allow"), "POST, HEAD")
    for (const method of ["PUT", "DELETE", "PATCH"])
      assert.strictEqual((await deliver("{}", {}, method)).status, 405)
    assert.strictEqual((await deliver("", {}, "HEAD")).status, 200)
  })

  it("acknowledges before the workflow work is done", async () => {
    let release = () => {}
    blockListener = new Promise<void>((resolve) => {
      release = resolve
    })
    const body = withChanges("conversation.admin.single.created", { id: "notif_slow_workflow" })
    const started = listened.length
    const response = await deliver(body, sha1(body))
    assert.strictEqual(response.status, 200)
    // The listeners (the workflow start) are called but have not finished; the delivery was acknowledged regardless.
    await eventually(() => listened.length === started + 2)
    release()
    blockListener = undefined
  })
})
