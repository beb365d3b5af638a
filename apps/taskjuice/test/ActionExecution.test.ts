import { assert, describe, it } from "@effect/vitest"
import { apiVersion } from "@taskjuice/intercom-client"
import { RateLimiter } from "@taskjuice/intercom-core"
import type { RecordedRequest } from "@taskjuice/intercom-testkit"
import * as Answers from "@taskjuice/intercom-testkit/intercom"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll } from "vitest"
import { execute } from "../src/ActionExecution.ts"
import type { StepError } from "../src/StepError.ts"
import { memoryStateWith, testConnection } from "./support/Connections.ts"
import { type LoopbackIntercom, startLoopbackIntercom } from "./support/LoopbackIntercom.ts"

let intercom: LoopbackIntercom
beforeAll(async () => {
  intercom = await startLoopbackIntercom()
})
afterAll(() => intercom.close())

const token = "tok-actions-0001"

const layer = () =>
  Layer.mergeAll(
    memoryStateWith([
      testConnection({ id: "conn_live", apiBaseUrl: intercom.url, accessToken: Redacted.make(token) })
    ]),
    RateLimiter.layer
  )

/** Runs the step and returns what went over the wire for it. */
const run = (key: string, input: unknown, connectionId = "conn_live") =>
  Effect.gen(function* () {
    const before = intercom.requests.length
    const result = yield* Effect.result(execute(key, input, connectionId))
    return { result, requests: intercom.requests.slice(before) }
  })

const expectOutput = <A>(
  result: { _tag: "Success"; success: A } | { _tag: "Failure"; failure: StepError }
) => {
  if (result._tag === "Failure") assert.fail(`expected an output, got ${JSON.stringify(result.failure)}`)
  return result.success as Record<string, unknown>
}

const sentTo = (requests: ReadonlyArray<RecordedRequest>) => {
  for (const request of requests) {
    assert.strictEqual(request.headers.authorization, `Bearer ${token}`)
    assert.strictEqual(request.headers["intercom-version"], apiVersion)
  }
  return requests.map(
    (request) => `${request.method} ${request.path}${request.query.size > 0 ? `?${request.query}` : ""}`
  )
}

const bodyOf = (request: RecordedRequest | undefined) =>
  JSON.parse(request?.text ?? "null") as Record<string, unknown>

