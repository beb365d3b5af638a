import { assert, describe, it } from "@effect/vitest"
import { inOrder, json, recordingServer, type Script } from "@taskjuice/intercom-testkit"
import { contact, contactId, contactList, errorList } from "@taskjuice/intercom-testkit/intercom"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { GetContact } from "../../src/actions/GetContact.ts"
import { allContacts, ListContacts } from "../../src/actions/ListContacts.ts"
import { UpdateContact } from "../../src/actions/UpdateContact.ts"
import { supports } from "../../src/api/ApiVersion.ts"
import { failureOf, runAction, successOf } from "../support/ActionHarness.ts"
import { apiLayer } from "../support/TestRuntime.ts"

describe("intercom/get-contact", () => {
  it.effect("returns the contact with its custom attributes", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        GetContact,
        { contact_id: contactId },
        inOrder(json(200, contact({ custom_attributes: {} })))
      )
      assert.strictEqual(successOf(exit).id, contactId)
      assert.deepStrictEqual(successOf(exit).custom_attributes, {})
      assert.strictEqual(server.requests[0]?.path, `/contacts/${contactId}`)
    })
  )

  it.effect("rejects an empty id without a request", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(GetContact, { contact_id: "" }, inOrder(json(200, contact())))
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "ActionInputInvalid")
      if (error._tag === "ActionInputInvalid") assert.strictEqual(error.issues[0]?.path, "contact_id")
      assert.strictEqual(server.requests.length, 0)
    })
  )
})

describe("intercom/update-contact", () => {
  it.effect("sends only the fields given; an explicit null clears", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        UpdateContact,
        { contact_id: contactId, name: "Ada King", phone: null, custom_attributes: { plan: "team" } },
        inOrder(json(200, contact({ name: "Ada King" })))
      )
      assert.strictEqual(successOf(exit).name, "Ada King")
      const [request] = server.requests
      assert.strictEqual(request?.method, "PUT")
      assert.strictEqual(request?.path, `/contacts/${contactId}`)
      assert.deepStrictEqual(request?.json, {
        name: "Ada King",
        phone: null,
        custom_attributes: { plan: "team" }
      })
    })
  )

  it.effect("converts owner_id to this build's wire type and can clear it", () =>
    Effect.gen(function* () {
      const set = yield* runAction(
        UpdateContact,
        { contact_id: contactId, owner_id: 42 },
        inOrder(json(200, contact()))
      )
      assert.deepStrictEqual(set.server.requests[0]?.json, {
        owner_id: supports("stringOwnerId") ? "42" : 42
      })
      const clear = yield* runAction(
        UpdateContact,
        { contact_id: contactId, owner_id: null },
        inOrder(json(200, contact()))
      )
      assert.deepStrictEqual(clear.server.requests[0]?.json, { owner_id: null })
    })
  )

  it.effect("rejects an update that changes nothing", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        UpdateContact,
        { contact_id: contactId },
        inOrder(json(200, contact()))
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "ActionInputInvalid")
      if (error._tag === "ActionInputInvalid") assert.include(error.issues[0]?.message, "at least one field")
      assert.strictEqual(server.requests.length, 0)
    })
  )

  it.effect("rejects null where Intercom does not allow it (email)", () =>
    Effect.gen(function* () {
      const { exit } = yield* runAction(
        UpdateContact,
        { contact_id: contactId, email: null },
        inOrder(json(200, contact()))
      )
      const error = failureOf(exit)
      if (error._tag !== "ActionInputInvalid") return assert.fail("expected ActionInputInvalid")
      assert.strictEqual(error.issues[0]?.path, "email")
    })
  )

  it.effect("a missing contact is NotFound", () =>
    Effect.gen(function* () {
      const { exit } = yield* runAction(
        UpdateContact,
        { contact_id: "000000000000000000000000", name: "x" },
        inOrder(json(404, errorList("not_found", "User Not Found")))
      )
      const error = failureOf(exit)
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.strictEqual(error.reason._tag, "NotFound")
    })
  )
})

/** A workspace of `total` contacts served `per_page` at a time with cursors "after-<index>". */
const pagedContacts =
  (total: number): Script =>
  (request) => {
    const perPage = Number(request.query.get("per_page") ?? "10")
    const after = request.query.get("starting_after")
    const start = after === null ? 0 : Number(after.replace("after-", ""))
    const end = Math.min(total, start + perPage)
    const page = Array.from({ length: end - start }, (_, index) => contact({ id: `c-${start + index}` }))
    return json(200, contactList(page, { total, perPage, ...(end < total ? { next: `after-${end}` } : {}) }))
  }

describe("intercom/list-contacts", () => {
  it.effect("returns one page, the next cursor and the total", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(ListContacts, { per_page: 2 }, pagedContacts(5))
      const page = successOf(exit)
      assert.deepStrictEqual(
        page.contacts.map((c) => c.id),
        ["c-0", "c-1"]
      )
      assert.strictEqual(page.next_cursor, "after-2")
      assert.strictEqual(page.total_count, 5)
      assert.strictEqual(server.requests[0]?.query.get("per_page"), "2")
      assert.isNull(server.requests[0]?.query.get("starting_after") ?? null)
    })
  )

  it.effect("the last page has a null cursor", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        ListContacts,
        { per_page: 2, starting_after: "after-4" },
        pagedContacts(5)
      )
      assert.isNull(successOf(exit).next_cursor)
      assert.deepStrictEqual(
        successOf(exit).contacts.map((c) => c.id),
        ["c-4"]
      )
      assert.strictEqual(server.requests[0]?.query.get("starting_after"), "after-4")
    })
  )

  for (const perPage of [0, 151, 500, 2.5]) {
    it.effect(`rejects per_page ${perPage} before sending anything`, () =>
      Effect.gen(function* () {
        const { exit, server } = yield* runAction(ListContacts, { per_page: perPage }, pagedContacts(5))
        const error = failureOf(exit)
        if (error._tag !== "ActionInputInvalid") return assert.fail("expected ActionInputInvalid")
        assert.strictEqual(error.issues[0]?.path, "per_page")
        assert.strictEqual(server.requests.length, 0)
      })
    )
  }

  it.effect("allContacts walks every page in order", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: pagedContacts(7) })
      const ids = yield* Stream.runCollect(allContacts({ per_page: 3 })).pipe(
        Effect.provide(apiLayer(server.url))
      )
      assert.deepStrictEqual(Chunk.toReadonlyArray(Chunk.map(Chunk.fromIterable(ids), (c) => c.id)), [
        "c-0",
        "c-1",
        "c-2",
        "c-3",
        "c-4",
        "c-5",
        "c-6"
      ])
      assert.deepStrictEqual(
        server.requests.map((r) => r.query.get("starting_after")),
        [null, "after-3", "after-6"]
      )
    })
  )

  it.effect("allContacts is lazy: taking a few contacts fetches only the pages needed", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: pagedContacts(10_000) })
      const taken = yield* allContacts({ per_page: 50 }).pipe(
        Stream.take(60),
        Stream.runCount,
        Effect.provide(apiLayer(server.url))
      )
      assert.strictEqual(taken, 60)
      assert.strictEqual(server.requests.length, 2)
    })
  )

  it.effect("allContacts streams many pages without collecting them", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({ answer: pagedContacts(3_000) })
      const count = yield* allContacts({ per_page: 150 }).pipe(
        Stream.runCount,
        Effect.provide(apiLayer(server.url))
      )
      assert.strictEqual(count, 3_000)
      assert.strictEqual(server.requests.length, 20)
    })
  )
})
