/**
 * The app-scoped webhook endpoint: one URL receives every workspace's notifications. For each delivery
 * it verifies the signature on the raw bytes (with the core), decodes the envelope, answers pings and
 * unknown topics, drops repeats by notification id, and routes by `app_id` to that workspace's
 * connections, producing one activation per connection and trigger. It is synchronous in-memory work
 * only, so the delivery is acknowledged well inside Intercom's 5 seconds; starting runs happens after.
 */

import {
  checkSignature,
  decodeNotification,
  decodeTriggerOptions,
  decodeTriggerPayload,
  defaultTriggerOptions,
  markNotificationIfNew,
  type NotificationDedupe,
  notificationIdOf,
  routeNotification,
  triggerByKey,
  triggers,
  type WebhookEnvelopeError,
  type WebhookHeaders,
  WebhookSignatureError
} from "@taskjuice/intercom-core"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import { type Activation, activationDedupeKey } from "./Activation.ts"
import type { Connection } from "./Connection.ts"
import { Connections } from "./Connections.ts"

/** A trigger a connection's workflows listen on, with the options they set. */
export interface TriggerSubscription {
  readonly triggerKey: string
  readonly options: unknown
}

export interface WebhookEndpointOptions {
  /** The OAuth app's client secret first, then any previous ones still accepted during a rotation. */
  readonly secrets: NonEmptyReadonlyArray<Redacted.Redacted<string>>
  /**
   * Which triggers each connection listens on. Default: every trigger with its default options, which
   * is what the local host does; TaskJuice's runtime answers from the workflows using the connection.
   */
  readonly subscriptions?: ((connection: Connection) => ReadonlyArray<TriggerSubscription>) | undefined
}

/** What the endpoint concluded about one delivery; `status` is the HTTP answer. */
export type WebhookReceipt =
  | { readonly _tag: "Accepted"; readonly status: 200; readonly activations: ReadonlyArray<Activation> }
  | { readonly _tag: "Ping"; readonly status: 200 }
  | { readonly _tag: "Duplicate"; readonly status: 200; readonly notificationId: string }
  | { readonly _tag: "UnknownTopic"; readonly status: 200; readonly topic: string }
  /** No active connection of this workspace (never connected, removed, or revoked). */
  | { readonly _tag: "UnknownWorkspace"; readonly status: 200; readonly workspaceId: string }
  | { readonly _tag: "Unauthenticated"; readonly status: 401; readonly error: WebhookSignatureError }
  | { readonly _tag: "Unreadable"; readonly status: 400; readonly error: WebhookEnvelopeError }
  /** The seen-store failed: answering 503 makes Intercom deliver again a minute later. */
  | { readonly _tag: "Unavailable"; readonly status: 503 }

const everyTriggerWithDefaults: ReadonlyArray<TriggerSubscription> = triggers.map((trigger) => ({
  triggerKey: trigger.key,
  options: defaultTriggerOptions(trigger)
}))

const everyTrigger = (): ReadonlyArray<TriggerSubscription> => everyTriggerWithDefaults

export const receiveWebhook = (
  body: Uint8Array,
  headers: WebhookHeaders,
  options: WebhookEndpointOptions
): Effect.Effect<WebhookReceipt, never, Connections | NotificationDedupe> =>
  Effect.gen(function* () {
    // Nothing about the body is trusted, or even parsed, before its signature checks out.
    const verified = checkSignature(body, headers, options.secrets)
    if (verified instanceof WebhookSignatureError) {
      return { _tag: "Unauthenticated", status: 401, error: verified } as const
    }
    const decoded = yield* Effect.result(decodeNotification(body))
    if (decoded._tag === "Failure")
      return { _tag: "Unreadable", status: 400, error: decoded.failure } as const
    const notification = decoded.success

    // Counts unknown topics on the core's metric, so a topic Intercom adds shows up without failing anything.
    const route = yield* routeNotification(notification)
    if (route._tag === "Ping") return { _tag: "Ping", status: 200 } as const
    if (route._tag === "UnknownTopic")
      return { _tag: "UnknownTopic", status: 200, topic: route.topic } as const

    const connections = (yield* Connections)
      .forWorkspace(notification.app_id)
      .filter((connection) => connection.status === "active")
    if (connections.length === 0) {
      return { _tag: "UnknownWorkspace", status: 200, workspaceId: notification.app_id } as const
    }

    // Intercom's id, or the core's stable stand-in when it sent none, so repeats are still recognized.
    const notificationId = notificationIdOf(notification)
    const isNew = yield* Effect.result(markNotificationIfNew(notification))
    if (isNew._tag === "Failure") return { _tag: "Unavailable", status: 503 } as const
    if (!isNew.success) return { _tag: "Duplicate", status: 200, notificationId } as const

    // The payload's typed Schema is checked only to warn: the envelope is delivered as it came either way.
    for (const trigger of route.triggers) {
      const checked = yield* Effect.result(decodeTriggerPayload(trigger, notification))
      if (checked._tag === "Failure") yield* Effect.logWarning(checked.failure.message)
    }

    const receivedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const subscriptionsOf = options.subscriptions ?? everyTrigger
    const activations: Array<Activation> = []
    for (const connection of connections) {
      const seen = new Set<string>()
      for (const subscription of subscriptionsOf(connection)) {
        const trigger = triggerByKey(subscription.triggerKey)
        if (trigger === undefined || seen.has(trigger.key) || !route.triggers.includes(trigger)) continue
        const triggerOptions = yield* Effect.option(decodeTriggerOptions(trigger, subscription.options))
        if (triggerOptions._tag === "None" || !trigger.activates(route.topic, triggerOptions.value)) continue
        seen.add(trigger.key)
        activations.push({
          triggerKey: trigger.key,
          connectionId: connection.id,
          workspaceId: notification.app_id,
          topic: route.topic,
          notificationId,
          dedupeKey: activationDedupeKey(notificationId, connection.id, trigger.key),
          receivedAt,
          payload: notification
        })
      }
    }
    return { _tag: "Accepted", status: 200, activations } as const
  })
