/**
 * Ids go into request paths: one that is not of its kind's shape must be refused, naming the field,
 * before anything is sent (`conversation_id: ".."` used to post to `/reply`, `update-contact` with
 * `..` to put to `/`). Each case runs over real HTTP against a loopback server that must see nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { inOrder, json } from "@taskjuice/intercom-testkit"
import { contact, contactId, conversation, message } from "@taskjuice/intercom-testkit/intercom"
import * as Effect from "effect/Effect"
import type { AnyActionDefinition } from "../../src/actions/Action.ts"
import { CreateContact } from "../../src/actions/CreateContact.ts"
import { CreateConversation } from "../../src/actions/CreateConversation.ts"
import { GetContact } from "../../src/actions/GetContact.ts"
import { ReplyConversation } from "../../src/actions/ReplyConversation.ts"
import { UpdateContact } from "../../src/actions/UpdateContact.ts"
import { assertRejectedBeforeSending, runAction, successOf } from "../support/ActionHarness.ts"

/** What must never stand as an id: path navigation, separators, whitespace, encodings, nothing. */
const malformed = [
  ".",
  "..",
  "../contacts",
  "a/b",
  "a\\b",
  " 363",
  "363 ",
  "3 63",
  "363\n",
  "%2e%2e",
  "?x",
  ""
]

const adminReply = { type: "admin", admin_id: "991267596", message_type: "note", body: "x" }
const contactReply = { type: "user", email: "ada@example.com", body: "x" }

/** Each id field of each action, with an input around it that is valid but for that field. */
const idFields: ReadonlyArray<{
  readonly action: AnyActionDefinition
  readonly field: string
  readonly input: (id: string) => unknown
}> = [
  { action: GetContact, field: "contact_id", input: (id) => ({ contact_id: id }) },
  { action: UpdateContact, field: "contact_id", input: (id) => ({ contact_id: id, name: "Ada" }) },
  {
    action: ReplyConversation,
    field: "conversation_id",
    input: (id) => ({ conversation_id: id, ...adminReply })
  },
  {
    action: ReplyConversation,
    field: "conversation_id",
    input: (id) => ({ conversation_id: id, ...contactReply })
  },
  {
    action: ReplyConversation,
    field: "intercom_user_id",
    input: (id) => ({ conversation_id: "363", type: "user", intercom_user_id: id, body: "x" })
  },
  {
    action: ReplyConversation,
    field: "admin_id",
    input: (id) => ({ conversation_id: "363", ...adminReply, admin_id: id })
  },
  {
    action: CreateConversation,
    field: "from.id",
    input: (id) => ({ from: { type: "user", id }, body: "Hello" })
  },
  { action: CreateContact, field: "owner_id", input: (id) => ({ email: "ada@example.com", owner_id: id }) }
]

describe("ids are of Intercom's shapes before they reach a path", () => {
  for (const { action, field, input } of idFields) {
    it.effect(`${action.key} refuses a malformed ${field}, naming it, and sends nothing`, () =>
      Effect.forEach(
        malformed,
        (id) => assertRejectedBeforeSending(action, input(id), inOrder(json(200, {})), field),
        { discard: true }
      )
    )
  }

  it.effect("update-contact with .. no longer becomes PUT /: nothing is sent", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        UpdateContact,
        { contact_id: "..", name: "Ada" },
        inOrder(json(200, contact()))
      )
      assert.strictEqual(exit._tag, "Failure")
      assert.deepStrictEqual(server.requests, [])
    })
  )

  it.effect("a well-formed id goes into the path as it is", () =>
    Effect.gen(function* () {
      const get = yield* runAction(GetContact, { contact_id: contactId }, inOrder(json(200, contact())))
      assert.strictEqual(successOf(get.exit).id, contactId)
      assert.strictEqual(get.server.requests[0]?.path, `/contacts/${contactId}`)
      const reply = yield* runAction(
        ReplyConversation,
        { conversation_id: "363", ...adminReply },
        inOrder(json(200, conversation))
      )
      assert.strictEqual(reply.server.requests[0]?.path, "/conversations/363/reply")
      const start = yield* runAction(
        CreateConversation,
        { from: { type: "user", id: contactId }, body: "Hello" },
        inOrder(json(200, message))
      )
      assert.strictEqual(start.server.requests[0]?.path, "/conversations")
    })
  )

  it.effect('a contact reply may name its conversation "last"; an admin reply may not', () =>
    Effect.gen(function* () {
      const contactLast = yield* runAction(
        ReplyConversation,
        { conversation_id: "last", ...contactReply },
        inOrder(json(200, conversation))
      )
      assert.strictEqual(contactLast.server.requests[0]?.path, "/conversations/last/reply")
      yield* assertRejectedBeforeSending(
        ReplyConversation,
        { conversation_id: "last", ...adminReply },
        inOrder(json(200, conversation)),
        "conversation_id"
      )
    })
  )
})
