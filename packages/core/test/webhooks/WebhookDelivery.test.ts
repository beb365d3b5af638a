/**
 * The whole receiving path over real HTTP on loopback: raw bytes as Node hands them over, Node's header
 * record, verify → decode → classify → dedupe, and the status a receiver should answer with.
 */
import type { IncomingHttpHeaders } from "node:http"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type RecordingServer, startRecordingServer } from "@taskjuice/intercom-testkit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  classifyNotification,
  decodeNotification,
  markNotificationIfNew,
  NotificationDedupe,
  sign,
  signAll,
  verifySignature,
  webhookBodyLimitBytes,
  webhookFixtureBytes
} from "../../src/index.ts"

const secrets = [Redacted.make("cs_previous"), Redacted.make("cs_current")] as const

const dedupe = NotificationDedupe.makeMemory()

const handle = (body: Uint8Array, headers: IncomingHttpHeaders) =>
  Effect.gen(function* () {
    yield* verifySignature(body, headers, secrets)
    const notification = yield* decodeNotification(body)
    const route = classifyNotification(notification)
    if (route._tag !== "Triggers") return { status: 200, outcome: route._tag }
    const isNew = yield* markNotificationIfNew(notification)
    return {
      status: 200,
      outcome: isNew ? `activate ${route.triggers.map((t) => t.key).join(",")}` : "duplicate"
    }
  }).pipe(
    Effect.catchTags({
      WebhookSignatureError: (error) => Effect.succeed({ status: 401, outcome: error.reason._tag }),
      WebhookEnvelopeError: (error) => Effect.succeed({ status: 400, outcome: error.reason._tag })
    }),
    Effect.provideService(NotificationDedupe, dedupe)
  )

let server: RecordingServer
let url: string

beforeAll(async () => {
  // The receiver: the raw bytes as they arrived and Node's header record, through the core's path.
  server = await startRecordingServer({
    answer: async (request) => {
      const result =
        request.body.byteLength > webhookBodyLimitBytes
          ? { status: 413, outcome: "BodyTooLarge" }
          : await Effect.runPromise(handle(new Uint8Array(request.body), request.headers))
      return { status: result.status, raw: result.outcome, headers: { "content-type": "text/plain" } }
    }
  })
  url = `${server.url}/webhooks/intercom`
})

afterAll(() => server.close())

const deliver = async (body: Uint8Array<ArrayBuffer> | string, headers: Record<string, string>) => {
  const response = await fetch(url, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "intercom-parrot-service-client/1.0",
      ...headers
    }
  })
  return { status: response.status, outcome: await response.text() }
}

describe("a webhook delivery over loopback HTTP", () => {
  it("an Intercom-style SHA-1 delivery activates its trigger once; the retry is a duplicate", async () => {
    const body = webhookFixtureBytes("conversation.user.created")
    const headers = { "X-Hub-Signature": sign(body, secrets[1], "sha1") }
    assert.deepStrictEqual(await deliver(body, headers), {
      status: 200,
      outcome: "activate intercom/conversation-created"
    })
    assert.deepStrictEqual(await deliver(body, headers), { status: 200, outcome: "duplicate" })
  })

  it("a delivery signed with the previous secret and both schemes verifies", async () => {
    const body = webhookFixtureBytes("contact.lead.created")
    assert.deepStrictEqual(await deliver(body, signAll(body, secrets[0])), {
      status: 200,
      outcome: "activate intercom/contact-created"
    })
  })

  it("ping is acknowledged without activating anything", async () => {
    const body = webhookFixtureBytes("ping")
    assert.deepStrictEqual(await deliver(body, signAll(body, secrets[1])), { status: 200, outcome: "Ping" })
  })

  it("a body re-serialised after signing is refused before any parsing", async () => {
    const body = webhookFixtureBytes("conversation.user.replied")
    const reserialised = JSON.stringify(JSON.parse(new TextDecoder().decode(body)))
    assert.deepStrictEqual(
      await deliver(reserialised, { "x-hub-signature": sign(body, secrets[1], "sha1") }),
      {
        status: 401,
        outcome: "Mismatch"
      }
    )
  })

  it("unsigned, signed-but-invalid and oversized deliveries get distinct answers", async () => {
    const body = webhookFixtureBytes("contact.user.created")
    assert.deepStrictEqual(await deliver(body, {}), { status: 401, outcome: "MissingHeader" })
    assert.deepStrictEqual(await deliver(body, { "x-hub-signature": "sha1" }), {
      status: 401,
      outcome: "MalformedHeader"
    })
    const notJson = "not json"
    assert.deepStrictEqual(await deliver(notJson, { "x-hub-signature": sign(notJson, secrets[1], "sha1") }), {
      status: 400,
      outcome: "InvalidJson"
    })
    const huge = "x".repeat(webhookBodyLimitBytes + 1)
    assert.deepStrictEqual(await deliver(huge, { "x-hub-signature": sign(huge, secrets[1], "sha1") }), {
      status: 413,
      outcome: "BodyTooLarge"
    })
  })
})
