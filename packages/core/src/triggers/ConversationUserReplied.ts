/**
 * `intercom/conversation-user-replied`: a contact (user, lead or visitor) replied in a conversation
 * (`conversation.user.replied`). The new parts are under `data.item.conversation_parts`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { notificationEnvelopeWith } from "../webhooks/WebhookEnvelope.ts"
import { ConversationWithPartsItem } from "./IntercomItem.ts"
import { defineTrigger } from "./Trigger.ts"

/**
 * The trigger has no options; whatever a workflow stores is accepted and ignored.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationUserRepliedOptions = Schema.Record(Schema.String, Schema.Unknown)

/**
 * The activation payload: the notification envelope with the conversation, including its
 * `conversation_parts` list, in `data.item`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationUserRepliedPayload = notificationEnvelopeWith(
  ConversationWithPartsItem,
  Schema.Literal("conversation.user.replied")
).annotate({ identifier: "ConversationUserRepliedPayload" })

/**
 * The trigger.
 *
 * @since 0.1.0
 * @category triggers
 */
export const conversationUserReplied = defineTrigger({
  key: "intercom/conversation-user-replied",
  title: "Contact replied",
  description:
    "Fires when a contact replies to a conversation; the new parts are in data.item.conversation_parts.",
  topics: ["conversation.user.replied"],
  options: ConversationUserRepliedOptions,
  payload: ConversationUserRepliedPayload,
  activates: (topic) => topic === "conversation.user.replied"
})
