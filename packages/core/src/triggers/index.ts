/**
 * The webhook triggers: their definitions, the topics they listen to, and routing.
 *
 * @since 0.1.0
 */
export {
  ContactCreatedOptions,
  ContactCreatedPayload,
  ContactRole,
  contactCreated
} from "./ContactCreated.ts"
export {
  ConversationCreatedOptions,
  ConversationCreatedPayload,
  ConversationInitiator,
  conversationCreated
} from "./ConversationCreated.ts"
export {
  ConversationUserRepliedOptions,
  ConversationUserRepliedPayload,
  conversationUserReplied
} from "./ConversationUserReplied.ts"
export {
  ContactItem,
  ConversationItem,
  ConversationPartIdentity,
  type ConversationWithParts,
  ConversationWithPartsItem,
  type IntercomContact,
  type IntercomConversation
} from "./IntercomItem.ts"
export { defineTopicChoiceTrigger, type TopicChoiceSpec } from "./TopicChoice.ts"
export {
  type AnyTrigger,
  checkTriggerPayload,
  decodeTriggerOptions,
  decodeTriggerOptionsResult,
  decodeTriggerPayload,
  defaultTriggerOptions,
  defineTrigger,
  type PlainSchema,
  TriggerDecodeError,
  type TriggerDefinition,
  type TriggerSpec
} from "./Trigger.ts"
export {
  classifyNotification,
  type NotificationRoute,
  routeNotification,
  type TriggerKey,
  triggerByKey,
  triggers,
  unknownTopicNotifications
} from "./TriggerRegistry.ts"
export { isWebhookTopic, WebhookTopic, webhookTopics } from "./WebhookTopic.ts"
