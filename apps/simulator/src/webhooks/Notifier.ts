/**
 * State changes become notifications: each change the stores report is wrapped in the core's envelope
 * (its item shown as the app's version shows it) and handed to the dispatcher. `trigger` makes the
 * change behind a topic on purpose (or, for topics the workspace cannot cause, sends the core's
 * fixture), applies `--override` edits to the asked-for topic and sends it `count` times; `resend`
 * sends a recorded notification again.
 */
import { randomUUID } from "node:crypto"
import {
  makeNotificationEnvelope,
  type NotificationEnvelope,
  type NotificationItem,
  webhookFixture,
  webhookFixtureTopics
} from "@taskjuice/intercom-core"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { StateChange } from "../domain/Records.ts"
import type { WorkspaceStore } from "../domain/WorkspaceStore.ts"
import { companyView, contactView, conversationView } from "../http/Views.ts"
import { applyOverrides, type Override, type OverrideError, parseOverride } from "../Overrides.ts"
import type { Random } from "../Random.ts"
import type { SignatureMode } from "../SignatureMode.ts"
import type { VersionSpec } from "../spec/VersionSpec.ts"
import { causeTopic, topicsFor, triggerTopics } from "./Triggers.ts"
import type { DeliveryRecord, WebhookDispatcher } from "./WebhookDispatcher.ts"

export interface TriggerOptions {
  /** Path/value edits to the triggered topic's notification (`data.item.email=…`, `item.name=…`). */
  readonly overrides?: ReadonlyArray<string | Override> | undefined
  readonly signature?: SignatureMode | undefined
  /** Deliver to this URL instead of the subscriptions. */
  readonly forwardTo?: string | undefined
  /** How many times to trigger (default 1). */
  readonly count?: number | undefined
}

export interface TriggeredNotification {
  readonly id: string
  readonly topic: string
  /** The first attempt of each delivery (retries, if any, follow later). */
  readonly deliveries: ReadonlyArray<DeliveryRecord>
}

/** A trigger for a topic the simulator cannot send; the message lists the valid topics. */
export class UnknownTopicError extends Data.TaggedError("UnknownTopicError")<{
  readonly topic: string
  readonly topics: ReadonlyArray<string>
  readonly reason: "NotRetryable"
}> {
  override get message(): string {
    return `Unknown topic "${this.topic}". Valid topics: ${this.topics.join(", ")}`
  }
}

/** A resend of a notification that was never sent, or is older than the kept history. */
export class UnknownNotificationError extends Data.TaggedError("UnknownNotificationError")<{
  readonly id: string
  readonly reason: "NotRetryable"
}> {
  override get message(): string {
    return `No notification with id "${this.id}" (it may be older than the kept history)`
  }
}

const pingItem = { type: "ping", message: "something something interzen" }

type Item = typeof NotificationItem.Type

/** Reading and applying overrides throws only `OverrideError` (the text says what to write instead). */
const overridable = <A>(f: () => A): Effect.Effect<A, OverrideError> =>
  Effect.try({ try: f, catch: (error) => error as OverrideError })

export class Notifier {
  /** The topics `trigger` knows. */
  readonly topics: ReadonlyArray<string> = [...new Set([...triggerTopics, ...webhookFixtureTopics()])].sort()
  private readonly store: WorkspaceStore
  private readonly dispatcher: WebhookDispatcher
  private readonly random: Random
  /** The app's version: notifications show their items as it does. */
  private readonly spec: VersionSpec
  private readonly nowMillis: () => number
  /** While a trigger runs, its notifications are held so overrides can be applied before sending. */
  private held: Array<NotificationEnvelope> | undefined

  constructor(options: {
    readonly store: WorkspaceStore
    readonly dispatcher: WebhookDispatcher
    readonly random: Random
    readonly spec: VersionSpec
    readonly nowMillis: () => number
  }) {
    this.store = options.store
    this.dispatcher = options.dispatcher
    this.random = options.random
    this.spec = options.spec
    this.nowMillis = options.nowMillis
    this.store.onChange((change) => this.changed(change))
  }

