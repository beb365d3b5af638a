/**
 * `intercom/conversation-created`: a new conversation, started by a contact
 * (`conversation.user.created`) or one-to-one by an admin (`conversation.admin.single.created`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { notificationEnvelopeWith } from "../webhooks/WebhookEnvelope.ts"
import { ConversationItem } from "./IntercomItem.ts"
import { defineTrigger } from "./Trigger.ts"

const topicByInitiator = {
  contact: "conversation.user.created",
  admin: "conversation.admin.single.created"
} as const

/**
 * Who started the conversation: the contact, an admin, or either (the default).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationInitiator = Schema.Literals(["contact", "admin", "both"]).annotate({
  default: "both",
  title: "Started by",
  description: "contact: conversations a user or lead starts; admin: one-to-one conversations an admin starts"
})

/**
 * The trigger's options.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationCreatedOptions = Schema.Struct({
  initiator: ConversationInitiator.pipe(Schema.withDecodingDefaultKey(Effect.succeed("both" as const)))
})

/**
 * The activation payload: the notification envelope with the new conversation in `data.item`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationCreatedPayload = notificationEnvelopeWith(
  ConversationItem,
  Schema.Literals([topicByInitiator.contact, topicByInitiator.admin])
).annotate({ identifier: "ConversationCreatedPayload" })

/**
 * The trigger.
 *
 * @since 0.1.0
 * @category triggers
 */
export const conversationCreated = defineTrigger({
  key: "intercom/conversation-created",
  title: "Conversation created",
  description: "Fires when a new conversation starts, by a contact, an admin (one-to-one), or either.",
  topics: [topicByInitiator.contact, topicByInitiator.admin],
  options: ConversationCreatedOptions,
  payload: ConversationCreatedPayload,
  activates: (topic, options) =>
    options.initiator === "both"
      ? topic === topicByInitiator.contact || topic === topicByInitiator.admin
      : topic === topicByInitiator[options.initiator]
})
