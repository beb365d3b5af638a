/**
 * The activation inbox: where a delivery's activations are kept before the webhook is acknowledged, and
 * where the runtime consumes them, at least once.
 *
 * - `accept` records a delivery's dedupe mark and its activations in one atomic step (one SQLite
 *   transaction, one Redis script): a crash leaves either both or neither, so a 200 is only answered for
 *   what is kept, and a repeat inside the window is a `Duplicate`.
 * - Nothing inside the window is forgotten to make room: at capacity (dedupe keys in their window,
 *   unacknowledged records or their bytes) `accept` fails with `InboxFull`, retryable, and the host
 *   answers 503 so Intercom delivers again later.
 * - `read` long-polls (bounded by `wait`) for activations after a cursor, in one order every worker
 *   shares; `ack(cursor)` commits the consumer's position, so acknowledged records are pruned while the
 *   unacknowledged are kept and read again after a restart.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Activation, InboxActivation } from "./Activation.ts"
import type { InboxFull, InvalidCursor, StoreUnavailable } from "./StateError.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  /** The delivery's key: the core's `notificationDedupeKey` (workspace and notification id). */
  readonly dedupeKey: string
  /** Epoch ms until which a repeat is a duplicate. */
  readonly expiresAtMillis: number
  readonly activations: ReadonlyArray<Activation>
  /**
   * The notification every activation carries as its payload, as the JSON text it arrived in (the
   * verified body), when the caller has it: kept as it came instead of encoded again. It must be the
   * text the payloads were parsed from.
   */
  readonly payloadJson?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type AcceptResult =
  | { readonly _tag: "Accepted"; readonly cursors: ReadonlyArray<string> }
  | { readonly _tag: "Duplicate" }

/**
 * @since 0.1.0
 * @category models
 */
export interface ReadOptions {
  /** Read after this cursor; default: after the acknowledged position. */
  readonly after?: string | undefined
  /** At most this many (default 100). */
  readonly limit?: number | undefined
  /** How long to wait for a first activation when there is none yet (default 0: answer at once). */
  readonly wait?: Duration.Input | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivationInboxShape {
  readonly accept: (delivery: Delivery) => Effect.Effect<AcceptResult, InboxFull | StoreUnavailable>
  readonly read: (
    options?: ReadOptions
  ) => Effect.Effect<ReadonlyArray<InboxActivation>, StoreUnavailable | InvalidCursor>
  /** Commits the position: everything up to and including `cursor` is done and may be pruned. */
  readonly ack: (cursor: string) => Effect.Effect<void, StoreUnavailable | InvalidCursor>
}

/**
 * @since 0.1.0
 * @category services
 */
export class ActivationInbox extends Context.Service<ActivationInbox, ActivationInboxShape>()(
  "@taskjuice/intercom-state/ActivationInbox"
) {}

/**
 * The inbox's bounds.
 *
 * @since 0.1.0
 * @category models
 */
export interface InboxLimits {
  /** Dedupe keys inside their window (default 100,000). */
  readonly maxKeys: number
  /** Unacknowledged activations (default 100,000). */
  readonly maxRecords: number
  /** Bytes of unacknowledged activations, as stored JSON (default 256 MiB). */
  readonly maxBytes: number
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultInboxLimits: InboxLimits = {
  maxKeys: 100_000,
  maxRecords: 100_000,
  maxBytes: 256 * 1024 * 1024
}

/**
 * The longest a `read` may wait, whatever it asks for: well under common HTTP idle timeouts.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxReadWait: Duration.Duration = Duration.seconds(30)

/**
 * The largest `limit` a `read` may ask for.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxReadLimit = 1000

/** A read's options with the defaults and bounds applied (for the backends). */
export const readBounds = (
  options: ReadOptions | undefined
): { readonly limit: number; readonly waitMillis: number } => {
  const limit = Math.max(1, Math.min(maxReadLimit, Math.floor(options?.limit ?? 100)))
  const wait = Duration.toMillis(Duration.fromInputUnsafe(options?.wait ?? 0))
  return { limit, waitMillis: Math.max(0, Math.min(Duration.toMillis(maxReadWait), wait)) }
}
