/**
 * Where the client-side rate limiter keeps its per-workspace window state. The default lives in
 * memory (one process); a shared store (`@taskjuice/intercom-state`: SQLite, Redis) is plugged in so
 * many workers spend one workspace budget together, each reserve one atomic read-decide-write.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** What the limiter knows about one workspace's current rate-limit window. */
export interface RateLimitWindow {
  /** Requests that may still be sent in the current window (after local reservations). */
  readonly remaining: number
  /** When the current window ends, in epoch ms; `undefined` until a response has told us. */
  readonly resetAtMillis: number | undefined
  /** How many requests a fresh window grants, learned from the headers. */
  readonly windowBudget: number
}

/**
 * A shared store could not be read or written (an outage, a lock held too long). Retryable; the rate
 * limiter answers it by pacing in this process alone until the store is back.
 */
export class RateLimitStoreError extends Data.TaggedError("RateLimitStoreError")<{
  readonly cause: unknown
}> {
  readonly retryable = true

  override get message(): string {
    return "The shared rate-limit store is unavailable"
  }
}

export interface RateLimitStoreShape {
  /**
   * Atomically reads and replaces one key's window: `f` sees the current value (`undefined` when
   * none) and returns a result and the next value. A shared store must apply `f` atomically across
   * every process; it may call `f` more than once (an optimistic store retries it on the value that
   * won), so `f` must be pure.
   */
  readonly modify: <A>(
    key: string,
    f: (current: RateLimitWindow | undefined) => readonly [A, RateLimitWindow]
  ) => Effect.Effect<A, RateLimitStoreError>
  /**
   * The same as `modify`, answered at once. Only a store that holds its state in this process can
   * offer it (the in-memory one does); the limiter then spares every request two Effect steps.
   */
  readonly modifyUnsafe?: <A>(
    key: string,
    f: (current: RateLimitWindow | undefined) => readonly [A, RateLimitWindow]
  ) => A
}

export class RateLimitStore extends Context.Service<RateLimitStore, RateLimitStoreShape>()(
  "@taskjuice/intercom-core/RateLimitStore"
) {
  /** A store in this process's memory; JavaScript's single thread makes `modify` atomic. */
  static readonly makeMemory = (): Required<RateLimitStoreShape> => {
    const windows = new Map<string, RateLimitWindow>()
    const modifyUnsafe = <A>(
      key: string,
      f: (current: RateLimitWindow | undefined) => readonly [A, RateLimitWindow]
    ): A => {
      const [result, next] = f(windows.get(key))
      windows.set(key, next)
      return result
    }
    return { modify: (key, f) => Effect.sync(() => modifyUnsafe(key, f)), modifyUnsafe }
  }

  static readonly layerMemory: Layer.Layer<RateLimitStore> = Layer.sync(
    RateLimitStore,
    RateLimitStore.makeMemory
  )
}
