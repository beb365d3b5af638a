import { assert, describe, it } from "@effect/vitest"
import {
  type Answer,
  hangUp,
  inOrder,
  json,
  type RecordedRequest,
  type Script
} from "@taskjuice/intercom-testkit"
import { contact, contactList, errorList } from "@taskjuice/intercom-testkit/intercom"
import * as Effect from "effect/Effect"
import { CreateContact } from "../../src/actions/CreateContact.ts"
import { supports } from "../../src/api/ApiVersion.ts"
import { failureOf, runAction, successOf } from "../support/ActionHarness.ts"

const input = {
  role: "user",
  email: "ada@example.com",
  external_id: "user-42",
  name: "Ada Lovelace",
  owner_id: "991267596",
  custom_attributes: { plan: "pro", seats: 12, beta: true }
}

const isCreate = (request: RecordedRequest) => request.method === "POST" && request.path === "/contacts"
const isSearch = (request: RecordedRequest) =>
  request.method === "POST" && request.path === "/contacts/search"

/**
 * A small stateful Intercom: contacts it creates are found by search. `createReply` decides the
 * answer to each create *after* the contact was stored (so a 500 there means "it reached Intercom").
 */
const statefulIntercom = (createReply: (attempt: number) => Answer | undefined) => {
  const stored: Array<ReturnType<typeof contact>> = []
  let creates = 0
  const script: Script = (request) => {
    if (isSearch(request)) {
      const query = (request.json as { query: { field: "external_id" | "email"; value: string } }).query
      const found = stored.filter((c) => c[query.field] === query.value)
      return json(200, contactList(found, { total: found.length }))
    }
    if (isCreate(request)) {
      const attempt = creates++
      const planned = createReply(attempt)
      const status = planned?.drop === undefined ? planned?.status : undefined
      if (planned !== undefined && status !== undefined && status >= 500 && status !== 503) {
        // 500/502: it reached Intercom and the contact was created before the failure.
        stored.push(contact({ id: `c-${stored.length + 1}` }))
        return planned
      }
      if (planned !== undefined) return planned
      const created = contact({ id: `c-${stored.length + 1}` })
      stored.push(created)
      return json(200, created)
    }
    return json(404, errorList("not_found", "Resource Not Found"))
  }
  return { script, stored }
}

