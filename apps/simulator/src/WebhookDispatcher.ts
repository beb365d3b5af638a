/**
 * Intercom's webhook delivery rules: every notification goes to each subscription of its topic,
 * signed; an answer other than 2xx within 5 s is retried once a minute later; `410 Gone` disables
 * the subscription; `429` throttles it (its notifications wait, 1 min at first, doubling up to 2 h,
 * and are dropped once undelivered for 2 h); more than 1,000 consecutive errors within 15 min pause
 * it for 15 min. Delays are multiplied by `timeScale`, so tests and demos need not wait a minute.
 * Every attempt is recorded (status, latency, the exact payload) for the CLI and the dashboard.
 */
import { randomUUID } from "node:crypto"
import type * as Redacted from "effect/Redacted"
import {
  intercomTimeoutMillis,
  postWebhook,
  type SignatureMode,
  signatureHeadersFor
} from "./WebhookDelivery.ts"

/** Intercom retries a failed delivery once, a minute later. */
export const intercomRetryDelayMillis = 60_000

const minimumTimeoutMillis = 50

const droppedAfterThrottling = "dropped: the receiver's 429s held it back for 2 hours"

/** A receiver that answers 429 is throttled: a minute at first, doubling with each 429 … */
export const intercomThrottleFirstMillis = 60_000
/** … up to two hours; a notification still undelivered two hours after it was sent is dropped. */
export const intercomThrottleMaxMillis = 2 * 60 * 60_000

/** More than this many consecutive errors within `intercomPauseMillis` pause a subscription … */
export const intercomPauseAfterErrors = 1_000
/** … for this long (15 min, also the window the errors are counted in). */
export const intercomPauseMillis = 15 * 60_000

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

/** How a receiver URL has been answering: what throttling and pausing are decided from. */
interface ReceiverHealth {
  /** The current throttle step (unscaled ms); null when not throttled. */
  throttleMillis: number | null
  throttledUntil: number | null
  consecutiveErrors: number
  firstErrorAt: number | null
  pausedUntil: number | null
}

export type NotificationEnvelope = Record<string, unknown> & {
  readonly id: string | null
  readonly topic: string
}

export interface NotificationRecord {
  /** The envelope's `id` (`notif_…`); pings, whose envelope id is null, get a `ping_…` key here. */
  readonly id: string
  readonly topic: string
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
  /** The exact body that was signed and sent. */
  readonly payload: string
  readonly responseBody: string
  /** When the retry is due (Unix ms), if one is scheduled. */
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
  readonly timeScale: number
  /** How many notifications and delivery attempts to keep (oldest dropped first). */
  readonly keep: number
}

const sendNow = (): number => Math.floor(Date.now() / 1000)

/** A bounded, insertion-ordered record: the oldest entry goes when a new one would exceed `keep`. */
const remember = <V>(map: Map<string, V>, key: string, value: V, keep: number): void => {
  map.set(key, value)
  if (map.size > keep) {
    const oldest = map.keys().next().value
    if (oldest !== undefined) map.delete(oldest)
  }
}

export class WebhookDispatcher {
  readonly subscriptions: Array<Subscription> = []
  private readonly options: WebhookDispatcherOptions
  private readonly notifications = new Map<string, NotificationRecord>()
  private readonly attempts = new Map<string, DeliveryRecord>()
  private readonly listeners = new Set<(delivery: DeliveryRecord) => void>()
  private readonly retries = new Set<ReturnType<typeof setTimeout>>()
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly health = new Map<string, ReceiverHealth>()
  private attemptsMade = 0

  constructor(options: WebhookDispatcherOptions) {
    this.options = options
  }

  /** Intercom's 5 s, scaled, but never under 50 ms: what a receiver on loopback needs to answer at all. */
  get timeoutMs(): number {
    return Math.max(minimumTimeoutMillis, Math.round(intercomTimeoutMillis * this.options.timeScale))
  }

  get retryDelayMs(): number {
    return this.scaled(intercomRetryDelayMillis)
  }

