/**
 * Intercom's webhook delivery: every notification goes to each subscription of its topic, signed, by
 * Intercom's rules (`DeliveryRules.ts`: 5 s to answer, one retry a minute later, 429 throttling, the
 * pause after a run of errors; a 410 disables the subscription). Each delivery runs as its own fiber,
 * on the Effect `Clock`, so tests drive the minutes with `TestClock`. Every attempt is recorded (status,
 * latency, the exact payload, both sides' headers), and so is every notification held back or not
 * sent, with why, for the CLI and the dashboard.
 */
import { randomUUID } from "node:crypto"
import type { NotificationEnvelope } from "@taskjuice/intercom-core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { SignatureMode } from "../SignatureMode.ts"
import { type DeliveryRules, lazyStepper, type Stepper } from "./DeliveryRules.ts"
import { DeliveryTarget } from "./DeliveryTarget.ts"
import { signDelivery } from "./Signing.ts"
import { deliveryHeaders, postWebhook } from "./WebhookDelivery.ts"

const droppedAfterThrottling = "dropped: the receiver's 429s held it back for 2 hours"

export interface Subscription {
  readonly id: string
  readonly url: string
  /** The topics sent to this URL; `*` for all (ping is always included). */
  readonly topics: ReadonlyArray<string> | "*"
  active: boolean
  /** Why Intercom stopped sending, e.g. the receiver answered 410 Gone. */
  disabledReason: string | null
  /** Until when (Unix ms) its notifications wait because the receiver answered 429. */
  throttledUntil: number | null
  /** Until when (Unix ms) nothing is sent after too many consecutive errors. */
  pausedUntil: number | null
}

export interface NotificationRecord {
  /** The envelope's `id` (`notif_…`); pings, whose envelope id is null, get a `ping_…` key here. */
  readonly id: string
  readonly topic: string
  /** Unix ms. */
  readonly createdAt: number
  readonly envelope: NotificationEnvelope
}

export interface DeliveryRecord {
  readonly id: string
  readonly notificationId: string
  readonly topic: string
  readonly url: string
  /** 1 for the first attempt, 2 for Intercom's retry; resends and redeliveries after a throttle count on. */
  readonly attempt: number
  readonly signature: SignatureMode
  readonly status: number | null
  readonly ok: boolean
  readonly error: string | null
  readonly latencyMs: number
  /** Unix milliseconds. */
  readonly sentAt: number
  /** The headers sent: Intercom's, and the signatures. */
  readonly requestHeaders: Readonly<Record<string, string>>
  /** The exact body that was signed and sent ("" when nothing was sent). */
  readonly payload: string
  readonly responseHeaders: Readonly<Record<string, string>>
  readonly responseBody: string
  /** When the next attempt is due (Unix ms), if one is scheduled. */
  readonly retryAt: number | null
}

export interface DispatchOptions {
  /** Send to this URL only, instead of the topic's subscriptions. */
  readonly forwardTo?: string | undefined
  readonly signature?: SignatureMode | undefined
}

export interface WebhookDispatcherOptions {
  readonly clientSecret: Redacted.Redacted<string>
  readonly signature: SignatureMode
  readonly rules: DeliveryRules
  /** How many notifications and delivery attempts to keep (oldest dropped first). */
  readonly keep: number
  readonly nowMillis: () => number
  /** Runs a delivery in the background, within the simulator's lifetime. */
  readonly fork: (delivery: Effect.Effect<void>) => void
}

/** What one delivery of one notification to one target is. */
interface Delivery {
  readonly notification: NotificationRecord
  readonly target: DeliveryTarget
  readonly signature: SignatureMode
  /** The attempt number it starts at (resends continue the count). */
  readonly firstAttempt: number
  /** Intercom retries a failed first delivery once; a resend is not retried. */
  readonly retryOnFailure: boolean
}

/** The rules one delivery steps through: its one retry after a failure, and its lifetime while throttled. */
interface DeliverySteps {
  readonly retry: Stepper | undefined
  readonly lifetime: Stepper
}

