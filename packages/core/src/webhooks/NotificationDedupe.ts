/**
 * The seen-store that makes at-least-once deliveries activate once: a notification id seen within the
 * window is a duplicate.
 *
 * Intercom retries a delivery once, a minute after an attempt that got no 2xx within 5 s, so a processed
 * notification can arrive again about a minute later. The default window (15 minutes) covers that retry
 * with a wide margin for our own slow answers and clock jitter. The default store lives in this process's
 * memory and is bounded; a shared store (e.g. Redis `SET NX PX`) can be plugged in behind the same service
 * when several workers receive deliveries.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type NotificationIdentity, notificationIdOf } from "./NotificationId.ts"

/**
 * How long an id is remembered by default: well past Intercom's single retry after one minute.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultDedupeWindow: Duration.Duration = Duration.minutes(15)

/**
 * How many ids the in-memory store holds by default. At capacity the oldest id is forgotten first, so
 * memory stays bounded (about 10 MB) even at Intercom's top delivery rate; the cost is a weaker guarantee
 * only under that extreme load.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultDedupeCapacity = 100_000

/**
 * A seen-store could not be reached (a shared store's outage). Retryable: answer the delivery with an
 * error so Intercom sends it again.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotificationDedupeError extends Data.TaggedError("NotificationDedupeError")<{
  readonly cause: unknown
}> {
  readonly retryable = true

  override get message(): string {
    return "The notification seen-store is unavailable"
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
   * Records the id and answers `true` when it was not seen within the window (activate), `false` for a
   * duplicate (acknowledge only). A shared store must make check-and-record atomic.
   */
  readonly markIfNew: (id: string) => Effect.Effect<boolean, NotificationDedupeError>
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
   * A bounded in-memory store. Ids are kept in insertion order, which is also expiry order because the
   * window is fixed, so expiry and eviction only ever look at the oldest entries.
   */
  static readonly makeMemory = (options?: MemoryDedupeOptions): NotificationDedupeShape => {
    const windowMillis = Duration.toMillis(Duration.fromInputUnsafe(options?.window ?? defaultDedupeWindow))
    const capacity = options?.capacity ?? defaultDedupeCapacity
    if (!(windowMillis > 0)) throw new RangeError("NotificationDedupe window must be positive")
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError("NotificationDedupe capacity must be a positive integer")
    }
    const expiresAt = new Map<string, number>()
    return {
      markIfNew: (id) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          for (const [seenId, expiry] of expiresAt) {
            if (expiry > now) break
            expiresAt.delete(seenId)
          }
          if (expiresAt.has(id)) return false
          expiresAt.set(id, now + windowMillis)
          if (expiresAt.size > capacity) {
            const oldest = expiresAt.keys().next()
            if (oldest.done !== true) expiresAt.delete(oldest.value)
          }
          return true
        })
    }
  }

  /** The in-memory store with the given window and capacity. */
  static readonly layerMemory = (options?: MemoryDedupeOptions): Layer.Layer<NotificationDedupe> =>
    Layer.sync(NotificationDedupe, () => NotificationDedupe.makeMemory(options))

  /** The in-memory store with the default window (15 minutes) and capacity (100,000 ids). */
  static readonly layer: Layer.Layer<NotificationDedupe> = NotificationDedupe.layerMemory()
}

/**
 * Whether a notification should activate: `true` unless its id ({@link notificationIdOf}: Intercom's, or a
 * stable stand-in when it sent none) was seen within the window.
 *
 * @since 0.1.0
 * @category dedupe
 */
export const markNotificationIfNew = (
  notification: NotificationIdentity
): Effect.Effect<boolean, NotificationDedupeError, NotificationDedupe> =>
  Effect.gen(function* () {
    const store = yield* NotificationDedupe
    return yield* store.markIfNew(notificationIdOf(notification))
  })