  private scaled(millis: number): number {
    return Math.max(0, Math.round(millis * this.options.timeScale))
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

  /** The envelope Intercom wraps around every notification's `data.item`. */
  static envelope(topic: string, item: unknown, appId: string): NotificationEnvelope {
    const now = sendNow()
    return {
      type: "notification_event",
      app_id: appId,
      data: { type: "notification_event_data", item },
      links: {},
      id: topic === "ping" ? null : `notif_${randomUUID()}`,
      topic,
      delivery_status: null,
      delivery_attempts: 1,
      delivered_at: 0,
      first_sent_at: now,
      created_at: now,
      self: null
    }
  }

  /** Records a notification and sends it; resolves with the first attempt of each delivery. */
  dispatch(
    envelope: NotificationEnvelope,
    options: DispatchOptions = {}
  ): {
    readonly notification: NotificationRecord
    readonly firstAttempts: Promise<ReadonlyArray<DeliveryRecord>>
  } {
    const notification: NotificationRecord = {
      id: envelope.id ?? `ping_${randomUUID()}`,
      topic: envelope.topic,
      createdAt: Date.now(),
      envelope
    }
    remember(this.notifications, notification.id, notification, this.options.keep)
    const urls = this.targets(notification.topic, options.forwardTo)
    const signature = options.signature ?? this.options.signature
    const firstAttempts = Promise.all(urls.map((url) => this.attempt(notification, url, 1, signature, true)))
    return { notification, firstAttempts }
  }

  /** Sends a recorded notification again (Developer Hub's "resend"), to the same URLs or one given. */
  resend(
    notificationId: string,
    options: DispatchOptions = {}
  ): Promise<ReadonlyArray<DeliveryRecord>> | undefined {
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
          : this.targets(notification.topic, undefined)
    const signature = options.signature ?? this.options.signature
    return Promise.all(
      urls.map((url) => {
        const attempt = Math.max(0, ...previous.filter((d) => d.url === url).map((d) => d.attempt)) + 1
        return this.attempt(notification, url, attempt, signature, false)
      })
    )
  }

  notification(id: string): NotificationRecord | undefined {
    return this.notifications.get(id)
  }

  /** Attempts, newest first. */
  deliveries(
    filter: { readonly topic?: string; readonly notificationId?: string; readonly limit?: number } = {}
  ) {
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

  private targets(topic: string, forwardTo: string | undefined): ReadonlyArray<string> {
    if (forwardTo !== undefined) return [forwardTo]
    return this.subscriptions
      .filter((s) => s.active && (s.topics === "*" || topic === "ping" || s.topics.includes(topic)))
      .map((s) => s.url)
  }

  private attempt(
    notification: NotificationRecord,
    url: string,
    attempt: number,
    signature: SignatureMode,
    retryOnFailure: boolean,
    /** The throttle end this attempt was scheduled for: it waits again only if the throttle grew. */
    scheduledFor: number | null = null
  ): Promise<DeliveryRecord> {
    const health = this.healthOf(url)
    const now = Date.now()
    if (health.pausedUntil !== null && now < health.pausedUntil) {
      const until = new Date(health.pausedUntil).toISOString()
      const why = `not sent: deliveries are paused until ${until} after more than ${intercomPauseAfterErrors} consecutive errors`
      return Promise.resolve(this.unsent(notification, url, attempt, signature, why, null))
    }
    // (Timers may fire a millisecond early, so "now" alone would hold back the very attempt it scheduled.)
    if (
      health.throttledUntil !== null &&
      now < health.throttledUntil &&
      health.throttledUntil !== scheduledFor
    ) {
      const retryAt = this.afterThrottle(notification, health.throttledUntil)
      const why =
        retryAt === null
          ? droppedAfterThrottling
          : "waiting: the receiver answered 429, so its notifications are throttled"
      const delivery = this.unsent(notification, url, attempt, signature, why, retryAt)
      if (retryAt !== null)
        this.later(retryAt, () =>
          this.attempt(notification, url, attempt, signature, retryOnFailure, retryAt)
        )
      return Promise.resolve(delivery)
    }
    // The body states how many attempts this is, so each attempt is signed over its own bytes.
    const payload = JSON.stringify({ ...notification.envelope, delivery_attempts: attempt })
    const headers = signatureHeadersFor(payload, this.options.clientSecret, signature)
    const sentAt = Date.now()
    this.attemptsMade++
    const sending = postWebhook(url, payload, headers, this.timeoutMs).then((result) => {
      const gone = result.status === 410
      if (gone) this.disable(url, "the receiver answered 410 Gone")
      this.observe(url, result)
      // A 429 is not a failure to retry once but a throttle: the notification waits for its end.
      const throttled = result.status === 429
      const retryAt = throttled
        ? this.afterThrottle(notification, health.throttledUntil ?? Date.now())
        : retryOnFailure && !result.ok && !gone
          ? Date.now() + this.retryDelayMs
          : null
      const delivery = this.record(notification, url, attempt, signature, {
        status: result.status,
        ok: result.ok,
        error: throttled && retryAt === null ? droppedAfterThrottling : result.error,
        latencyMs: result.latencyMs,
        sentAt,
        payload,
        responseBody: result.responseBody,
        retryAt
      })
      if (retryAt !== null)
        this.later(retryAt, () =>
          this.attempt(
            notification,
            url,
            attempt + 1,
            signature,
            throttled && retryOnFailure,
            throttled ? retryAt : null
          )
        )
      return delivery
    })
    this.inFlight.add(sending)
    void sending.finally(() => this.inFlight.delete(sending))
    return sending
  }

  /** A notification that was not sent this time: recorded like an attempt, with why. */
  private unsent(
    notification: NotificationRecord,
    url: string,
    attempt: number,
    signature: SignatureMode,
    why: string,
    retryAt: number | null
  ): DeliveryRecord {
    return this.record(notification, url, attempt, signature, {
      status: null,
      ok: false,
      error: why,
      latencyMs: 0,
      sentAt: Date.now(),
      payload: "",
      responseBody: "",
      retryAt
    })
  }

  /** Keeps an attempt (or a notification held back) and tells the listeners. */
  private record(
    notification: NotificationRecord,
    url: string,
    attempt: number,
    signature: SignatureMode,
    outcome: Omit<DeliveryRecord, "id" | "notificationId" | "topic" | "url" | "attempt" | "signature">
  ): DeliveryRecord {
    const delivery: DeliveryRecord = {
      id: `dlv_${randomUUID()}`,
      notificationId: notification.id,
      topic: notification.topic,
      url,
      attempt,
      signature,
      ...outcome
    }
    remember(this.attempts, delivery.id, delivery, this.options.keep)
    for (const listener of this.listeners) listener(delivery)
    return delivery
  }

  private later(at: number, run: () => unknown): void {
    const timer = setTimeout(
      () => {
        this.retries.delete(timer)
        void run()
      },
      Math.max(0, at - Date.now())
    )
    this.retries.add(timer)
  }

  /** When a throttled notification goes out, or null when that is past its 2 hours (dropped). */
  private afterThrottle(notification: NotificationRecord, throttledUntil: number): number | null {
    return throttledUntil - notification.createdAt > this.scaled(intercomThrottleMaxMillis)
      ? null
      : throttledUntil
  }

  private healthOf(url: string): ReceiverHealth {
    let health = this.health.get(url)
    if (health === undefined) {
      health = {
        throttleMillis: null,
        throttledUntil: null,
        consecutiveErrors: 0,
        firstErrorAt: null,
        pausedUntil: null
      }
      this.health.set(url, health)
    }
    return health
  }

  /** Learns from an answer: a 2xx clears the throttle and the error count, a 429 throttles (longer each time), another failure counts towards a pause. */
  private observe(url: string, result: { readonly ok: boolean; readonly status: number | null }): void {
    const health = this.healthOf(url)
    const now = Date.now()
    if (result.ok) {
      health.throttleMillis = null
      health.throttledUntil = null
      health.consecutiveErrors = 0
      health.firstErrorAt = null
    } else if (result.status === 429) {
      health.throttleMillis =
        health.throttleMillis === null
          ? intercomThrottleFirstMillis
          : Math.min(intercomThrottleMaxMillis, health.throttleMillis * 2)
      health.throttledUntil = now + this.scaled(health.throttleMillis)
    } else {
      if (health.firstErrorAt === null || now - health.firstErrorAt > this.scaled(intercomPauseMillis)) {
        health.firstErrorAt = now
        health.consecutiveErrors = 0
      }
      health.consecutiveErrors++
      if (health.consecutiveErrors > intercomPauseAfterErrors) {
        health.pausedUntil = now + this.scaled(intercomPauseMillis)
        health.consecutiveErrors = 0
        health.firstErrorAt = null
      }
    }
    for (const subscription of this.subscriptions) {
      if (subscription.url !== url) continue
      subscription.throttledUntil = health.throttledUntil
      subscription.pausedUntil = health.pausedUntil
    }
  }

  private disable(url: string, reason: string): void {
    for (const subscription of this.subscriptions) {
      if (subscription.url === url) {
        subscription.active = false
        subscription.disabledReason = reason
      }
    }
  }

  /** Resolves once every attempt under way has finished (scheduled retries not included). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight])
  }

  close(): void {
    for (const timer of this.retries) clearTimeout(timer)
    this.retries.clear()
  }
}