describe("execute(): every action against a loopback Intercom", () => {
  it.live("intercom/create-contact", () =>
    Effect.gen(function* () {
      // The description types custom attributes as an object without properties; real ones carry values.
      intercom.route("POST /contacts", () => ({
        body: { ...Answers.contact(), custom_attributes: { plan: "pro" } }
      }))
      const { result, requests } = yield* run("intercom/create-contact", {
        role: "user",
        email: "ada@example.com",
        name: "Ada Lovelace",
        custom_attributes: { plan: "pro" }
      })
      const output = expectOutput(result)
      assert.deepStrictEqual(sentTo(requests), ["POST /contacts"])
      assert.deepStrictEqual(bodyOf(requests[0]), {
        role: "user",
        email: "ada@example.com",
        name: "Ada Lovelace",
        custom_attributes: { plan: "pro" }
      })
      assert.strictEqual(output.id, Answers.contactId)
      assert.deepStrictEqual(output.custom_attributes, { plan: "pro" })
    }).pipe(Effect.provide(layer()))
  )

  it.live("intercom/get-contact", () =>
    Effect.gen(function* () {
      intercom.route(`GET /contacts/${Answers.contactId}`, () => ({ body: Answers.contact() }))
      const { result, requests } = yield* run("intercom/get-contact", { contact_id: Answers.contactId })
      // Every field Intercom sent, modelled or not (tags, notes, companies, android_* …), as the docs say.
      assert.deepStrictEqual(JSON.parse(JSON.stringify(expectOutput(result))), Answers.contact())
      assert.deepStrictEqual(sentTo(requests), [`GET /contacts/${Answers.contactId}`])
    }).pipe(Effect.provide(layer()))
  )

  it.live("intercom/update-contact", () =>
    Effect.gen(function* () {
      intercom.route(`PUT /contacts/${Answers.contactId}`, (request) => ({
        body: Answers.contact({ name: String(bodyOf(request).name), phone: null })
      }))
      const { result, requests } = yield* run("intercom/update-contact", {
        contact_id: Answers.contactId,
        name: "Ada King",
        phone: null
      })
      assert.strictEqual(expectOutput(result).name, "Ada King")
      assert.deepStrictEqual(sentTo(requests), [`PUT /contacts/${Answers.contactId}`])
      assert.deepStrictEqual(bodyOf(requests[0]), { name: "Ada King", phone: null })
    }).pipe(Effect.provide(layer()))
  )

  it.live("intercom/list-contacts", () =>
    Effect.gen(function* () {
      intercom.route("GET /contacts", () => ({
        body: Answers.contactList(
          [Answers.contact(), Answers.contact({ id: "c2", email: "b@example.com" })],
          { total: 31, perPage: 2, next: "c2" }
        )
      }))
      const { result, requests } = yield* run("intercom/list-contacts", { per_page: 2 })
      const output = expectOutput(result)
      assert.deepStrictEqual(sentTo(requests), ["GET /contacts?per_page=2"])
      assert.lengthOf(output.contacts as Array<unknown>, 2)
      assert.strictEqual(output.next_cursor, "c2")
      assert.strictEqual(output.total_count, 31)
    }).pipe(Effect.provide(layer()))
  )

  it.live("intercom/create-conversation", () =>
    Effect.gen(function* () {
      intercom.route("POST /conversations", () => ({ body: Answers.message }))
      const { result, requests } = yield* run("intercom/create-conversation", {
        from: { type: "user", id: Answers.contactId },
        body: "Hello, I need help with my invoice"
      })
      const output = expectOutput(result)
      assert.deepStrictEqual(sentTo(requests), ["POST /conversations"])
      assert.deepStrictEqual(bodyOf(requests[0]).from, { type: "user", id: Answers.contactId })
      assert.strictEqual(output.conversation_id, "363")
    }).pipe(Effect.provide(layer()))
  )

  it.live("intercom/reply-conversation, as an admin and as the contact", () =>
    Effect.gen(function* () {
      const conversationId = Answers.conversationId
      intercom.route(`POST /conversations/${conversationId}/reply`, () => ({ body: Answers.conversation }))
      intercom.route("POST /conversations/last/reply", () => ({ body: Answers.conversation }))
      const asAdmin = yield* run("intercom/reply-conversation", {
        conversation_id: conversationId,
        type: "admin",
        admin_id: "991267596",
        message_type: "comment",
        body: "On it!"
      })
      assert.deepStrictEqual(JSON.parse(JSON.stringify(expectOutput(asAdmin.result))), Answers.conversation)
      assert.deepStrictEqual(sentTo(asAdmin.requests), [`POST /conversations/${conversationId}/reply`])
      assert.strictEqual(bodyOf(asAdmin.requests[0]).type, "admin")
      const asContact = yield* run("intercom/reply-conversation", {
        conversation_id: "last",
        type: "user",
        email: "ada@example.com",
        body: "Thanks"
      })
      assert.strictEqual(expectOutput(asContact.result).id, conversationId)
      assert.deepStrictEqual(sentTo(asContact.requests), ["POST /conversations/last/reply"])
      assert.strictEqual(bodyOf(asContact.requests[0]).email, "ada@example.com")
    }).pipe(Effect.provide(layer()))
  )

  it.live("intercom/create-company", () =>
    Effect.gen(function* () {
      intercom.route("POST /companies", () => ({ body: Answers.company }))
      const { result, requests } = yield* run("intercom/create-company", {
        company_id: "acme-42",
        name: "Acme",
        plan: "enterprise",
        size: 120,
        custom_attributes: { tier: "gold" }
      })
      const output = expectOutput(result)
      assert.deepStrictEqual(sentTo(requests), ["POST /companies"])
      assert.strictEqual(bodyOf(requests[0]).company_id, "acme-42")
      assert.strictEqual(output.company_id, "acme-42")
    }).pipe(Effect.provide(layer()))
  )

  it.live("intercom/list-tags", () =>
    Effect.gen(function* () {
      intercom.route("GET /tags", () => ({ body: Answers.tagList }))
      const { result, requests } = yield* run("intercom/list-tags", {})
      assert.deepStrictEqual(sentTo(requests), ["GET /tags"])
      assert.deepStrictEqual(JSON.parse(JSON.stringify(expectOutput(result))), {
        tags: [
          { type: "tag", id: "81", name: "vip" },
          { type: "tag", id: "82", name: "churn-risk" }
        ]
      })
    }).pipe(Effect.provide(layer()))
  )
})
