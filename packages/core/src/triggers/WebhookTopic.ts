/**
 * The webhook topics the integration subscribes to (Intercom 2.x names; `user.created` and
 * `contact.created` are the retired 1.x names and are not used).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Every topic we handle, `ping` included (Intercom always subscribes it).
 *
 * @since 0.1.0
 * @category constants
 */
export const webhookTopics = [
  "conversation.user.created",
  "conversation.admin.single.created",
  "conversation.user.replied",
  "contact.user.created",
  "contact.lead.created",
  "ping"
] as const

/**
 * A topic we handle.
 *
 * @since 0.1.0
 * @category models
 */
export type WebhookTopic = (typeof webhookTopics)[number]

/**
 * The topic schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebhookTopic = Schema.Literals(webhookTopics)

const known: ReadonlySet<string> = new Set(webhookTopics)

/**
 * Whether a topic is one we handle.
 *
 * @since 0.1.0
 * @category guards
 */
export const isWebhookTopic = (topic: string): topic is WebhookTopic => known.has(topic)
