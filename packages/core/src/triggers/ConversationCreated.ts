/**
 * `intercom/conversation-created`: a new conversation, started by a contact
 * (`conversation.user.created`) or one-to-one by an admin (`conversation.admin.single.created`).
 *
 * @since 0.1.0
 */
import { ConversationItem } from "./IntercomItem.ts"
import { defineTopicChoiceTrigger } from "./TopicChoice.ts"

const conversationCreatedTrigger = defineTopicChoiceTrigger({
  key: "intercom/conversation-created",
  title: "Conversation created",
  description: "Fires when a new conversation starts, by a contact, an admin (one-to-one), or either.",
  option: "initiator",
  choice: {
    title: "Started by",
    description:
      "contact: conversations a user or lead starts; admin: one-to-one conversations an admin starts"
  },
  topicByChoice: [
    ["contact", "conversation.user.created"],
    ["admin", "conversation.admin.single.created"]
  ],
  item: ConversationItem,
  payloadIdentifier: "ConversationCreatedPayload"
})

/**
 * Who started the conversation: the contact, an admin, or either (the default).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationInitiator = conversationCreatedTrigger.Choice

/**
 * The trigger's options.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationCreatedOptions = conversationCreatedTrigger.Options

/**
 * The activation payload: the notification envelope with the new conversation in `data.item`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationCreatedPayload = conversationCreatedTrigger.Payload

/**
 * The trigger.
 *
 * @since 0.1.0
 * @category triggers
 */
export const conversationCreated = conversationCreatedTrigger.trigger
