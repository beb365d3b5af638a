/**
 * The app-scoped webhook endpoint: one URL receives every workspace's notifications. For each delivery
 * it verifies the signature on the raw bytes (with the core), decodes the envelope, answers pings and
 * unknown topics, acknowledges a stale replay without activating it, routes by `app_id` to that
 * workspace's connections (one activation per connection and trigger), and hands the activations to
 * the shared `ActivationInbox`, which records them with the delivery's dedupe mark in one atomic step.
 * Only then is the delivery acknowledged: a crash after the 200 loses nothing, a repeat on any worker
 * is a duplicate, and a store that fails or is full refuses (503) so Intercom delivers again.
 */

import {
  type AnyTrigger,
  checkSignature,
  checkTriggerPayload,
  classifyNotification,
  decodeNotificationBody,
  decodeTriggerOptionsResult,
  defaultDedupeWindow,
  defaultTriggerOptions,
  isStaleReplay,
  notificationDedupeKey,
  notificationIdOf,
  readBodyText,
  staleReplayNotifications,
  triggerByKey,
  triggers,
  WebhookEnvelopeError,
  type WebhookHeaders,
  WebhookSignatureError,
  webhookTopics
} from "@taskjuice/intercom-core"
import { ActivationInbox, ConnectionStore } from "@taskjuice/intercom-state"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { type Activation, activationDedupeKey, type InboxActivation } from "./Activation.ts"
import type { Connection } from "./Connection.ts"
import { checkJsonShape, defaultLimits, type HostLimits, limitFlags } from "./http/Limits.ts"
import { fromStateFailure, type HostFailure } from "./StepError.ts"

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
  /** The JSON shape limits a signed body must keep before it is parsed (the host's defaults when unset). */
  readonly limits?: Pick<HostLimits, "jsonDepth" | "jsonMembers"> | undefined
  /**
   * How long a delivery's key is remembered (default: the core's 15 minutes); a notification first sent
   * longer ago than this, less the core's margin, is a stale replay.
   */
  readonly dedupeWindow?: Duration.Input | undefined
}

/**
 * What the endpoint concluded about one delivery: acknowledged (200, with what it did), or refused
 * with a failure from the error table (which gives its status). A refused delivery is one Intercom
 * sends again; a state store that fails or is full is refused (503) for that reason.
 */
export type WebhookReceipt =
  /** Kept in the inbox (each activation with its cursor), or nothing to keep for this workspace's triggers. */
  | ({ readonly _tag: "Accepted"; readonly activations: ReadonlyArray<InboxActivation> } & Received)
  | { readonly _tag: "Ping" }
  | ({ readonly _tag: "Duplicate" } & Received)
  /** First sent before the dedupe window (less the margin): acknowledged and counted, never activated. */
  | ({ readonly _tag: "StaleReplay" } & Received)
  | { readonly _tag: "UnknownTopic"; readonly topic: string }
  /** No active connection of this workspace (never connected, removed, or revoked). */
  | ({ readonly _tag: "UnknownWorkspace" } & Received)
  | { readonly _tag: "Refused"; readonly failure: HostFailure }

/** Which notification a verified delivery carried (for the host's log: what was received, and from whom). */
export interface Received {
  readonly topic: string
  readonly notificationId: string
  readonly workspaceId: string
}

/** The body of a 200: what became of the delivery. */
export const acknowledgement = (receipt: Exclude<WebhookReceipt, { readonly _tag: "Refused" }>) => {
  switch (receipt._tag) {
    case "Accepted":
      return { received: "accepted", activations: receipt.activations.length }
    case "Ping":
      return { received: "ping" }
    case "Duplicate":
      return { received: "duplicate", notificationId: receipt.notificationId }
    case "StaleReplay":
      return { received: "stale-replay", notificationId: receipt.notificationId }
    case "UnknownTopic":
      return { received: "ignored", topic: receipt.topic }
    case "UnknownWorkspace":
      return { received: "ignored", workspaceId: receipt.workspaceId }
  }
}

const knownTopics: ReadonlySet<string> = new Set(webhookTopics)

/** A depth JSON.stringify handles on any stack a host runs with (it overflows near 5,000). */
const surelyEncodableDepth = 1_000

/**
 * Verified notifications by topic: each topic a trigger handles, and one `other` for every topic
 * none does, so a sender cannot grow the metric by inventing topics.
 */
export const webhookNotifications = Metric.frequency("intercom_webhook_notifications", {
  description: "Verified webhook notifications by topic; topics no trigger handles count as other"
})

const topicKey = (topic: string) => (knownTopics.has(topic) ? topic : "other")

const everyTriggerWithDefaults: ReadonlyArray<TriggerSubscription> = triggers.map((trigger) => ({
  triggerKey: trigger.key,
  options: defaultTriggerOptions(trigger)
}))

const everyTrigger = (): ReadonlyArray<TriggerSubscription> => everyTriggerWithDefaults

// The defaults are decoded already; only options a caller supplies are decoded, on every delivery.
const decodedDefaults: ReadonlySet<TriggerSubscription> = new Set(everyTriggerWithDefaults)

/** A subscription's options decoded for its trigger, or undefined when they are invalid (it never fires). */
const optionsOf = (trigger: AnyTrigger, subscription: TriggerSubscription): unknown => {
  if (decodedDefaults.has(subscription)) return subscription.options
  const decoded = decodeTriggerOptionsResult(trigger, subscription.options)
  return Result.isSuccess(decoded) ? decoded.success : undefined
}

