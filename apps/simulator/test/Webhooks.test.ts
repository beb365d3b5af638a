import { expect, it } from "@effect/vitest"
import {
  checkSignature,
  decodeNotification,
  verifySignature,
  WebhookSignatureError
} from "@taskjuice/intercom-core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { afterEach, beforeEach, describe } from "vitest"
import {
  IntercomSimulator,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
  UnknownTopicError
} from "../src/index.ts"
import { type Receiver, startReceiver } from "./Receiver.ts"
import { deliveryWhere, simulatorLayer } from "./support/Clocked.ts"

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

describe("Intercom's delivery rules (on TestClock: the minutes pass when the test says)", () => {
  const clocked = (options: Partial<SimulatorOptions> = {}) =>
    simulatorLayer({ clientSecret: secret, webhookUrls: [receiver.url], seed: "webhooks", ...options })
  const sent = () => receiver.requests.map((request) => request.json.delivery_attempts)

  it.effect("retries a failed delivery once, a minute later, with delivery_attempts 2", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      receiver.script.push({ status: 500 })
      const [notification] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
      const first = notification!.deliveries[0]!
      expect(first).toMatchObject({ status: 500, ok: false, retryAt: first.sentAt + 60_000 })
      yield* TestClock.adjust("59 seconds")
      expect(receiver.requests).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      const retried = yield* deliveryWhere(
        sim,
        (d) => d.notificationId === notification!.id && d.attempt === 2
      )
      expect(retried).toMatchObject({ status: 200, ok: true, retryAt: null })
      expect(sent()).toEqual([1, 2])
      expect(receiver.requests[1]!.json.id).toBe(receiver.requests[0]!.json.id)
    }).pipe(Effect.provide(clocked()))
  )

  it.effect("gives up after the one retry", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      receiver.fallback = { status: 503 }
      const [notification] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
      yield* TestClock.adjust("1 minute")
      const retried = yield* deliveryWhere(
        sim,
        (d) => d.notificationId === notification!.id && d.attempt === 2
      )
      expect(retried).toMatchObject({ status: 503, retryAt: null })
      yield* TestClock.adjust("1 hour")
      yield* Effect.promise(() => sim.settle())
      expect(receiver.requests).toHaveLength(2)
    }).pipe(Effect.provide(clocked()))
  )

  it.effect("counts no answer within 5 s as a failure, and retries it", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      receiver.script.push({ status: 200, delayMs: 60_000 })
      const pending = yield* Effect.forkChild(Effect.promise(() => sim.trigger("contact.lead.created")))
      yield* Effect.promise(() => receiver.waitFor(1))
      yield* TestClock.adjust("5 seconds")
      const [notification] = yield* Fiber.join(pending)
      expect(notification!.deliveries[0]).toMatchObject({
        status: null,
        ok: false,
        error: "no answer within 5000 ms"
      })
      yield* TestClock.adjust("1 minute")
      yield* deliveryWhere(sim, (d) => d.notificationId === notification!.id && d.attempt === 2)
      expect(receiver.requests).toHaveLength(2)
    }).pipe(Effect.provide(clocked()))
  )

  it.effect("scaled, the answer window still never drops below 2 s; the retry is scaled", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      receiver.script.push({ status: 200, delayMs: 60_000 })
      const pending = yield* Effect.forkChild(Effect.promise(() => sim.trigger("contact.lead.created")))
      yield* Effect.promise(() => receiver.waitFor(1))
      // 0.01 of Intercom's 5 s would be 50 ms: a receiver slowed by a busy machine would time out.
      yield* TestClock.adjust("1999 millis")
      expect(pending.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      const [notification] = yield* Fiber.join(pending)
      const first = notification!.deliveries[0]!
      expect(first).toMatchObject({ status: null, error: "no answer within 2000 ms" })
      expect(first.retryAt! - first.sentAt).toBe(2_000 + 600)
    }).pipe(Effect.provide(clocked({ timeScale: 0.01 })))
  )

  it.effect("410 Gone disables the subscription", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      receiver.script.push({ status: 410 })
      const [notification] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
      expect(notification!.deliveries[0]).toMatchObject({ status: 410, retryAt: null })
      expect(sim.dispatcher.subscriptions[0]).toMatchObject({ active: false })
      const [again] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
      expect(again!.deliveries).toEqual([])
      expect(receiver.requests).toHaveLength(1)
    }).pipe(Effect.provide(clocked()))
  )

  it.effect("429 throttles the subscription: the notification waits a minute, then two, then goes out", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      receiver.script.push({ status: 429 }, { status: 429 })
      const [first] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
      const id = first!.id
      expect(first!.deliveries[0]).toMatchObject({ status: 429, ok: false })
      expect(sim.dispatcher.subscriptions[0]!.throttledUntil).toBe(first!.deliveries[0]!.sentAt + 60_000)
      yield* TestClock.adjust("1 minute")
      const second = yield* deliveryWhere(sim, (d) => d.notificationId === id && d.attempt === 2)
      // The second 429 doubles the wait.
      expect(second).toMatchObject({ status: 429, retryAt: second.sentAt + 120_000 })
      yield* TestClock.adjust("119 seconds")
      expect(receiver.requests).toHaveLength(2)
      yield* TestClock.adjust("1 second")
      const third = yield* deliveryWhere(sim, (d) => d.notificationId === id && d.attempt === 3)
      expect(third).toMatchObject({ status: 200, ok: true })
      expect(sim.dispatcher.subscriptions[0]!.throttledUntil).toBeNull()
    }).pipe(Effect.provide(clocked()))
  )

  it.effect("a notification raised while the subscription is throttled is held, then sent once", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      receiver.script.push({ status: 429 })
      const [first] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
      const [second] = yield* Effect.promise(() => sim.trigger("contact.lead.created"))
      expect(second!.deliveries[0]).toMatchObject({
        status: null,
        error: expect.stringMatching(/^waiting: .*429/)
      })
      expect(receiver.requests).toHaveLength(1)
      yield* TestClock.adjust("1 minute")
      yield* deliveryWhere(sim, (d) => d.notificationId === first!.id && d.attempt === 2)
      yield* deliveryWhere(sim, (d) => d.notificationId === second!.id && d.status === 200)
      const statuses = (id: string) =>
        [...sim.deliveries({ notificationId: id })]
          .reverse()
          .filter((delivery) => delivery.status !== null)
          .map((delivery) => [delivery.attempt, delivery.status])
      expect(statuses(first!.id)).toEqual([
        [1, 429],
        [2, 200]
      ])
      expect(statuses(second!.id)).toEqual([[1, 200]])
    }).pipe(Effect.provide(clocked()))
  )

  it.effect("a notification still held back by 429s two hours after it was sent is dropped", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      receiver.fallback = { status: 429 }
      const [notification] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
      const id = notification!.id
      let latest = notification!.deliveries[0]!
      // 1, 2, 4, 8, 16, 32 minutes: the next wait would end past the two hours.
      for (let attempt = 2; latest.retryAt !== null && attempt <= 12; attempt++) {
        yield* TestClock.adjust(latest.retryAt - latest.sentAt)
        latest = yield* deliveryWhere(sim, (d) => d.notificationId === id && d.attempt === attempt)
      }
      expect(latest).toMatchObject({ status: 429, retryAt: null, error: expect.stringMatching(/^dropped/) })
      expect(receiver.requests).toHaveLength(7)
      yield* TestClock.adjust("1 day")
      expect(receiver.requests).toHaveLength(7)
    }).pipe(Effect.provide(clocked()))
  )

  it.effect(
    "more than 1,000 consecutive errors within 15 minutes pause the subscription for 15 minutes",
    () =>
      Effect.gen(function* () {
        const sim = yield* IntercomSimulator
        receiver.fallback = { status: 500 }
        yield* Effect.promise(() => sim.trigger("ping", { count: 1001 }))
        const pausedUntil = sim.dispatcher.subscriptions[0]!.pausedUntil
        expect(pausedUntil).toBe(Number(yield* Clock.currentTimeMillis) + 15 * 60_000)
        const before = receiver.requests.length
        const [paused] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
        expect(paused!.deliveries[0]).toMatchObject({
          status: null,
          error: expect.stringMatching(/^not sent: .*paused/)
        })
        expect(receiver.requests).toHaveLength(before)
        yield* TestClock.adjust("15 minutes")
        receiver.fallback = { status: 200 }
        const [resumed] = yield* Effect.promise(() => sim.trigger("contact.user.created"))
        expect(resumed!.deliveries[0]).toMatchObject({ status: 200 })
      }).pipe(Effect.provide(clocked({ signature: "sha1" }))),
    60_000
  )

  it.effect("pings every subscription with Intercom's ping payload", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      const ping = yield* Effect.promise(() => sim.ping())
      expect(ping.topic).toBe("ping")
      expect(receiver.requests[0]!.json).toMatchObject({
        topic: "ping",
        id: null,
        data: { item: { type: "ping" } }
      })
    }).pipe(Effect.provide(clocked()))
  )
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