type Outcome = Omit<DeliveryRecord, "id" | "notificationId" | "topic" | "url" | "attempt" | "signature">

/**
 * The last `keep` entries by key, in insertion order: the oldest goes when a new one would exceed
 * `keep`. The oldest is found through a queue of keys, since asking a `Map` for its first key walks
 * past every entry deleted before it (thousands, at thousands of deliveries a second).
 */
class Recent<V> {
  private readonly entries = new Map<string, V>()
  private readonly order: Array<string> = []
  private head = 0
  private readonly keep: number

  constructor(keep: number) {
    this.keep = keep
  }

  set(key: string, value: V): void {
    if (!this.entries.has(key)) this.order.push(key)
    this.entries.set(key, value)
    while (this.entries.size > this.keep) this.entries.delete(this.order[this.head++]!)
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head)
      this.head = 0
    }
  }

  get(key: string): V | undefined {
    return this.entries.get(key)
  }

  values(): IterableIterator<V> {
    return this.entries.values()
  }
}

const encoder = new TextEncoder()

export class WebhookDispatcher {
  readonly subscriptions: Array<Subscription> = []
  private readonly options: WebhookDispatcherOptions
  private readonly targets = new Map<string, DeliveryTarget>()
  private readonly notifications: Recent<NotificationRecord>
  private readonly attempts: Recent<DeliveryRecord>
  private readonly listeners = new Set<(delivery: DeliveryRecord) => void>()
  private readonly sending = new Set<Deferred.Deferred<void>>()
  private attemptsMade = 0

  constructor(options: WebhookDispatcherOptions) {
    this.options = options
    this.notifications = new Recent(options.keep)
    this.attempts = new Recent(options.keep)
  }

  /** Every attempt ever made, including those no longer kept. */
  get totalAttempts(): number {
    return this.attemptsMade
  }

  subscribe(url: string, topics: ReadonlyArray<string> | "*" = "*"): Subscription {
    new URL(url) // throws on a malformed URL before anything is stored
    const subscription: Subscription = {
      id: `sub_${randomUUID()}`,
      url,
      topics,
      active: true,
      disabledReason: null,
      throttledUntil: null,
      pausedUntil: null
    }
    this.subscriptions.push(subscription)
    return subscription
  }

  unsubscribe(id: string): boolean {
    const index = this.subscriptions.findIndex((subscription) => subscription.id === id)
    if (index === -1) return false
    this.subscriptions.splice(index, 1)
    return true
  }

