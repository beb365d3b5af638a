import { defaultDedupeWindow, sign, webhookBodyLimitBytes } from "@taskjuice/intercom-core"
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import type { InboxActivation } from "../src/Activation.ts"
import { type BundleHost, startBundleHost } from "../src/BundleHost.ts"
import type { StepError } from "../src/StepError.ts"
import { notificationNow } from "../src/testing/Deliveries.ts"
import { testConnection } from "./support/Connections.ts"
import { runtimeFetch } from "./support/Runtime.ts"

const secret = "client-secret-for-webhooks"
let host: BundleHost
const lines: Array<string> = []
let blockListener: Promise<void> | undefined
const listened: Array<InboxActivation> = []

beforeAll(async () => {
  host = await startBundleHost({
    clientId: "client-id",
    clientSecret: Redacted.make(secret),
    connections: [
      testConnection({ id: "conn_a" }),
      testConnection({ id: "conn_b" }),
      testConnection({ id: "conn_gone", workspaceId: "revoked1", status: "revoked" }),
      testConnection({ id: "conn_other_tenant", workspaceId: "tenant2b" })
    ],
    writeLine: (line) => lines.push(line),
    onActivation: async (activation) => {
      listened.push(activation)
      await blockListener
    }
  })
})
afterAll(() => host.close())

const deliverTo = (
  target: BundleHost,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  method = "POST"
) =>
  fetch(`${target.url}/webhooks/intercom`, {
    method,
    headers: {
      "content-type": "application/json",
      "user-agent": "intercom-parrot-service-client/1.0",
      ...headers
    },
    body: method === "GET" || method === "HEAD" ? null : typeof body === "string" ? body : Buffer.from(body)
  })

const deliver = (body: string | Uint8Array, headers: Record<string, string> = {}, method = "POST") =>
  deliverTo(host, body, headers, method)

const sha1 = (body: string) => ({ "x-hub-signature": sign(body, secret, "sha1") })

const withChanges = (topic: string, changes: Record<string, unknown> = {}) =>
  JSON.stringify(notificationNow(topic, changes))

/** Waits until `condition` holds (work that happens after the response), failing after a while. */
const eventually = async (condition: () => boolean) => {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) assert.fail("the condition never held")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

interface ReadAnswer {
  readonly activations: Array<InboxActivation>
  readonly next: string | null
}

/** What the runtime reads through the cursor API. */
const readActivations = async (target: BundleHost, query = "") => {
  const response = await runtimeFetch(target, `/activations${query}`)
  assert.strictEqual(response.status, 200)
  return (await response.json()) as ReadAnswer
}

/** Every activation the inbox holds (nothing is acknowledged on the shared host). */
const kept = async () => (await readActivations(host, "?after=0&limit=1000")).activations

const activationsFor = async (notificationId: string) =>
  (await kept()).filter((activation) => activation.notificationId === notificationId)