// Deliveries that arrive in the same millisecond share its text.
let lastTime: { readonly millis: number; readonly iso: string } = { millis: -1, iso: "" }
const isoTime = (millis: number): string => {
  if (lastTime.millis !== millis) lastTime = { millis, iso: new Date(millis).toISOString() }
  return lastTime.iso
}

export const receiveWebhook = (
  body: Uint8Array,
  headers: WebhookHeaders,
  options: WebhookEndpointOptions
): Effect.Effect<WebhookReceipt, never, ConnectionStore | ActivationInbox> =>
  Effect.gen(function* () {
    // Nothing about the body is trusted, or even parsed, before its signature checks out.
    const verified = checkSignature(body, headers, options.secrets)
    if (verified instanceof WebhookSignatureError) {
      return { _tag: "Refused", failure: { _tag: "SignatureInvalid", error: verified } } as const
    }
    // Depth and size are checked on the raw bytes: nothing parses, stores or logs a body over them.
    const limits = options.limits ?? defaultLimits
    const exceeded = checkJsonShape(body, limits)
    if (exceeded !== undefined) {
      return {
        _tag: "Refused",
        failure: { _tag: "JsonShape", exceeded, flag: limitFlags[exceeded.limit] }
      } as const
    }
    // Read once: the text is decoded into the notification and kept as the activations' payload.
    const text = readBodyText(body)
    if (text instanceof WebhookEnvelopeError)
      return { _tag: "Refused", failure: { _tag: "EnvelopeUnreadable", error: text } } as const
    const notification = decodeNotificationBody(text)
    if (notification instanceof WebhookEnvelopeError)
      return { _tag: "Refused", failure: { _tag: "EnvelopeUnreadable", error: notification } } as const

    // A topic Intercom adds shows up on the metric (as other) without failing anything.
    const route = classifyNotification(notification)
    yield* Metric.update(webhookNotifications, topicKey(notification.topic))
    if (route._tag === "Ping") return { _tag: "Ping" } as const
    if (route._tag === "UnknownTopic") return { _tag: "UnknownTopic", topic: route.topic } as const

    // Intercom's id, or the core's stable stand-in when it sent none, so repeats are still recognized.
    const notificationId = notificationIdOf(notification)
    const window = options.dedupeWindow ?? defaultDedupeWindow
    const now = yield* Clock.currentTimeMillis
    // A replay first sent before the window may have outlived its dedupe mark: it activates nothing.
    const received: Received = { topic: route.topic, notificationId, workspaceId: notification.app_id }
    if (isStaleReplay(notification, now, { window })) {
      yield* Metric.update(staleReplayNotifications, notification.topic)
      return { _tag: "StaleReplay", ...received } as const
    }

    const found = yield* Effect.result((yield* ConnectionStore).forWorkspace(notification.app_id))
    if (found._tag === "Failure")
      return { _tag: "Refused", failure: fromStateFailure(found.failure) } as const
    const connections = found.success.filter((connection) => connection.status === "active")
    if (connections.length === 0) {
      return { _tag: "UnknownWorkspace", ...received } as const
    }

    // The payload's typed Schema is checked only to warn: the envelope is delivered as it came either way.
    for (const trigger of route.triggers) {
      const unexpected = checkTriggerPayload(trigger, notification)
      if (unexpected !== undefined) yield* Effect.logWarning(unexpected.message)
    }

    const deliveryKey = notificationDedupeKey(notification)
    const receivedAt = isoTime(now)
    const subscriptionsOf = options.subscriptions ?? everyTrigger
    const activations: Array<Activation> = []
    for (const connection of connections) {
      const seen = new Set<string>()
      for (const subscription of subscriptionsOf(connection)) {
        const trigger = triggerByKey(subscription.triggerKey)
        if (trigger === undefined || seen.has(trigger.key) || !route.triggers.includes(trigger)) continue
        const triggerOptions = optionsOf(trigger, subscription)
        if (triggerOptions === undefined || !trigger.activates(route.topic, triggerOptions)) continue
        seen.add(trigger.key)
        activations.push({
          triggerKey: trigger.key,
          connectionId: connection.id,
          workspaceId: notification.app_id,
          topic: route.topic,
          notificationId,
          dedupeKey: activationDedupeKey(deliveryKey, connection.id, trigger.key),
          receivedAt,
          payload: notification
        })
      }
    }
    // The dedupe mark and the activations in one atomic step, before the answer. Within the depth
    // that encoding is sure to handle, the payload is kept as the verified text it came in rather than
    // encoded again; deeper (a raised limit), encoding it is the check that what is kept can be handed
    // out again, so one too deep is refused before the 200.
    const accepted = yield* Effect.result(
      (yield* ActivationInbox).accept({
        dedupeKey: deliveryKey,
        expiresAtMillis: now + Duration.toMillis(Duration.fromInputUnsafe(window)),
        activations,
        payloadJson: limits.jsonDepth <= surelyEncodableDepth ? text : undefined
      })
    )
    if (accepted._tag === "Failure")
      return { _tag: "Refused", failure: fromStateFailure(accepted.failure) } as const
    if (accepted.success._tag === "Duplicate") return { _tag: "Duplicate", ...received } as const
    const { cursors } = accepted.success
    return {
      _tag: "Accepted",
      ...received,
      activations: activations.map((activation, index) => ({ ...activation, cursor: cursors[index] ?? "" }))
    } as const
  })
