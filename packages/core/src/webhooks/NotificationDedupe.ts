/**
 * The seen-store that makes at-least-once deliveries activate once: a notification seen within the window
 * is a duplicate. Its key is the workspace and the notification id ({@link notificationDedupeKey}).
 *
 * Intercom retries a delivery once, a minute after an attempt that got no 2xx within 5 s, so a processed
 * notification can arrive again about a minute later. The default window (15 minutes) covers that retry
 * with a wide margin for our own slow answers and clock jitter. A key inside the window is never
 * forgotten to make room: a full store refuses ({@link NotificationDedupeError}, retryable), the endpoint
 * answers 503 and Intercom delivers again later. A signed notification first sent longer ago than the
 * window (less a margin) is a stale replay ({@link isStaleReplay}): acknowledged, counted, never activated,
 * so no replay outlives the window. The in-memory store here is one process's; the shared stores live in
 * `@taskjuice/intercom-state`.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import { type NotificationIdentity, notificationDedupeKey } from "./NotificationId.ts"

/**
 * How long a key is remembered by default: well past Intercom's single retry after one minute.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultDedupeWindow: Duration.Duration = Duration.minutes(15)

/**
 * How many keys the in-memory store holds by default (about 10 MB). At capacity it refuses new keys
 * rather than forget one inside the window.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultDedupeCapacity = 100_000

/**
 * How much younger than the window a notification must be to activate: it absorbs the skew between
 * Intercom's clock and ours and the time between Intercom's first send and our mark, so a notification
 * accepted at all is still remembered whenever a replay of it could arrive.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultReplayMargin: Duration.Duration = Duration.minutes(2)

/**
 * Why a seen-store could not answer: `Full` (every key is inside its window, none may be forgotten) or
 * `Unavailable` (a shared store's outage). Both are retryable: answer the delivery with 503 so Intercom
 * sends it again.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotificationDedupeError extends Data.TaggedError("NotificationDedupeError")<{
  readonly reason?: "Full" | "Unavailable" | undefined
  readonly cause?: unknown
}> {
  readonly retryable = true

  override get message(): string {
    return this.reason === "Full"
      ? "The notification seen-store is full: every key in it is inside the dedupe window"
      : "The notification seen-store is unavailable"
  }
}

/**
 * The seen-store's interface.
 *
 * @since 0.1.0
 * @category models
 */
export interface NotificationDedupeShape {
  /**
   * Records the key and answers `true` when it was not seen within the window (activate), `false` for a
   * duplicate (acknowledge only). A shared store must make check-and-record atomic, and must fail rather
   * than forget a key inside the window.
   */
  readonly markIfNew: (key: string) => Effect.Effect<boolean, NotificationDedupeError>
}

/**
 * Options of the in-memory store.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryDedupeOptions {
  readonly window?: Duration.Input | undefined
  readonly capacity?: number | undefined
}

/**
 * The notification seen-store.
 *
 * @since 0.1.0
 * @category services
 */
export class NotificationDedupe extends Context.Service<NotificationDedupe, NotificationDedupeShape>()(
  "@taskjuice/intercom-core/NotificationDedupe"
) {
  /**
   * A bounded in-memory store. Keys are kept in insertion order, which is also expiry order because the
   * window is fixed, so expiry only ever looks at the oldest entries.
   */
  static readonly makeMemory = (options?: MemoryDedupeOptions): NotificationDedupeShape => {
    const windowMillis = Duration.toMillis(Duration.fromInputUnsafe(options?.window ?? defaultDedupeWindow))
    const capacity = options?.capacity ?? defaultDedupeCapacity
    if (!(windowMillis > 0)) throw new RangeError("NotificationDedupe window must be positive")
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError("NotificationDedupe capacity must be a positive integer")
    }
    const expiresAt = new Map<string, number>()
    const full = new NotificationDedupeError({ reason: "Full" })
    return {
      markIfNew: (key) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          for (const [seenKey, expiry] of expiresAt) {
            if (expiry > now) break
            expiresAt.delete(seenKey)
          }
          if (expiresAt.has(key)) return Effect.succeed(false)
          if (expiresAt.size >= capacity) return Effect.fail(full)
          expiresAt.set(key, now + windowMillis)
          return Effect.succeed(true)
        })
    }
  }

  /** The in-memory store with the given window and capacity. */
  static readonly layerMemory = (options?: MemoryDedupeOptions): Layer.Layer<NotificationDedupe> =>
    Layer.sync(NotificationDedupe, () => NotificationDedupe.makeMemory(options))

  /** The in-memory store with the default window (15 minutes) and capacity (100,000 keys). */
  static readonly layer: Layer.Layer<NotificationDedupe> = NotificationDedupe.layerMemory()
}

