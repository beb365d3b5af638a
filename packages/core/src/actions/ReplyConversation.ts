/**
 * `intercom/reply-conversation`: a reply as an admin (comment, note, or — from API 2.14 — a quick
 * reply) or as the contact (identified by intercom_user_id, email or user_id). Not idempotent: a
 * reply that may have reached Intercom is never sent again.
 */
import { type components, intercomIdDescriptions } from "@taskjuice/intercom-client"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { objectPath, quickReplyBody, type ReplyBody, requireFeature } from "../api/ApiVersion.ts"
import { IntercomApi } from "../api/IntercomApi.ts"
import type { IntercomError } from "../api/IntercomError.ts"
import { Conversation } from "../api/IntercomObjects.ts"
import * as RetryPolicy from "../api/RetryPolicy.ts"
import { defineAction } from "./Action.ts"
import {
  AdminId,
  AttachmentUrls,
  ContactId,
  ConversationId,
  Email,
  givenExactlyOneOf,
  requires
} from "./InputFields.ts"

/**
 * Intercom also takes `last` for the conversation: the contact's most recent one. It means something
 * only when a contact replies (the contact identifies it), so admin replies name the conversation.
 */
const ContactConversationId = Schema.Union([ConversationId, Schema.Literal("last")]).annotate({
  description: "Intercom's id of the conversation, or \"last\" for the contact's last conversation",
  message: `Expected an Intercom conversation id (${intercomIdDescriptions.conversation}) or "last"`,
  examples: ["363", "last"]
})

const Body = Schema.String.check(Schema.isTrimmed(), Schema.isNonEmpty()).annotate({
  description: "The reply's text"
})

const QuickReplyOption = Schema.Struct({
  text: Schema.String.check(Schema.isNonEmpty()).annotate({ description: "The button's label" }),
  uuid: Schema.String.check(Schema.isNonEmpty()).annotate({ description: "Your id of the option" })
})

export const AdminReplyInput = Schema.Struct({
  conversation_id: ConversationId,
  type: Schema.Literal("admin").annotate({ description: "Reply as an admin" }),
  admin_id: AdminId,
  message_type: Schema.Literals(["comment", "note", "quick_reply"]).annotate({
    description:
      "comment (visible to the contact), note (internal) or quick_reply (buttons; needs Intercom API 2.14+)"
  }),
  body: Schema.optionalKey(Body),
  reply_options: Schema.optionalKey(
    Schema.Array(QuickReplyOption)
      .check(Schema.isMinLength(1))
      .annotate({ description: "The quick-reply buttons (quick_reply only)" })
  ),
  attachment_urls: Schema.optionalKey(AttachmentUrls)
})
  .annotate({ title: "Reply as an admin" })
  .check(
    Schema.makeFilter(
      (reply) => {
        if (reply.message_type === "quick_reply") {
          return reply.reply_options === undefined
            ? { path: ["reply_options"], issue: "A quick_reply needs reply_options" }
            : undefined
        }
        if (reply.body === undefined) return { path: ["body"], issue: `A ${reply.message_type} needs a body` }
        return reply.reply_options === undefined
          ? undefined
          : { path: ["reply_options"], issue: "reply_options are only for a quick_reply" }
      },
      {
        description: "body for comment and note, reply_options for quick_reply",
        toJsonSchema: () => ({
          anyOf: [
            {
              properties: { message_type: { const: "quick_reply" }, reply_options: true },
              required: ["reply_options"]
            },
            {
              properties: { message_type: { enum: ["comment", "note"] }, body: true },
              required: ["body"],
              not: requires("reply_options")
            }
          ]
        })
      }
    )
  )

export const ContactReplyInput = Schema.Struct({
  conversation_id: ContactConversationId,
  type: Schema.Literal("user").annotate({ description: "Reply as the contact" }),
  intercom_user_id: Schema.optionalKey(ContactId),
  email: Schema.optionalKey(Email),
  user_id: Schema.optionalKey(
    Schema.String.check(Schema.isNonEmpty()).annotate({ description: "The contact's external_id" })
  ),
  body: Body,
  attachment_urls: Schema.optionalKey(AttachmentUrls)
})
  .annotate({ title: "Reply as the contact" })
  .check(
    Schema.makeFilter(
      (reply) => {
        const identifiers = [reply.intercom_user_id, reply.email, reply.user_id].filter(
          (id) => id !== undefined
        )
        if (identifiers.length === 1) return undefined
        return {
          path: ["intercom_user_id"],
          issue:
            identifiers.length === 0
              ? "A contact reply needs one of intercom_user_id, email or user_id"
              : "Give only one of intercom_user_id, email or user_id"
        }
      },
      {
        description: "exactly one of intercom_user_id, email or user_id",
        toJsonSchema: () => givenExactlyOneOf(["intercom_user_id", "email", "user_id"])
      }
    )
  )

export const ReplyConversationInput = Schema.Union([AdminReplyInput, ContactReplyInput]).annotate({
  title: "Reply to conversation",
  description: 'type "admin" replies as an admin, type "user" as the contact',
  examples: [
    { conversation_id: "363", type: "admin", admin_id: "991267596", message_type: "comment", body: "On it!" },
    { conversation_id: "last", type: "user", email: "ada@example.com", body: "Thanks" }
  ]
})
export type ReplyConversationInput = typeof ReplyConversationInput.Type

type ContactReplyBody = components["schemas"]["contact_reply_conversation_request"]

const contactReplyBody = (reply: typeof ContactReplyInput.Type): ContactReplyBody => {
  const base = {
    type: "user" as const,
    message_type: "comment" as const,
    body: reply.body,
    ...(reply.attachment_urls === undefined ? {} : { attachment_urls: reply.attachment_urls })
  }
  if (reply.intercom_user_id !== undefined) return { ...base, intercom_user_id: reply.intercom_user_id }
  if (reply.email !== undefined) return { ...base, email: reply.email }
  return { ...base, user_id: reply.user_id ?? "" }
}

const replyBody = (reply: ReplyConversationInput): Effect.Effect<ReplyBody, IntercomError> => {
  if (reply.type === "user") return Effect.succeed(contactReplyBody(reply))
  const { conversation_id: _, reply_options, message_type, ...admin } = reply
  if (message_type === "quick_reply") {
    return Effect.as(
      requireFeature("quickReply", "replyConversation"),
      quickReplyBody({ ...admin, reply_options: reply_options ?? [] })
    )
  }
  return Effect.succeed({ ...admin, message_type })
}

export const ReplyConversation = defineAction({
  key: "intercom/reply-conversation",
  title: "Reply to conversation",
  description:
    "Replies to a conversation as an admin (comment, note or quick reply) or as the contact. Never sent twice.",
  input: ReplyConversationInput,
  output: Conversation,
  idempotent: false,
  retry: RetryPolicy.unsentOnly,
  operations: ["replyConversation"],
  run: (input) =>
    Effect.flatMap(replyBody(input), (body) =>
      IntercomApi.use((api) =>
        api.call(
          { operation: "replyConversation", idempotent: false, answer: Conversation },
          (client, signal) => {
            const path = objectPath("replyConversation", input.conversation_id)
            return client.POST(path.url, { params: { path: path.parameters }, body, signal })
          }
        )
      )
    )
})