  onDelivery(listener: (delivery: DeliveryRecord) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Records a notification and starts its deliveries; `firstAttempts` waits for the first attempt of each. */
  dispatch(
    envelope: NotificationEnvelope,
    options: DispatchOptions = {}
  ): {
    readonly notification: NotificationRecord
    readonly firstAttempts: Effect.Effect<ReadonlyArray<DeliveryRecord>>
  } {
    const notification: NotificationRecord = {
      id: envelope.id ?? `ping_${randomUUID()}`,
      topic: envelope.topic,
      createdAt: this.options.nowMillis(),
      envelope
    }
    this.notifications.set(notification.id, notification)
    const signature = options.signature ?? this.options.signature
    const firstAttempts = this.urlsFor(notification.topic, options.forwardTo).map((url) =>
      this.start({
        notification,
        target: this.targetFor(url),
        signature,
        firstAttempt: 1,
        retryOnFailure: true
      })
    )
    return { notification, firstAttempts: Effect.all(firstAttempts) }
  }

  /** Sends a recorded notification again (Developer Hub's "resend"), to the same URLs or one given. */
  resend(
    notificationId: string,
    options: DispatchOptions = {}
  ): Effect.Effect<ReadonlyArray<DeliveryRecord>> | undefined {
    const notification = this.notifications.get(notificationId)
    if (notification === undefined) return undefined
    const previous = [...this.attempts.values()].filter(
      (delivery) => delivery.notificationId === notificationId
    )
    const urls =
      options.forwardTo !== undefined
        ? [options.forwardTo]
        : previous.length > 0
          ? [...new Set(previous.map((delivery) => delivery.url))]
          : this.urlsFor(notification.topic, undefined)
    const signature = options.signature ?? this.options.signature
    return Effect.all(
      urls.map((url) =>
        this.start({
          notification,
          target: this.targetFor(url),
          signature,
          firstAttempt: Math.max(0, ...previous.filter((d) => d.url === url).map((d) => d.attempt)) + 1,
          retryOnFailure: false
        })
      )
    )
  }

  notification(id: string): NotificationRecord | undefined {
    return this.notifications.get(id)
  }

  /** Attempts, newest first. */
  deliveries(
    filter: { readonly topic?: string; readonly notificationId?: string; readonly limit?: number } = {}
  ): ReadonlyArray<DeliveryRecord> {
    const out: Array<DeliveryRecord> = []
    const all = [...this.attempts.values()]
    for (let i = all.length - 1; i >= 0 && out.length < (filter.limit ?? Number.POSITIVE_INFINITY); i--) {
      const delivery = all[i]!
      if (filter.topic !== undefined && delivery.topic !== filter.topic) continue
      if (filter.notificationId !== undefined && delivery.notificationId !== filter.notificationId) continue
      out.push(delivery)
    }
    return out
  }

  delivery(id: string): DeliveryRecord | undefined {
    return this.attempts.get(id)
  }

  /** Succeeds once every attempt under way has finished (scheduled retries not included). */
  get settle(): Effect.Effect<void> {
    return Effect.suspend(() =>
      this.sending.size === 0
        ? Effect.void
        : Effect.andThen(Effect.all([...this.sending].map(Deferred.await)), this.settle)
    )
  }

  private urlsFor(topic: string, forwardTo: string | undefined): ReadonlyArray<string> {
    if (forwardTo !== undefined) return [forwardTo]
    return this.subscriptions
      .filter((s) => s.active && (s.topics === "*" || topic === "ping" || s.topics.includes(topic)))
      .map((s) => s.url)
  }

  private targetFor(url: string): DeliveryTarget {
    const target = this.targets.get(url) ?? new DeliveryTarget(url, this.options.rules)
    this.targets.set(url, target)
    return target
  }

  /** Runs a delivery in the background; succeeds with its first record (an attempt, or why none was made). */
  private start(delivery: Delivery): Effect.Effect<DeliveryRecord> {
    const first = Deferred.makeUnsafe<DeliveryRecord>()
    this.options.fork(this.deliver(delivery, (record) => Deferred.doneUnsafe(first, Effect.succeed(record))))
    return Deferred.await(first)
  }

  /** One notification to one target, attempt after attempt, as the rules decide. */
  private deliver(delivery: Delivery, report: (record: DeliveryRecord) => void): Effect.Effect<void> {
    const { notification, target } = delivery
    const rules = this.options.rules
    const now = this.options.nowMillis
    return Effect.gen({ self: this }, function* () {
      const steps: DeliverySteps = {
        retry: delivery.retryOnFailure ? lazyStepper(rules.retryAfterFailure) : undefined,
        // A throttled notification's 2 h count from when it was first sent.
        lifetime: lazyStepper(rules.throttledLifetime, notification.createdAt)
      }
      let attempt = delivery.firstAttempt
      let wokenFor: number | null = null
      while (true) {
        const gate = target.gate(now(), wokenFor)
        if (gate._tag === "Paused") {
          const until = new Date(gate.until).toISOString()
          report(
            this.unsent(
              delivery,
              attempt,
              `not sent: deliveries are paused until ${until} after more than 1000 consecutive errors`,
              null
            )
          )
          return
        }
        if (gate._tag === "Throttled") {
          const alive = (yield* steps.lifetime(gate.until)) !== undefined
          report(
            this.unsent(
              delivery,
              attempt,
              alive
                ? "waiting: the receiver answered 429, so its notifications are throttled"
                : droppedAfterThrottling,
              alive ? gate.until : null
            )
          )
          if (!alive) return
          yield* Effect.sleep(Math.max(0, gate.until - now()))
          wokenFor = gate.until
          continue
        }
        const { record, next } = yield* this.attemptOnce(delivery, attempt, steps)
        report(record)
        if (next === null) return
        yield* Effect.sleep(Math.max(0, next.at - now()))
        wokenFor = next.throttled ? next.at : null
        attempt++
      }
    })
  }

  /** Sends one attempt, learns from the answer, and says when the next one is due (if any). */
  private attemptOnce(delivery: Delivery, attempt: number, steps: DeliverySteps) {
    const { notification, target } = delivery
    const now = this.options.nowMillis
    return Effect.gen({ self: this }, function* () {
      // The body states how many attempts this is, so each attempt is signed over its own bytes.
      const payload = JSON.stringify({ ...notification.envelope, delivery_attempts: attempt })
      const bytes = encoder.encode(payload)
      const requestHeaders = deliveryHeaders(
        bytes,
        signDelivery(bytes, this.options.clientSecret, delivery.signature)
      )
      const sentAt = now()
      this.attemptsMade++
      const done = Deferred.makeUnsafe<void>()
      this.sending.add(done)
      const result = yield* postWebhook(
        target.url,
        payload,
        requestHeaders,
        this.options.rules.answerWithin
      ).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            this.sending.delete(done)
            Deferred.doneUnsafe(done, Effect.void)
          })
        )
      )
      yield* target.observe(result, now())
      this.reflect(target)
      let next: { readonly at: number; readonly throttled: boolean } | null = null
      let error = result.error
      if (result.status === 429 && target.throttledUntil !== null) {
        // A 429 is not a failure to retry once but a throttle: the notification waits for its end.
        if ((yield* steps.lifetime(target.throttledUntil)) === undefined) error = droppedAfterThrottling
        else next = { at: target.throttledUntil, throttled: true }
      } else if (!result.ok && result.status !== 410 && steps.retry !== undefined) {
        const delay = yield* steps.retry(now())
        if (delay !== undefined) next = { at: now() + delay, throttled: false }
      }
      const record = this.record(delivery, attempt, {
        status: result.status,
        ok: result.ok,
        error,
        latencyMs: result.latencyMs,
        sentAt,
        requestHeaders,
        payload,
        responseHeaders: result.responseHeaders,
        responseBody: result.responseBody,
        retryAt: next?.at ?? null
      })
      return { record, next }
    })
  }

  /** The target's state, as the subscriptions to its URL show it. */
  private reflect(target: DeliveryTarget): void {
    for (const subscription of this.subscriptions) {
      if (subscription.url !== target.url) continue
      subscription.throttledUntil = target.throttledUntil
      subscription.pausedUntil = target.pausedUntil
      if (target.disabledReason !== null) {
        subscription.active = false
        subscription.disabledReason = target.disabledReason
      }
    }
  }

  /** A notification that was not sent this time: recorded like an attempt, with why. */
  private unsent(delivery: Delivery, attempt: number, why: string, retryAt: number | null): DeliveryRecord {
    return this.record(delivery, attempt, {
      status: null,
      ok: false,
      error: why,
      latencyMs: 0,
      sentAt: this.options.nowMillis(),
      requestHeaders: {},
      payload: "",
      responseHeaders: {},
      responseBody: "",
      retryAt
    })
  }

  /** Keeps an attempt (or a notification held back) and tells the listeners. */
  private record(delivery: Delivery, attempt: number, outcome: Outcome): DeliveryRecord {
    const record: DeliveryRecord = {
      id: `dlv_${randomUUID()}`,
      notificationId: delivery.notification.id,
      topic: delivery.notification.topic,
      url: delivery.target.url,
      attempt,
      signature: delivery.signature,
      ...outcome
    }
    this.attempts.set(record.id, record)
    for (const listener of this.listeners) listener(record)
    return record
  }
}
