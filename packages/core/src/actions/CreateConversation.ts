/**
 * `intercom/create-conversation`: a conversation started by a contact (the contact is the first
 * sender). Not idempotent: once the request may have reached Intercom it is never sent again; only
 * a 429 or a refused connection (provably not received) is retried.
 */
import * as Schema from "effect/Schema"
import { Message } from "../api/IntercomObjects.ts"
import { defineCallAction } from "./Action.ts"
import { AttachmentUrls, ContactId, UnixTimestamp } from "./InputFields.ts"

export const CreateConversationInput = Schema.Struct({
  from: Schema.Struct({
    type: Schema.Literals(["user", "lead", "contact"]).annotate({
      description: "The kind of contact sending"
    }),
    id: ContactId
  }).annotate({ description: "The contact who starts the conversation" }),
  body: Schema.String.check(Schema.isTrimmed(), Schema.isNonEmpty()).annotate({
    description: "The message (plain text; HTML is not supported)"
  }),
  subject: Schema.optionalKey(Schema.String.annotate({ description: "Subject, for email conversations" })),
  attachment_urls: Schema.optionalKey(AttachmentUrls),
  created_at: Schema.optionalKey(
    UnixTimestamp.annotate({ description: "When it was created, to import history" })
  )
}).annotate({
  title: "Create conversation",
  description: "A conversation started by a contact",
  examples: [
    { from: { type: "user", id: "63a07ddf05a32042dffac965" }, body: "Hello, I need help with my invoice" }
  ]
})
export type CreateConversationInput = typeof CreateConversationInput.Type

export const CreateConversation = defineCallAction({
  key: "intercom/create-conversation",
  title: "Create conversation",
  description:
    "Starts a conversation from a contact, who is its first sender. Returns the first message and the new conversation's id. Never sent twice.",
  input: CreateConversationInput,
  output: Message,
  idempotent: false,
  operation: "createConversation",
  send: (input, client, signal) => client.POST("/conversations", { body: input, signal })
})
