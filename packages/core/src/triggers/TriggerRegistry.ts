/**
 * The triggers, looked up by key and by topic, and the classifier that says what a notification means:
 * a ping, an unknown topic, or the triggers it may activate.
 *
 * @since 0.1.0
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { contactCreated } from "./ContactCreated.ts"
import { conversationCreated } from "./ConversationCreated.ts"
import { conversationUserReplied } from "./ConversationUserReplied.ts"
import type { AnyTrigger } from "./Trigger.ts"
import type { WebhookTopic } from "./WebhookTopic.ts"

/**
 * Every trigger.
 *
 * @since 0.1.0
 * @category triggers
 */
export const triggers = [conversationCreated, conversationUserReplied, contactCreated] as const

/**
 * A trigger key.
 *
 * @since 0.1.0
 * @category models
 */
export type TriggerKey = (typeof triggers)[number]["key"]

const byKey: ReadonlyMap<string, AnyTrigger> = new Map(triggers.map((trigger) => [trigger.key, trigger]))

/**
 * The trigger with a key, or `undefined`.
 *
 * @since 0.1.0
 * @category triggers
 */
export const triggerByKey = (key: string): AnyTrigger | undefined => byKey.get(key)

const byTopic: ReadonlyMap<string, NonEmptyReadonlyArray<AnyTrigger>> = (() => {
  const map = new Map<string, [AnyTrigger, ...Array<AnyTrigger>]>()
  for (const trigger of triggers) {
    for (const topic of trigger.topics) {
      const list = map.get(topic)
      if (list === undefined) map.set(topic, [trigger])
      else list.push(trigger)
    }
  }
  return map
})()

/**
 * What a notification means for routing.
 * - `Ping`: acknowledge, activate nothing.
 * - `UnknownTopic`: acknowledge, count, activate nothing.
 * - `Triggers`: the triggers the topic may activate; each workflow's options then decide (`activates`).
 *
 * @since 0.1.0
 * @category models
 */
export type NotificationRoute =
  | { readonly _tag: "Ping" }
  | { readonly _tag: "UnknownTopic"; readonly topic: string }
  | {
      readonly _tag: "Triggers"
      readonly topic: Exclude<WebhookTopic, "ping">
      readonly triggers: NonEmptyReadonlyArray<AnyTrigger>
    }

/**
 * Classifies a (decoded) notification by its topic. Pure.
 *
 * @since 0.1.0
 * @category routing
 */
export const classifyNotification = (notification: { readonly topic: string }): NotificationRoute => {
  const topic = notification.topic
  if (topic === "ping") return { _tag: "Ping" }
  const candidates = byTopic.get(topic)
  return candidates === undefined
    ? { _tag: "UnknownTopic", topic }
    : { _tag: "Triggers", topic: candidates[0].topics.find((t) => t === topic)!, triggers: candidates }
}

/**
 * How many notifications arrived per unknown topic (a topic subscribed in the Developer Hub that no
 * trigger handles, or one Intercom added).
 *
 * @since 0.1.0
 * @category metrics
 */
export const unknownTopicNotifications = Metric.frequency("intercom_webhook_unknown_topic_notifications", {
  description: "Verified webhook notifications whose topic no trigger handles, by topic"
})

/**
 * {@link classifyNotification}, counting unknown topics in {@link unknownTopicNotifications}.
 *
 * @since 0.1.0
 * @category routing
 */
export const routeNotification = (notification: {
  readonly topic: string
}): Effect.Effect<NotificationRoute> =>
  Effect.suspend((): Effect.Effect<NotificationRoute> => {
    const route = classifyNotification(notification)
    return route._tag === "UnknownTopic"
      ? Effect.as(Metric.update(unknownTopicNotifications, route.topic), route)
      : Effect.succeed(route)
  })