describe("intercom/create-contact", () => {
  it.effect("creates the contact with the given fields and returns it, with outcome created", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(CreateContact, input, inOrder(json(200, contact())))
      assert.strictEqual(successOf(exit).id, "63a07ddf05a32042dffac965")
      assert.strictEqual(successOf(exit).outcome, "created")
      assert.strictEqual(successOf(exit).email, "ada@example.com")
      assert.strictEqual(server.requests.length, 1)
      assert.deepStrictEqual(server.requests[0]?.json, {
        ...input,
        owner_id: supports("stringOwnerId") ? "991267596" : 991267596
      })
    })
  )

  it.effect(
    "a 409 conflict resolves to the existing contact named in Intercom's message, with outcome found",
    () =>
      Effect.gen(function* () {
        const script: Script = (request) =>
          isCreate(request)
            ? json(
                409,
                errorList(
                  "conflict",
                  "A contact matching those details already exists with id=5f1a2b3c4d5e6f7a8b9c0d1e"
                )
              )
            : request.path === "/contacts/5f1a2b3c4d5e6f7a8b9c0d1e"
              ? json(200, contact({ id: "5f1a2b3c4d5e6f7a8b9c0d1e" }))
              : json(404, errorList("not_found", "nope"))
        const { exit, server } = yield* runAction(CreateContact, input, script)
        assert.strictEqual(successOf(exit).id, "5f1a2b3c4d5e6f7a8b9c0d1e")
        assert.strictEqual(successOf(exit).outcome, "found")
        assert.deepStrictEqual(
          server.requests.map((r) => `${r.method} ${r.path}`),
          ["POST /contacts", "GET /contacts/5f1a2b3c4d5e6f7a8b9c0d1e"]
        )
      })
  )

  it.effect("a 409 without an id is resolved by searching the external_id", () =>
    Effect.gen(function* () {
      const script: Script = (request) =>
        isCreate(request)
          ? json(409, errorList("conflict", "User already exists"))
          : json(200, contactList([contact({ id: "existing" })], { total: 1 }))
      const { exit, server } = yield* runAction(CreateContact, input, script)
      assert.strictEqual(successOf(exit).id, "existing")
      assert.strictEqual(successOf(exit).outcome, "found")
      assert.deepStrictEqual(server.requests[1]?.json, {
        query: { field: "external_id", operator: "=", value: "user-42" },
        pagination: { per_page: 2 }
      })
    })
  )

  it.effect("no duplicate when a create reached Intercom but answered 500: the retry finds it", () =>
    Effect.gen(function* () {
      const intercom = statefulIntercom((attempt) => (attempt === 0 ? json(500, {}) : undefined))
      const { exit, server } = yield* runAction(CreateContact, input, intercom.script)
      assert.strictEqual(successOf(exit).id, "c-1")
      // This step's first try made it; the retry can only tell that a contact with its keys exists.
      assert.strictEqual(successOf(exit).outcome, "found")
      assert.strictEqual(intercom.stored.length, 1)
      assert.strictEqual(server.requests.filter(isCreate).length, 1)
    })
  )

  it.effect("no duplicate when the connection drops after the create: retry finds it by email", () =>
    Effect.gen(function* () {
      const stored: Array<string> = []
      const script: Script = (request) => {
        if (isCreate(request)) {
          stored.push("c-1")
          return stored.length === 1 ? hangUp : json(200, contact({ id: `c-${stored.length}` }))
        }
        return json(
          200,
          contactList(
            stored.map((id) => contact({ id })),
            { total: stored.length }
          )
        )
      }
      const { exit } = yield* runAction(CreateContact, { email: "ada@example.com" }, script)
      assert.strictEqual(successOf(exit).id, "c-1")
      assert.strictEqual(successOf(exit).outcome, "found")
      assert.strictEqual(stored.length, 1)
    })
  )

  it.effect("a 503 that created nothing is retried once the search finds nothing", () =>
    Effect.gen(function* () {
      const intercom = statefulIntercom((attempt) => (attempt === 0 ? json(503, {}) : undefined))
      const { exit, server } = yield* runAction(CreateContact, input, intercom.script)
      assert.strictEqual(successOf(exit).id, "c-1")
      assert.strictEqual(successOf(exit).outcome, "created")
      assert.strictEqual(intercom.stored.length, 1)
      assert.deepStrictEqual(
        server.requests.map((r) => r.path),
        ["/contacts", "/contacts/search", "/contacts"]
      )
    })
  )

  it.effect("without email or external_id there is nothing to deduplicate on: a 500 is not resent", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        CreateContact,
        { role: "lead", name: "Visitor" },
        inOrder(json(500, {}))
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "IntercomError")
      if (error._tag !== "IntercomError") return
      assert.strictEqual(error.reason._tag, "Server")
      assert.isFalse(error.retryable)
      assert.strictEqual(server.requests.length, 1)
    })
  )

  const invalid: ReadonlyArray<readonly [string, unknown, string, string]> = [
    [
      "an unknown role",
      { role: "admin", email: "a@b.co" },
      "role",
      'expected one of "user", "lead"; got "admin"'
    ],
    ["a misspelt field", { emial: "a@b.example" }, "emial", "unknown field; did you mean email?"],
    [
      "nested custom_attributes",
      { email: "a@b.co", custom_attributes: { plan: { tier: 1 } } },
      "custom_attributes.plan",
      "Expected"
    ],
    ["no identity at all", { name: "Nobody" }, "email", "at least one of email, external_id or role"],
    ["a malformed email", { email: "not-an-email" }, "email", "email address"],
    ["a non-numeric owner_id", { email: "a@b.co", owner_id: "bob" }, "owner_id", "admin id"]
  ]
  for (const [what, bad, path, message] of invalid) {
    it.effect(`rejects ${what} before sending anything`, () =>
      Effect.gen(function* () {
        const { exit, server } = yield* runAction(CreateContact, bad, inOrder(json(200, contact())))
        const error = failureOf(exit)
        assert.strictEqual(error._tag, "ActionInputInvalid")
        if (error._tag !== "ActionInputInvalid") return
        const issue = error.issues.find((i) => i.path === path)
        assert.isDefined(issue, JSON.stringify(error.issues))
        assert.include(issue?.message, message)
        assert.include(error.message, "intercom/create-contact")
        assert.strictEqual(server.requests.length, 0)
      })
    )
  }
})