  trigger(
    topic: string,
    options: TriggerOptions = {}
  ): Effect.Effect<ReadonlyArray<TriggeredNotification>, UnknownTopicError | OverrideError> {
    return Effect.gen({ self: this }, function* () {
      if (!this.topics.includes(topic)) {
        return yield* new UnknownTopicError({ topic, topics: this.topics, reason: "NotRetryable" })
      }
      const overrides = yield* overridable(() =>
        (options.overrides ?? []).map((o) => (typeof o === "string" ? parseOverride(o) : o))
      )
      const sent: Array<{
        readonly id: string
        readonly topic: string
        readonly firstAttempts: Effect.Effect<ReadonlyArray<DeliveryRecord>>
      }> = []
      for (let i = 0; i < (options.count ?? 1); i++) {
        const envelopes = yield* this.holding(
          Effect.map(causeTopic(this.store, this.random, topic), (caused) => {
            if (topic === "ping") return [this.envelope("ping", pingItem)]
            return caused ? [] : [this.fixtureEnvelope(topic)]
          })
        )
        for (const envelope of envelopes) {
          const asked = envelope.topic === topic
          const edited = asked ? yield* overridable(() => applyOverrides(envelope, overrides)) : envelope
          // Only the asked-for topic goes to --forward-to; what else the change caused goes to subscribers.
          const { notification, firstAttempts } = this.dispatcher.dispatch(edited, {
            forwardTo: asked ? options.forwardTo : undefined,
            signature: options.signature
          })
          sent.push({ id: notification.id, topic: notification.topic, firstAttempts })
        }
      }
      return yield* Effect.all(
        sent.map(({ id, topic: sentTopic, firstAttempts }) =>
          Effect.map(firstAttempts, (deliveries) => ({ id, topic: sentTopic, deliveries }))
        )
      )
    })
  }

  ping(): Effect.Effect<TriggeredNotification> {
    return Effect.map(Effect.orDie(this.trigger("ping")), (sent) => sent[0]!)
  }

  resend(
    notificationId: string,
    options: { readonly forwardTo?: string | undefined; readonly signature?: SignatureMode | undefined } = {}
  ): Effect.Effect<ReadonlyArray<DeliveryRecord>, UnknownNotificationError> {
    return Effect.suspend(
      () =>
        this.dispatcher.resend(notificationId, options) ??
        Effect.fail(new UnknownNotificationError({ id: notificationId, reason: "NotRetryable" }))
    )
  }

  /** The change's notifications: sent at once, or held while a trigger runs. */
  private changed(change: StateChange): void {
    const item = this.itemFor(change)
    for (const topic of topicsFor(change)) {
      const envelope = this.envelope(topic, item)
      if (this.held !== undefined) this.held.push(envelope)
      else this.dispatcher.dispatch(envelope)
    }
  }

  /** Runs `effect` with the notifications it causes held, and succeeds with them (and what it adds). */
  private holding(
    effect: Effect.Effect<ReadonlyArray<NotificationEnvelope>>
  ): Effect.Effect<ReadonlyArray<NotificationEnvelope>> {
    return Effect.suspend(() => {
      const held: Array<NotificationEnvelope> = []
      this.held = held
      return effect.pipe(
        Effect.map((added) => [...held, ...added]),
        Effect.ensuring(Effect.sync(() => (this.held = undefined)))
      )
    })
  }

  private itemFor(change: StateChange): Item {
    const { profile, shape } = this.spec
    switch (change.type) {
      case "contact.created":
      case "contact.updated":
        return shape.component("contact", contactView(this.store, profile, change.contact)) as Item
      case "conversation.created":
      case "conversation.replied":
        return shape.component(
          "conversation",
          conversationView(this.store, profile, change.conversation)
        ) as Item
      case "company.created":
        return shape.component("company", companyView(this.store, change.company)) as Item
    }
  }

  private envelope(topic: string, item: Item): NotificationEnvelope {
    return makeNotificationEnvelope({
      topic,
      appId: this.store.workspace.id_code,
      item,
      id: topic === "ping" ? null : `notif_${randomUUID()}`,
      createdAt: Math.floor(this.nowMillis() / 1000)
    })
  }

  /** A topic the workspace cannot cause: the core's fixture, with a fresh id and this workspace. */
  private fixtureEnvelope(topic: string): NotificationEnvelope {
    const fixture = webhookFixture(topic) as unknown as NotificationEnvelope
    return { ...fixture, ...this.envelope(topic, fixture.data.item), data: fixture.data }
  }
}