describe("POST /webhooks/intercom", () => {
  it("keeps an activation for the trigger of each of the workspace's connections before it answers", async () => {
    const body = withChanges("conversation.user.created", { id: "notif_first_accept" })
    const response = await deliver(body, sha1(body))
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(await response.json(), { received: "accepted", activations: 2 })
    const activations = await activationsFor("notif_first_accept")
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
        `a86dr8yl:notif_first_accept:${activation.connectionId}:${activation.triggerKey}`
      )
      assert.match(activation.cursor, /^\d+$/)
    }
    // The listeners get the same activations, cursors included, after the answer.
    await eventually(() => listened.filter((a) => a.notificationId === "notif_first_accept").length === 2)
    assert.deepStrictEqual(
      JSON.parse(JSON.stringify(listened.filter((a) => a.notificationId === "notif_first_accept"))),
      activations
    )
    // The log says what was activated, never the payload it carries.
    const logged = () =>
      lines
        .map((line) => JSON.parse(line) as { event: string; notificationId?: string; payload?: unknown })
        .filter((line) => line.event === "activation" && line.notificationId === "notif_first_accept")
    await eventually(() => logged().length === 2)
    assert.notProperty(logged()[0], "payload")
    assert.strictEqual((logged()[0] as { cursor?: string }).cursor, activations[0]?.cursor)
  })

  it("accepts a delivery signed only with sha256", async () => {
    const body = withChanges("contact.user.created", { id: "notif_sha256" })
    const response = await deliver(body, { "x-hub-signature-256": sign(body, secret, "sha256") })
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(
      (await activationsFor("notif_sha256")).map((activation) => activation.triggerKey),
      ["intercom/contact-created", "intercom/contact-created"]
    )
  })

  it("answers 401 to a bad signature and to none, before reading the body", async () => {
    const body = withChanges("conversation.user.replied")
    const before = (await kept()).length
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
    assert.strictEqual((await kept()).length, before)
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
    const before = (await kept()).length
    const body = withChanges("ping")
    const response = await deliver(body, sha1(body))
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(await response.json(), { received: "ping" })
    assert.strictEqual((await kept()).length, before)
  })

  it("drops a repeated delivery of the same notification", async () => {
    const first = withChanges("conversation.user.replied", { id: "notif_repeat_1", delivery_attempts: 1 })
    const second = withChanges("conversation.user.replied", { id: "notif_repeat_1", delivery_attempts: 2 })
    assert.strictEqual((await deliver(first, sha1(first))).status, 200)
    const again = await deliver(second, sha1(second))
    assert.strictEqual(again.status, 200)
    assert.deepStrictEqual(await again.json(), { received: "duplicate", notificationId: "notif_repeat_1" })
    assert.deepStrictEqual(
      (await activationsFor("notif_repeat_1")).map((activation) => activation.triggerKey),
      ["intercom/conversation-user-replied", "intercom/conversation-user-replied"]
    )
  })

  it("cross-tenant: the same notification id from two workspaces activates both", async () => {
    const fromA = withChanges("contact.user.created", { id: "notif_shared_id" })
    const fromB = withChanges("contact.user.created", { id: "notif_shared_id", app_id: "tenant2b" })
    for (const body of [fromA, fromB]) {
      const response = await deliver(body, sha1(body))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(((await response.json()) as { received: string }).received, "accepted")
    }
    assert.deepStrictEqual(
      (await activationsFor("notif_shared_id")).map((a) => `${a.workspaceId} ${a.connectionId}`),
      ["a86dr8yl conn_a", "a86dr8yl conn_b", "tenant2b conn_other_tenant"]
    )
  })

  it("a replay first sent before the dedupe window (less the margin) is acknowledged, not activated", async () => {
    const window = Duration.toSeconds(defaultDedupeWindow)
    const sentAt = Math.floor(Date.now() / 1000) - window
    const stale = JSON.stringify(notificationNow("contact.user.created", { id: "notif_stale" }, sentAt))
    const response = await deliver(stale, sha1(stale))
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(await response.json(), { received: "stale-replay", notificationId: "notif_stale" })
    // Without first_sent_at, created_at places it; a recent one still activates.
    const staleByCreation = JSON.stringify(
      notificationNow("contact.user.created", { id: "notif_stale_created", first_sent_at: undefined }, sentAt)
    )
    assert.strictEqual(
      ((await (await deliver(staleByCreation, sha1(staleByCreation))).json()) as { received: string })
        .received,
      "stale-replay"
    )
    const recent = JSON.stringify(
      notificationNow("contact.user.created", { id: "notif_recent_replay" }, sentAt + window - 300)
    )
    assert.strictEqual(
      ((await (await deliver(recent, sha1(recent))).json()) as { received: string }).received,
      "accepted"
    )
    assert.lengthOf(await activationsFor("notif_stale"), 0)
    assert.lengthOf(await activationsFor("notif_stale_created"), 0)
    assert.lengthOf(await activationsFor("notif_recent_replay"), 2)
  })

  it("acknowledges an unknown workspace, a revoked one and an unknown topic with 200 and no activation", async () => {
    const before = (await kept()).length
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
    assert.strictEqual((await kept()).length, before)
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

describe("the activation inbox over the runtime API", () => {
  let inboxHost: BundleHost
  beforeAll(async () => {
    inboxHost = await startBundleHost({
      clientId: "client-id",
      clientSecret: Redacted.make(secret),
      connections: [testConnection({ id: "conn_inbox", workspaceId: "inboxws1" })],
      // Room for a few activations of a fixture's size, so a full inbox can be shown.
      limits: { activationBytes: 64 * 1024 },
      writeLine: () => {}
    })
  })
  afterAll(() => inboxHost.close())

  const send = async (id: string) => {
    const body = withChanges("contact.user.created", { id, app_id: "inboxws1" })
    return deliverTo(inboxHost, body, sha1(body))
  }
  const errorOf = async (response: Response) => ((await response.json()) as { error: StepError }).error

  it("reads by cursor at least once: after a cursor, in order, bounded by limit, until acknowledged", async () => {
    for (const id of ["notif_c1", "notif_c2", "notif_c3"]) assert.strictEqual((await send(id)).status, 200)
    const all = await readActivations(inboxHost)
    assert.deepStrictEqual(
      all.activations.map((a) => a.notificationId),
      ["notif_c1", "notif_c2", "notif_c3"]
    )
    assert.strictEqual(all.next, all.activations[2]?.cursor)
    const first = await readActivations(inboxHost, "?limit=1")
    assert.deepStrictEqual(
      first.activations.map((a) => a.notificationId),
      ["notif_c1"]
    )
    const rest = await readActivations(inboxHost, `?after=${first.next}`)
    assert.deepStrictEqual(
      rest.activations.map((a) => a.notificationId),
      ["notif_c2", "notif_c3"]
    )
    // Not acknowledged: a reader without a cursor starts from the beginning again.
    assert.lengthOf((await readActivations(inboxHost)).activations, 3)
    const acked = await runtimeFetch(inboxHost, "/activations/ack", { body: { cursor: first.next } })
    assert.strictEqual(acked.status, 200)
    assert.deepStrictEqual(await acked.json(), { acknowledged: first.next })
    assert.deepStrictEqual(
      (await readActivations(inboxHost)).activations.map((a) => a.notificationId),
      ["notif_c2", "notif_c3"]
    )
    const end = await readActivations(inboxHost, `?after=${all.next}`)
    assert.deepStrictEqual(end, { activations: [], next: all.next })
    await runtimeFetch(inboxHost, "/activations/ack", { body: { cursor: all.next } })
    assert.deepStrictEqual((await readActivations(inboxHost)).activations, [])
  })

  it("long-polls: a read with wait answers as soon as an activation arrives", async () => {
    assert.deepStrictEqual((await readActivations(inboxHost)).activations, [])
    const waiting = readActivations(inboxHost, "?wait=20000")
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.strictEqual((await send("notif_polled")).status, 200)
    const answer = await waiting
    assert.deepStrictEqual(
      answer.activations.map((a) => a.notificationId),
      ["notif_polled"]
    )
    // Nothing arrives: the wait ends empty, no later than asked.
    const empty = await readActivations(inboxHost, `?after=${answer.next}&wait=50`)
    assert.deepStrictEqual(empty.activations, [])
    await runtimeFetch(inboxHost, "/activations/ack", { body: { cursor: answer.next } })
  })

  it("refuses bad parameters with 400, naming the field, the reason and the valid values", async () => {
    for (const [query, field] of [
      ["?limit=0", "limit"],
      ["?limit=1001", "limit"],
      ["?limit=ten", "limit"],
      ["?wait=30001", "wait"],
      ["?wait=-1", "wait"],
      ["?after=not-a-cursor", "after"]
    ] as const) {
      const response = await runtimeFetch(inboxHost, `/activations${query}`)
      assert.strictEqual(response.status, 400, query)
      const error = await errorOf(response)
      assert.strictEqual(error.code, "BAD_REQUEST")
      assert.strictEqual(error.detail.field, field, query)
      assert.include(error.message, field)
    }
    const range = await errorOf(await runtimeFetch(inboxHost, "/activations?limit=0"))
    assert.deepStrictEqual(range.detail.choices, ["1–1000"])
    for (const [body, field] of [
      [{}, "cursor"],
      [{ cursor: 7 }, "cursor"],
      [{ cursor: "x1" }, "cursor"],
      [{ cursor: "999999" }, "cursor"]
    ] as const) {
      const response = await runtimeFetch(inboxHost, "/activations/ack", { body })
      assert.strictEqual(response.status, 400, JSON.stringify(body))
      assert.strictEqual((await errorOf(response)).detail.field, field)
    }
  })

  it("a full inbox refuses with 503 (retryable, naming the limit) and takes deliveries again once acknowledged", async () => {
    const statuses: Array<number> = []
    for (let index = 0; index < 40 && !statuses.includes(503); index++)
      statuses.push((await send(`notif_fill_${index}`)).status)
    assert.include(statuses, 503)
    const refusedId = `notif_fill_${statuses.length - 1}`
    const refused = await errorOf(await send(refusedId))
    assert.strictEqual(refused.code, "UNAVAILABLE")
    assert.isTrue(refused.retryable)
    assert.strictEqual(refused.detail.limit, "Bytes")
    assert.strictEqual(refused.detail.flag, "--max-activation-bytes")
    // Nothing was kept for the refused delivery, so Intercom's retry is not a duplicate once there is room.
    const held = await readActivations(inboxHost, "?limit=1000")
    assert.notInclude(
      held.activations.map((a) => a.notificationId),
      refusedId
    )
    await runtimeFetch(inboxHost, "/activations/ack", { body: { cursor: held.next } })
    const retried = await send(refusedId)
    assert.strictEqual(retried.status, 200)
    assert.deepStrictEqual(await retried.json(), { received: "accepted", activations: 1 })
  })
})

describe("after the acknowledgement", () => {
  it("a listener that throws or rejects, or a log line that cannot be written, is logged and changes nothing", async () => {
    const logged: Array<Record<string, unknown>> = []
    const guarded = await startBundleHost({
      clientId: "client-id",
      clientSecret: Redacted.make(secret),
      connections: [testConnection({ id: "conn_guard", workspaceId: "guardws1" })],
      // The activation lines cannot be written; every other line can.
      writeLine: (line) => {
        if (line.includes('"event":"activation"')) throw new Error("stdout is gone")
        logged.push(JSON.parse(line) as Record<string, unknown>)
      },
      onActivation: (activation) => {
        if (activation.notificationId.endsWith("_sync")) throw new Error("a listener threw")
        return Promise.reject(new Error("a listener rejected"))
      }
    })
    try {
      for (const id of ["notif_guard_sync", "notif_guard_async", "notif_guard_next"]) {
        const body = withChanges("contact.user.created", { id, app_id: "guardws1" })
        const answer = await deliverTo(guarded, body, sha1(body))
        assert.strictEqual(answer.status, 200)
        assert.deepStrictEqual(await answer.json(), { received: "accepted", activations: 1 })
      }
      const failures = () => logged.filter((line) => line.event === "activation-hand-off-failed")
      await eventually(() => failures().length >= 6)
      assert.sameMembers(
        [...new Set(failures().map((line) => `${line.stage}: ${line.error}`))],
        [
          "log: Error: stdout is gone",
          "listener: Error: a listener threw",
          "listener: Error: a listener rejected"
        ]
      )
      // Everything was kept and the host goes on serving.
      const read = await runtimeFetch(guarded, "/activations?limit=10")
      assert.deepStrictEqual(
        ((await read.json()) as ReadAnswer).activations.map((activation) => activation.notificationId),
        ["notif_guard_sync", "notif_guard_async", "notif_guard_next"]
      )
      assert.strictEqual((await fetch(`${guarded.url}/health`)).status, 200)
    } finally {
      await guarded.close()
    }
  })
})
