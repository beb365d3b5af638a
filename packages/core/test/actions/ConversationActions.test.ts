import { assert, describe, it } from "@effect/vitest"
import { type Answer, hangUp, inOrder, json } from "@taskjuice/intercom-testkit"
import { contactId, conversation, errorList, message } from "@taskjuice/intercom-testkit/intercom"
import * as Effect from "effect/Effect"
import { CreateConversation } from "../../src/actions/CreateConversation.ts"
import { ReplyConversation } from "../../src/actions/ReplyConversation.ts"
import { supports } from "../../src/api/ApiVersion.ts"
import { assertRejectedBeforeSending, failureOf, runAction, successOf } from "../support/ActionHarness.ts"

const start = { from: { type: "user", id: contactId }, body: "Hello there" }

/** A 429 whose reset is 2 s after the TestClock's start: within the wait bound. */
const rateLimited: Answer = json(429, errorList("rate_limit_exceeded", "Exceeded rate limit"), {
  "x-ratelimit-limit": "100",
  "x-ratelimit-remaining": "0",
  "x-ratelimit-reset": "2"
})

describe("intercom/create-conversation", () => {
  it.effect("starts a conversation from the contact and returns the message", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(CreateConversation, start, inOrder(json(200, message)))
      assert.strictEqual(successOf(exit).conversation_id, "363")
      assert.strictEqual(server.requests[0]?.path, "/conversations")
      assert.deepStrictEqual(server.requests[0]?.json, start)
    })
  )

  for (const [what, reply, tag] of [
    ["a 500", json(500, {}), "Server"],
    ["a 502", json(502, {}), "Server"],
    ["a dropped connection", hangUp, "Transport"]
  ] as const) {
    it.effect(`is never resent after ${what} (the request may have reached Intercom)`, () =>
      Effect.gen(function* () {
        const { exit, server } = yield* runAction(
          CreateConversation,
          start,
          inOrder(reply, json(200, message))
        )
        const error = failureOf(exit)
        if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
        assert.strictEqual(error.reason._tag, tag)
        assert.isFalse(error.retryable, "the runtime must not resend it either")
        assert.strictEqual(server.requests.length, 1)
      })
    )
  }

  it.effect("is resent after a 429: Intercom provably did not process it", () =>
    Effect.gen(function* () {
      const { exit, server } = yield* runAction(
        CreateConversation,
        start,
        inOrder(rateLimited, json(200, message))
      )
      assert.strictEqual(successOf(exit).id, "403918251")
      assert.strictEqual(server.requests.length, 2)
    })
  )

  const invalid: ReadonlyArray<readonly [string, unknown, string]> = [
    ["an empty body", { ...start, body: "" }, "body"],
    ["an unknown sender type", { ...start, from: { type: "admin", id: contactId } }, "from.type"],
    ["a missing sender", { body: "hi" }, "from"],
    [
      "more than 10 attachments",
      { ...start, attachment_urls: Array(11).fill("https://x.io/a.pdf") },
      "attachment_urls"
    ],
    ["a non-URL attachment", { ...start, attachment_urls: ["ftp://x"] }, "attachment_urls.0"]
  ]
  for (const [what, bad, path] of invalid) {
    it.effect(`rejects ${what} (${path}) before sending anything`, () =>
      assertRejectedBeforeSending(CreateConversation, bad, inOrder(json(200, message)), path)
    )
  }
})