/**
 * Whether a notification should activate: `true` unless its key ({@link notificationDedupeKey}: the
 * workspace and Intercom's id, or a stable stand-in when it sent none) was seen within the window.
 *
 * @since 0.1.0
 * @category dedupe
 */
export const markNotificationIfNew = (
  notification: NotificationIdentity
): Effect.Effect<boolean, NotificationDedupeError, NotificationDedupe> =>
  Effect.flatMap(Effect.service(NotificationDedupe), (store) =>
    store.markIfNew(notificationDedupeKey(notification))
  )

/**
 * Options of {@link isStaleReplay}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayOptions {
  /** The dedupe window the seen-store keeps keys for; default {@link defaultDedupeWindow}. */
  readonly window?: Duration.Input | undefined
  /** Default {@link defaultReplayMargin}; must be shorter than the window. */
  readonly margin?: Duration.Input | undefined
}

/**
 * The oldest send time (epoch ms) a notification may carry and still activate at `nowMillis`: the window
 * less the margin before now.
 *
 * @since 0.1.0
 * @category dedupe
 */
export const replayCutoffMillis = (nowMillis: number, options?: ReplayOptions): number => {
  const windowMillis = Duration.toMillis(Duration.fromInputUnsafe(options?.window ?? defaultDedupeWindow))
  const marginMillis = Duration.toMillis(Duration.fromInputUnsafe(options?.margin ?? defaultReplayMargin))
  if (!(marginMillis >= 0 && marginMillis < windowMillis)) {
    throw new RangeError("The replay margin must be at least 0 and shorter than the dedupe window")
  }
  return nowMillis - (windowMillis - marginMillis)
}

/**
 * Whether a (signed, verified) notification is a stale replay: first sent (`first_sent_at`, else
 * `created_at`, Unix seconds) longer ago than the dedupe window less the margin. Its key may already have
 * left the seen-store, so it must be acknowledged and counted but activate nothing. Without either time it
 * cannot be placed and is not stale.
 *
 * @since 0.1.0
 * @category dedupe
 */
export const isStaleReplay = (
  notification: Pick<NotificationIdentity, "first_sent_at" | "created_at">,
  nowMillis: number,
  options?: ReplayOptions
): boolean => {
  const cutoff = replayCutoffMillis(nowMillis, options)
  const sentAt = notification.first_sent_at ?? notification.created_at
  return sentAt !== undefined && sentAt * 1000 < cutoff
}

/**
 * How many verified notifications were stale replays (acknowledged, not activated), by topic.
 *
 * @since 0.1.0
 * @category metrics
 */
export const staleReplayNotifications = Metric.frequency("intercom_webhook_stale_replay_notifications", {
  description: "Verified webhook notifications first sent before the dedupe window, acknowledged unactivated"
})

/**
 * {@link isStaleReplay} at the fiber's Clock, counting stale replays in {@link staleReplayNotifications}.
 *
 * @since 0.1.0
 * @category dedupe
 */
export const checkReplay = (
  notification: Pick<NotificationIdentity, "first_sent_at" | "created_at" | "topic">,
  options?: ReplayOptions
): Effect.Effect<boolean> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    isStaleReplay(notification, now, options)
      ? Effect.as(Metric.update(staleReplayNotifications, notification.topic), true)
      : Effect.succeed(false)
  )
