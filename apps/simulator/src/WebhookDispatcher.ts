/**
 * Intercom's webhook delivery rules: every notification goes to each subscription of its topic,
 * signed; an answer other than 2xx within 5 s is retried once a minute later; `410 Gone` disables
 * the subscription. Delays are multiplied by `timeScale`, so tests and demos need not wait a minute.
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

export interface Subscription {
  readonly id: string
  readonly url: string
  /** The topics sent to this URL; `*` for all (ping is always included). */
  readonly topics: ReadonlyArray<string> | "*"
  active: boolean
  /** Why Intercom stopped sending, e.g. the receiver answered 410 Gone. */
  disabledReason: string | null
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
  /** 1 for the first attempt, 2 for Intercom's retry; resends count on. */
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
  private attemptsMade = 0

  constructor(options: WebhookDispatcherOptions) {
    this.options = options
  }

  get timeoutMs(): number {
    return Math.max(1, Math.round(intercomTimeoutMillis * this.options.timeScale))
  }

  get retryDelayMs(): number {
    return Math.max(0, Math.round(intercomRetryDelayMillis * this.options.timeScale))
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
      disabledReason: null
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
    retryOnFailure: boolean
  ): Promise<DeliveryRecord> {
    // The body states how many attempts this is, so each attempt is signed over its own bytes.
    const payload = JSON.stringify({ ...notification.envelope, delivery_attempts: attempt })
    const headers = signatureHeadersFor(payload, this.options.clientSecret, signature)
    const sentAt = Date.now()
    this.attemptsMade++
    const sending = postWebhook(url, payload, headers, this.timeoutMs).then((result) => {
      const gone = result.status === 410
      if (gone) this.disable(url, "the receiver answered 410 Gone")
      const retry = retryOnFailure && !result.ok && !gone
      const delivery: DeliveryRecord = {
        id: `dlv_${randomUUID()}`,
        notificationId: notification.id,
        topic: notification.topic,
        url,
        attempt,
        signature,
        status: result.status,
        ok: result.ok,
        error: result.error,
        latencyMs: result.latencyMs,
        sentAt,
        payload,
        responseBody: result.responseBody,
        retryAt: retry ? Date.now() + this.retryDelayMs : null
      }
      remember(this.attempts, delivery.id, delivery, this.options.keep)
      for (const listener of this.listeners) listener(delivery)
      if (retry) {
        const timer = setTimeout(() => {
          this.retries.delete(timer)
          void this.attempt(notification, url, attempt + 1, signature, false)
        }, this.retryDelayMs)
        this.retries.add(timer)
      }
      return delivery
    })
    this.inFlight.add(sending)
    void sending.finally(() => this.inFlight.delete(sending))
    return sending
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