describe("intercom/reply-conversation", () => {
  it.effect("replies as an admin with a comment", () =>
    Effect.gen(function* () {
      const input = {
        conversation_id: "363",
        type: "admin",
        admin_id: "991267596",
        message_type: "comment",
        body: "On it!"
      }
      const { exit, server } = yield* runAction(ReplyConversation, input, inOrder(json(200, conversation)))
      const result = successOf(exit)
      assert.strictEqual(result.id, "363")
      assert.strictEqual(result.conversation_parts?.conversation_parts[0]?.body, "<p>On it!</p>")
      assert.strictEqual(server.requests[0]?.path, "/conversations/363/reply")
      assert.deepStrictEqual(server.requests[0]?.json, {
        type: "admin",
        admin_id: "991267596",
        message_type: "comment",
        body: "On it!"
      })
    })
  )

  it.effect("replies as the contact, identified by email, with attachments", () =>
    Effect.gen(function* () {
      const input = {
        conversation_id: "last",
        type: "user",
        email: "ada@example.com",
        body: "Thanks",
        attachment_urls: ["https://example.com/a.png"]
      }
      const { server } = yield* runAction(ReplyConversation, input, inOrder(json(200, conversation)))
      assert.strictEqual(server.requests[0]?.path, "/conversations/last/reply")
      assert.deepStrictEqual(server.requests[0]?.json, {
        type: "user",
        message_type: "comment",
        email: "ada@example.com",
        body: "Thanks",
        attachment_urls: ["https://example.com/a.png"]
      })
    })
  )

  const quickReply = {
    conversation_id: "363",
    type: "admin",
    admin_id: 991267596,
    message_type: "quick_reply",
    body: "Pick one",
    reply_options: [
      { text: "Yes", uuid: "0b9a8c1e-1111-4c2b-9f6e-000000000001" },
      { text: "No", uuid: "0b9a8c1e-1111-4c2b-9f6e-000000000002" }
    ]
  }

  if (supports("quickReply")) {
    it.effect("sends an admin quick_reply with its options (API 2.14+ build)", () =>
      Effect.gen(function* () {
        const { exit, server } = yield* runAction(
          ReplyConversation,
          quickReply,
          inOrder(json(200, conversation))
        )
        assert.strictEqual(successOf(exit).id, "363")
        const { conversation_id: _, ...body } = quickReply
        assert.deepStrictEqual(server.requests[0]?.json, body)
      })
    )
  } else {
    it.effect("a quick_reply fails with VersionUnsupported naming 2.14, before sending anything", () =>
      Effect.gen(function* () {
        const { exit, server } = yield* runAction(
          ReplyConversation,
          quickReply,
          inOrder(json(200, conversation))
        )
        const error = failureOf(exit)
        if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
        assert.strictEqual(error.reason._tag, "VersionUnsupported")
        if (error.reason._tag === "VersionUnsupported")
          assert.strictEqual(error.reason.minimumVersion, "2.14")
        assert.include(error.message, "2.14")
        assert.isFalse(error.retryable)
        assert.strictEqual(server.requests.length, 0)
      })
    )
  }

  it.effect("is never resent after a 500", () =>
    Effect.gen(function* () {
      const input = { conversation_id: "363", type: "user", intercom_user_id: contactId, body: "hi" }
      const { exit, server } = yield* runAction(
        ReplyConversation,
        input,
        inOrder(json(500, {}), json(200, conversation))
      )
      const error = failureOf(exit)
      if (error._tag !== "IntercomError") return assert.fail("expected IntercomError")
      assert.isFalse(error.retryable)
      assert.strictEqual(server.requests.length, 1)
    })
  )

  it.effect("a missing conversation is NotFound; an unpaid workspace Forbidden", () =>
    Effect.gen(function* () {
      const input = { conversation_id: "999", type: "user", user_id: "user-42", body: "hi" }
      const notFound = yield* runAction(
        ReplyConversation,
        input,
        inOrder(json(404, errorList("not_found", "Resource Not Found")))
      )
      const forbidden = yield* runAction(
        ReplyConversation,
        input,
        inOrder(json(403, errorList("api_plan_restricted", "Active subscription needed.")))
      )
      const tags = [failureOf(notFound.exit), failureOf(forbidden.exit)].map((e) =>
        e._tag === "IntercomError" ? e.reason._tag : e._tag
      )
      assert.deepStrictEqual(tags, ["NotFound", "Forbidden"])
    })
  )

  const invalid: ReadonlyArray<readonly [string, unknown, string, string]> = [
    [
      "a contact reply with no contact identifier",
      { conversation_id: "1", type: "user", body: "hi" },
      "intercom_user_id",
      "needs one of"
    ],
    [
      "a contact reply with two identifiers",
      { conversation_id: "1", type: "user", email: "a@b.co", user_id: "u", body: "hi" },
      "intercom_user_id",
      "only one"
    ],
    ["an empty body", { conversation_id: "1", type: "user", email: "a@b.co", body: "" }, "body", "length"],
    [
      "an admin comment without a body",
      { conversation_id: "1", type: "admin", admin_id: "1", message_type: "comment" },
      "body",
      "needs a body"
    ],
    [
      "a quick_reply without options",
      { conversation_id: "1", type: "admin", admin_id: "1", message_type: "quick_reply", body: "x" },
      "reply_options",
      "needs reply_options"
    ],
    [
      "an unknown message_type",
      { conversation_id: "1", type: "admin", admin_id: "1", message_type: "shout", body: "x" },
      "message_type",
      'expected one of "comment", "note", "quick_reply"; got "shout"'
    ],
    [
      "a reply as neither admin nor contact",
      { conversation_id: "1", type: "bot", body: "x" },
      "type",
      'expected one of "admin", "user"; got "bot"'
    ],
    [
      "a reply without a type",
      { conversation_id: "1", body: "x" },
      "type",
      'expected one of "admin", "user"; got nothing'
    ],
    [
      "a misspelt field of an admin reply",
      { conversation_id: "1", type: "admin", admin_id: "1", message_type: "note", bdoy: "x" },
      "bdoy",
      "unknown field; did you mean body?"
    ],
    [
      "last for an admin reply (only a contact has a last conversation)",
      { conversation_id: "last", type: "admin", admin_id: "1", message_type: "note", body: "x" },
      "conversation_id",
      "Expected an Intercom conversation id"
    ],
    [
      "a contact reply's conversation that is neither an id nor last",
      { conversation_id: "..", type: "user", email: "a@b.co", body: "hi" },
      "conversation_id",
      'or "last"'
    ]
  ]
  for (const [what, bad, path, message] of invalid) {
    it.effect(`rejects ${what} before sending anything`, () =>
      Effect.gen(function* () {
        const { exit, server } = yield* runAction(ReplyConversation, bad, inOrder(json(200, conversation)))
        const error = failureOf(exit)
        if (error._tag !== "ActionInputInvalid") return assert.fail("expected ActionInputInvalid")
        const issue = error.issues.find((i) => i.path === path)
        assert.isDefined(issue, JSON.stringify(error.issues))
        assert.include(issue?.message, message)
        assert.strictEqual(server.requests.length, 0)
      })
    )
  }
})
