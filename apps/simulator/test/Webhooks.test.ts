import {
  checkSignature,
  decodeNotification,
  verifySignature,
  WebhookSignatureError
} from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Simulator, type SimulatorOptions, startSimulator, UnknownTopicError } from "../src/index.ts"
import { type Receiver, startReceiver } from "./Receiver.ts"

const secret = Redacted.make("webhook-test-client-secret")
let receiver: Receiver
let sim: Simulator | undefined

beforeEach(async () => {
  receiver = await startReceiver()
})
afterEach(async () => {
  await sim?.close()
  sim = undefined
  await receiver.close()
})

const start = async (options: Partial<SimulatorOptions> = {}) => {
  sim = await startSimulator({
    clientSecret: secret,
    webhookUrls: [receiver.url],
    rateLimitPerMinute: 1_000_000,
    seed: "webhooks",
    ...options
  })
  return sim
}

const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${sim!.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${Redacted.value(sim!.accessToken)}`,
      "content-type": "application/json"
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return (await response.json()) as Record<string, unknown> & { id: string; conversation_id: string }
}

const topics = () => receiver.requests.map((request) => request.json.topic)
const item = (index: number) =>
  (receiver.requests[index]!.json.data as { item: Record<string, unknown> }).item

describe("state changes send what Intercom would", () => {
  it("contacts, conversations and replies made through the API, signed and verifiable by the core", async () => {
    await start()
    const user = await api("POST", "/contacts", { email: "hook@example.com" })
    await api("POST", "/contacts", { role: "lead", name: "Visitor" })
    const started = await api("POST", "/conversations", { from: { type: "user", id: user.id }, body: "Help" })
    await api("POST", `/conversations/${started.conversation_id}/reply`, {
      type: "user",
      message_type: "comment",
      intercom_user_id: user.id,
      body: "Any news?"
    })
    await receiver.waitFor(4)
    expect(new Set(topics())).toEqual(
      new Set([
        "contact.user.created",
        "contact.lead.created",
        "conversation.user.created",
        "conversation.user.replied"
      ])
    )
    const created = receiver.requests.find((request) => request.json.topic === "contact.user.created")!
    expect((created.json.data as { item: { id: string } }).item.id).toBe(user.id)
    for (const request of receiver.requests) {
      expect(request.headers["user-agent"]).toBe("intercom-parrot-service-client/1.0")
      const verified = await Effect.runPromise(verifySignature(request.body, request.headers, secret))
      expect([...verified].sort()).toEqual(["sha1", "sha256"])
      const envelope = await Effect.runPromise(decodeNotification(request.body))
      expect(envelope).toMatchObject({ type: "notification_event", app_id: sim!.store.workspace.id_code })
      expect(envelope.id).toMatch(/^notif_/)
    }
    const replied = receiver.requests.find((request) => request.json.topic === "conversation.user.replied")!
    const parts = (
      replied.json.data as { item: { conversation_parts: { conversation_parts: Array<unknown> } } }
    ).item.conversation_parts.conversation_parts
    expect(parts).toHaveLength(1)
  })

  it("an admin-started conversation is conversation.admin.single.created", async () => {
    await start()
    await sim!.trigger("conversation.admin.single.created")
    await receiver.waitFor(2)
    expect(topics()).toEqual(["contact.user.created", "conversation.admin.single.created"])
    expect((item(1).source as { author: { type: string } }).author.type).toBe("admin")
  })

  it("records every attempt with status and latency", async () => {
    await start()
    const [notification] = await sim!.trigger("contact.lead.created")
    const [delivery] = sim!.deliveries({ topic: "contact.lead.created" })
    expect(delivery).toMatchObject({
      notificationId: notification!.id,
      status: 200,
      ok: true,
      attempt: 1,
      url: receiver.url
    })
    expect(delivery!.latencyMs).toBeGreaterThan(0)
    expect(delivery!.payload).toBe(Buffer.from(receiver.requests[0]!.body).toString("utf8"))
  })
})

describe("signatures", () => {
  it.each([
    ["sha1", ["x-hub-signature"]],
    ["sha256", ["x-hub-signature-256"]],
    ["both", ["x-hub-signature", "x-hub-signature-256"]]
  ] as const)("--signature %s sends exactly %j, and they verify", async (mode, headers) => {
    await start({ signature: mode })
    await sim!.trigger("ping")
    await receiver.waitFor(1)
    const request = receiver.requests[0]!
    expect(
      Object.keys(request.headers)
        .filter((name) => name.startsWith("x-hub-signature"))
        .sort()
    ).toEqual(headers)
    expect(checkSignature(request.body, request.headers, secret)).not.toBeInstanceOf(WebhookSignatureError)
  })

  it("--signature invalid sends well-formed signatures that the core's verifier refuses", async () => {
    await start()
    await sim!.trigger("contact.user.created", { signature: "invalid" })
    await receiver.waitFor(1)
    const request = receiver.requests[0]!
    expect(request.headers["x-hub-signature"]).toMatch(/^sha1=[0-9a-f]{40}$/)
    const exit = await Effect.runPromiseExit(verifySignature(request.body, request.headers, secret))
    expect(Exit.isFailure(exit)).toBe(true)
    const result = checkSignature(request.body, request.headers, secret)
    expect(result).toBeInstanceOf(WebhookSignatureError)
    expect((result as WebhookSignatureError).reason._tag).toBe("Mismatch")
  })
})

describe("Intercom's delivery rules", () => {
  it("retries a failed delivery once, a (scaled) minute later, with delivery_attempts 2", async () => {
    await start({ timeScale: 0.02 })
    receiver.script.push({ status: 500 })
    const [notification] = await sim!.trigger("contact.user.created")
    expect(notification!.deliveries[0]).toMatchObject({ status: 500, ok: false })
    expect(notification!.deliveries[0]!.retryAt).not.toBeNull()
    await receiver.waitFor(2)
    await sim!.settle()
    expect(receiver.requests.map((request) => request.json.delivery_attempts)).toEqual([1, 2])
    expect(receiver.requests[1]!.json.id).toBe(receiver.requests[0]!.json.id)
    const attempts = sim!.deliveries({ topic: "contact.user.created" })
    expect(attempts.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
      [2, 200],
      [1, 500]
    ])
  })

  it("gives up after the one retry", async () => {
    await start({ timeScale: 0.02 })
    receiver.fallback = { status: 503 }
    await sim!.trigger("contact.user.created")
    await receiver.waitFor(2)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(receiver.requests).toHaveLength(2)
  })

  it("counts no answer within the (scaled) 5 s as a failure", async () => {
    await start({ timeScale: 0.01 })
    receiver.script.push({ status: 200, delayMs: 300 })
    const [notification] = await sim!.trigger("contact.lead.created")
    expect(notification!.deliveries[0]).toMatchObject({
      status: null,
      ok: false,
      error: "no answer within 50 ms"
    })
    await receiver.waitFor(2, 3000)
  })

  it("410 Gone disables the subscription", async () => {
    await start({ timeScale: 0.02 })
    receiver.script.push({ status: 410 })
    const [notification] = await sim!.trigger("contact.user.created")
    expect(notification!.deliveries[0]).toMatchObject({ status: 410, retryAt: null })
    expect(sim!.dispatcher.subscriptions[0]).toMatchObject({ active: false })
    await sim!.trigger("contact.user.created")
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(receiver.requests).toHaveLength(1)
  })

  it("429 throttles the subscription: the notification waits 1 (scaled) minute, then 2, then goes out", async () => {
    await start({ timeScale: 0.001 }) // 1 min = 60 ms
    receiver.script.push({ status: 429 }, { status: 429 })
    const [first] = await sim!.trigger("contact.user.created")
    expect(first!.deliveries[0]).toMatchObject({ status: 429, ok: false })
    expect(sim!.dispatcher.subscriptions[0]!.throttledUntil).not.toBeNull()
    await receiver.waitFor(3, 3000)
    await sim!.settle()
    const attempts = [...sim!.dispatcher.deliveries({ notificationId: first!.id })].reverse()
    expect(attempts.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
      [1, 429],
      [2, 429],
      [3, 200]
    ])
    const [one, two, three] = attempts.map((delivery) => delivery.sentAt)
    expect(two! - one!).toBeGreaterThanOrEqual(55)
    expect(three! - two!).toBeGreaterThanOrEqual(115) // the second 429 doubled the wait
    expect(sim!.dispatcher.subscriptions[0]!.throttledUntil).toBeNull()
  })

  it("a notification raised while the subscription is throttled is held, then sent once", async () => {
    await start({ timeScale: 0.001 })
    receiver.script.push({ status: 429 })
    const [first] = await sim!.trigger("contact.user.created")
    const [second] = await sim!.trigger("contact.lead.created")
    expect(second!.deliveries[0]).toMatchObject({
      status: null,
      error: expect.stringMatching(/^waiting: .*429/)
    })
    await receiver.waitFor(3, 3000)
    await sim!.settle()
    const sent = (id: string) =>
      [...sim!.dispatcher.deliveries({ notificationId: id })]
        .reverse()
        .filter((delivery) => delivery.status !== null)
        .map((delivery) => [delivery.attempt, delivery.status])
    expect(sent(first!.id)).toEqual([
      [1, 429],
      [2, 200]
    ])
    expect(sent(second!.id)).toEqual([[1, 200]])
  })

  it("a notification still held back by 429s two hours after it was sent is dropped", async () => {
    await start({ timeScale: 0.0001 }) // 1 min = 6 ms, 2 h = 720 ms
    receiver.fallback = { status: 429 }
    const [notification] = await sim!.trigger("contact.user.created")
    const id = notification!.id
    const dropped = () =>
      sim!.dispatcher
        .deliveries({ notificationId: id })
        .find((delivery) => delivery.error?.startsWith("dropped"))
    const deadline = Date.now() + 5000
    while (dropped() === undefined && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50))
    expect(dropped()).toMatchObject({ retryAt: null })
    const sent = receiver.requests.length
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(receiver.requests).toHaveLength(sent)
    // 6 ms doubling to 720 ms: 6, 12, 24, … ; never more than a dozen tries in those two (scaled) hours.
    expect(sent).toBeLessThanOrEqual(12)
  })

  it("more than 1,000 consecutive errors pause the subscription for 15 (scaled) minutes", async () => {
    await start({ timeScale: 0.001 }) // 15 min = 900 ms
    receiver.fallback = { status: 500 }
    await sim!.trigger("ping", { count: 1001 })
    expect(sim!.dispatcher.subscriptions[0]!.pausedUntil).not.toBeNull()
    const before = receiver.requests.length
    const [paused] = await sim!.trigger("contact.user.created")
    expect(paused!.deliveries[0]).toMatchObject({
      status: null,
      error: expect.stringMatching(/^not sent: .*paused/)
    })
    expect(receiver.requests).toHaveLength(before)
  })

  it("pings every subscription with Intercom's ping payload", async () => {
    await start()
    const ping = await sim!.ping()
    expect(ping.topic).toBe("ping")
    await receiver.waitFor(1)
    expect(receiver.requests[0]!.json).toMatchObject({
      topic: "ping",
      id: null,
      data: { item: { type: "ping" } }
    })
  })
})

describe("trigger and resend", () => {
  it("applies overrides to the triggered notification, --count times, to --forward-to", async () => {
    const other = await startReceiver()
    try {
      await start({ webhookUrls: [] })
      const results = await sim!.trigger("contact.user.created", {
        overrides: ["item.name=Ada Lovelace", 'data.item.custom_attributes.tier="gold"', "item.owner_id=42"],
        count: 3,
        forwardTo: other.url
      })
      expect(results).toHaveLength(3)
      await other.waitFor(3)
      for (const request of other.requests) {
        const overridden = (request.json.data as { item: Record<string, unknown> }).item
        expect(overridden).toMatchObject({
          name: "Ada Lovelace",
          custom_attributes: { tier: "gold" },
          owner_id: 42
        })
        expect(checkSignature(request.body, request.headers, secret)).not.toBeInstanceOf(
          WebhookSignatureError
        )
      }
      expect(new Set(other.requests.map((request) => request.json.id)).size).toBe(3)
      expect(receiver.requests).toHaveLength(0)
    } finally {
      await other.close()
    }
  })

  it("an unknown topic lists the valid ones", async () => {
    await start()
    const attempt = sim!.trigger("contact.created")
    await expect(attempt).rejects.toBeInstanceOf(UnknownTopicError)
    await expect(attempt).rejects.toThrow(/Valid topics: .*conversation\.user\.created/)
  })

  it("resend sends the same notification again as the next attempt", async () => {
    await start()
    const caused = await sim!.trigger("conversation.user.created")
    // Starting a conversation first creates its contact: two notifications.
    expect(caused.map((n) => n.topic)).toEqual([
      expect.stringMatching(/^contact\.(user|lead)\.created$/),
      "conversation.user.created"
    ])
    const notification = caused[1]
    await receiver.waitFor(2)
    const resent = await sim!.resend(notification!.id)
    expect(resent).toHaveLength(1)
    expect(resent[0]).toMatchObject({ notificationId: notification!.id, attempt: 2, status: 200 })
    await receiver.waitFor(3)
    const again = receiver.requests[2]!
    expect(again.json).toMatchObject({
      id: notification!.id,
      topic: "conversation.user.created",
      delivery_attempts: 2
    })
    expect(checkSignature(again.body, again.headers, secret)).not.toBeInstanceOf(WebhookSignatureError)
  })
})
