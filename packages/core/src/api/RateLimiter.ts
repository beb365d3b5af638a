/**
 * A client-side limiter per workspace token: it paces requests from Intercom's `X-RateLimit-*`
 * headers so that a burst spends the window's budget without running into 429s. Each request
 * reserves a permit before it is sent; every response corrects the estimate.
 */
import type { RateLimit } from "@taskjuice/intercom-client"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import {
  RateLimitStore,
  type RateLimitStoreError,
  type RateLimitStoreShape,
  type RateLimitWindow
} from "./RateLimitStore.ts"

export interface RateLimiterShape {
  /** Waits until a request for this workspace may be sent, and reserves it. */
  readonly acquire: (workspaceKey: string) => Effect.Effect<void>
  /** Feeds a response's rate-limit reading (and whether it was a 429) back into the estimate. */
  readonly observe: (
    workspaceKey: string,
    reading: RateLimit | undefined,
    rateLimited: boolean
  ) => Effect.Effect<void>
  /** A reserved request got no answer (network failure, timeout, cancellation): free its probe slot. */
  readonly release: (workspaceKey: string) => Effect.Effect<void>
  /**
   * `acquire` answered at once, at `now` (the fiber's Clock): `true` when the request is reserved
   * without a wait or a store round trip (the limiter in memory, a lease with permits left); `false`
   * when `acquire` must decide, having reserved nothing. Spares every request's hot path Effect steps.
   */
  readonly tryAcquireUnsafe?: (workspaceKey: string, now: number) => boolean
  /** `observe` answered at once, at `now`: `false` when `observe` must run, having changed nothing. */
  readonly tryObserveUnsafe?: (
    workspaceKey: string,
    reading: RateLimit | undefined,
    rateLimited: boolean,
    now: number
  ) => boolean
}

/** While nobody knows the window yet, waiters look again this often. */
const pollMillis = 5
/** Sent a little after the reset so that a request never lands in the old window. */
const resetMarginMillis = 2
/**
 * Nothing is granted this close before a reset: a request sent then may reach Intercom after it and
 * spend the next window's budget, which the limiter would then grant in full a second time. In a
 * burst the budget is spent at the start of a window, so this costs nothing there. This is the least
 * guard; a busy host widens it (see {@link ResetGuard}).
 */
export const resetGuardMillis = 100
/** However slow the answers, the guard never takes more than a tenth of a 10-second window. */
export const maxResetGuardMillis = 1_000
/** A 429 without a usable reset blocks for one of Intercom's 10-second windows. */
const unknownResetBlockMillis = 10_000

type Decision = { readonly _tag: "Granted" } | { readonly _tag: "Wait"; readonly millis: number }

const granted: Decision = { _tag: "Granted" }

/** The first request to a workspace goes out alone, so its answer can tell the others the budget. */
const firstProbe: RateLimitWindow = { remaining: 0, resetAtMillis: undefined, windowBudget: 1 }

export const decide = (
  window: RateLimitWindow | undefined,
  now: number,
  guardMillis: number = resetGuardMillis
): readonly [Decision, RateLimitWindow] => {
  if (window === undefined) return [granted, firstProbe]
  const current =
    window.resetAtMillis !== undefined && now >= window.resetAtMillis + resetMarginMillis
      ? { remaining: window.windowBudget, resetAtMillis: undefined, windowBudget: window.windowBudget }
      : window
  const guarded = current.resetAtMillis !== undefined && now >= current.resetAtMillis - guardMillis
  if (current.remaining > 0 && !guarded) return [granted, { ...current, remaining: current.remaining - 1 }]
  const millis =
    current.resetAtMillis === undefined
      ? pollMillis
      : Math.max(1, current.resetAtMillis + resetMarginMillis - now)
  return [{ _tag: "Wait", millis }, current]
}

export const learn = (
  window: RateLimitWindow | undefined,
  reading: RateLimit | undefined,
  rateLimited: boolean,
  now: number,
  guardMillis: number = resetGuardMillis
): RateLimitWindow => {
  const known = window ?? firstProbe
  if (reading === undefined) {
    if (rateLimited) return { ...known, remaining: 0, resetAtMillis: now + unknownResetBlockMillis }
    // A server that sends no rate-limit headers cannot be paced: stop holding requests back.
    return known.resetAtMillis === undefined ? { ...known, remaining: Number.POSITIVE_INFINITY } : known
  }
  const resetAtMillis = reading.resetAt * 1000
  // An answer from a window that has already ended says nothing about the current one; if it was
  // the probe's, another request must go out to learn the window, or the waiters would wait forever.
  if (resetAtMillis <= now) return forget(known)
  // An answer from the window that is ending, applied after another worker rolled the shared window
  // over (this worker read its clock just before the reset): it must not pull the fresh window back to
  // the old reset, which would then roll over a second time and grant the new budget twice. Nothing is
  // granted that close to a reset anyway, so ignoring it loses nothing.
  if (
    known.resetAtMillis === undefined &&
    known.windowBudget > 1 &&
    !rateLimited &&
    resetAtMillis - now < guardMillis
  ) {
    return known
  }
  if (rateLimited) return { remaining: 0, resetAtMillis, windowBudget: known.windowBudget }
  // The first answer of a window shows the budget less one.
  const windowBudget = Math.max(known.windowBudget, reading.remaining + 1)
  if (known.resetAtMillis === undefined) {
    // First reading since we rolled over (or since the probe): the server's count, less what we
    // reserved meanwhile, whichever is smaller.
    const reservedSinceRollover = known.windowBudget - known.remaining
    return {
      remaining: Math.max(0, Math.min(reading.remaining, windowBudget - reservedSinceRollover)),
      resetAtMillis,
      windowBudget
    }
  }
  if (resetAtMillis > known.resetAtMillis)
    return { remaining: reading.remaining, resetAtMillis, windowBudget }
  if (resetAtMillis < known.resetAtMillis) return known
  return { remaining: Math.min(known.remaining, reading.remaining), resetAtMillis, windowBudget }
}

/** Without an answer we learn nothing, but a probe that never answered must not block the others. */
export const forget = (window: RateLimitWindow): RateLimitWindow =>
  window.resetAtMillis === undefined && window.remaining === 0 ? { ...window, remaining: 1 } : window

/** Grants kept per workspace for {@link ResetGuard}; beyond this many unanswered, new ones go unmeasured. */
const maxTrackedGrants = 1_000

/**
 * The reset guard of one process, as wide as its requests take: a request granted closer to the reset
 * than it takes to reach Intercom lands in the next window. On a busy host (three workers and the
 * simulator on two cores) requests granted 100 ms before a reset were seen to arrive after it, and the
 * next window then answered 429s. It follows the slowest recent answer (grant to answer, an upper bound
 * of grant to arrival), decaying by a tenth per answer, between {@link resetGuardMillis} and
 * {@link maxResetGuardMillis}.
 */
export class ResetGuard {
  /** Per workspace, when its unanswered requests were granted, oldest first. */
  private readonly grants = new Map<string, Array<number>>()
  private slowest = 0

  get millis(): number {
    return Math.min(maxResetGuardMillis, Math.max(resetGuardMillis, Math.ceil(this.slowest)))
  }

  granted(workspaceKey: string, now: number): void {
    const pending = this.grants.get(workspaceKey)
    if (pending === undefined) this.grants.set(workspaceKey, [now])
    else if (pending.length < maxTrackedGrants) pending.push(now)
  }

  /** An answer came (`now`), or none will (`undefined`: nothing is learnt of the latency). */
  settled(workspaceKey: string, now: number | undefined): void {
    // A workspace's list is kept when it empties, as the limiter keeps its window: dropping and making
    // it again cost each request of a workspace sending one at a time more than the rest of this.
    const grantedAt = this.grants.get(workspaceKey)?.shift()
    if (grantedAt === undefined || now === undefined) return
    this.slowest = Math.max(now - grantedAt, this.slowest * 0.9)
  }
}

export const make = (store: RateLimitStoreShape): RateLimiterShape => {
  const { modifyUnsafe } = store
  if (modifyUnsafe === undefined) return makeShared(store)
  const guard = new ResetGuard()
  // Every request passes here twice (acquire, observe): with a store that answers at once, each is
  // answered at once (`tryAcquireUnsafe`, `tryObserveUnsafe`), or else in a single step that reads the
  // fiber's Clock, rather than a chain of Effects.
  const decideNow = (workspaceKey: string, now: number): Decision => {
    const guardMillis = guard.millis
    const decision = modifyUnsafe(workspaceKey, (window) => decide(window, now, guardMillis))
    if (decision._tag === "Granted") guard.granted(workspaceKey, now)
    return decision
  }
  const learnNow = (
    workspaceKey: string,
    reading: RateLimit | undefined,
    rateLimited: boolean,
    now: number
  ) => {
    guard.settled(workspaceKey, now)
    const guardMillis = guard.millis
    modifyUnsafe(
      workspaceKey,
      (window) => [undefined, learn(window, reading, rateLimited, now, guardMillis)] as const
    )
    return true
  }
  const acquire = (workspaceKey: string): Effect.Effect<void> =>
    Effect.clockWith((clock) => {
      const decision = decideNow(workspaceKey, clock.currentTimeMillisUnsafe())
      return decision._tag === "Wait"
        ? Effect.andThen(Effect.sleep(decision.millis), acquire(workspaceKey))
        : Effect.void
    })
  const observe = (workspaceKey: string, reading: RateLimit | undefined, rateLimited: boolean) =>
    Effect.clockWith((clock) => {
      learnNow(workspaceKey, reading, rateLimited, clock.currentTimeMillisUnsafe())
      return Effect.void
    })
  const release = (workspaceKey: string) =>
    Effect.sync(() => {
      guard.settled(workspaceKey, undefined)
      modifyUnsafe(workspaceKey, (window) => [undefined, forget(window ?? firstProbe)] as const)
    })
  return {
    acquire,
    observe,
    release,
    tryAcquireUnsafe: (workspaceKey, now) => decideNow(workspaceKey, now)._tag === "Granted",
    tryObserveUnsafe: learnNow
  }
}

const fallbackWarningMillis = 10_000

/** At most this many permits are taken from a shared window at once, and at most 1 % of its budget. */
export const maxLease = 16

const leaseSize = (window: RateLimitWindow): number =>
  Number.isFinite(window.remaining)
    ? Math.max(1, Math.min(maxLease, Math.floor(window.windowBudget / 100)))
    : maxLease

/**
 * {@link decide} for a lease: grants up to {@link leaseSize} permits at once from a known window (one while
 * it is unknown, so the probe still goes out alone).
 */
export const decideLease = (
  window: RateLimitWindow | undefined,
  now: number,
  guardMillis: number = resetGuardMillis
): readonly [readonly [Decision, number, RateLimitWindow], RateLimitWindow] => {
  const [decision, next] = decide(window, now, guardMillis)
  if (
    decision._tag !== "Granted" ||
    window === undefined ||
    (next.resetAtMillis === undefined && Number.isFinite(next.remaining))
  ) {
    return [[decision, 1, next], next]
  }
  const extra = Math.max(0, Math.min(leaseSize(next), next.remaining + 1) - 1)
  const leased = { ...next, remaining: next.remaining - extra }
  return [[decision, 1 + extra, leased], leased]
}

interface Lease {
  permits: number
  readonly resetAtMillis: number | undefined
}

/**
 * The limiter over a shared store (SQLite, Redis). Every worker spends one budget, but a round trip per
 * request would cost more than the request: so a reserve takes a small lease of permits atomically from
 * the shared window (never more than it has, so nothing is over-granted) and spends it locally until the
 * window's reset guard, and an answer that cannot change the shared window (same window, no lower count,
 * no larger budget than last seen) is not written back. A lease left unspent at the reset is lost, at most
 * {@link maxLease} permits (1 % of the budget) per worker and window.
 */
const makeShared = (store: RateLimitStoreShape): RateLimiterShape => {
  const modify = modifyWithLocalFallback(store)
  const leases = new Map<string, Lease>()
  const seen = new Map<string, RateLimitWindow>()
  const guard = new ResetGuard()
  const fromLease = (workspaceKey: string, now: number): boolean => {
    const lease = leases.get(workspaceKey)
    if (lease === undefined || lease.permits <= 0) return false
    if (lease.resetAtMillis !== undefined && now >= lease.resetAtMillis - guard.millis) return false
    lease.permits--
    return true
  }
  const acquire = (workspaceKey: string): Effect.Effect<void> =>
    Effect.clockWith((clock) => {
      const now = clock.currentTimeMillisUnsafe()
      if (fromLease(workspaceKey, now)) {
        guard.granted(workspaceKey, now)
        return Effect.void
      }
      const guardMillis = guard.millis
      return Effect.flatMap(
        modify(workspaceKey, (window) => decideLease(window, now, guardMillis)),
        ([decision, permits, window]) => {
          seen.set(workspaceKey, window)
          if (decision._tag === "Granted") {
            leases.set(workspaceKey, { permits: permits - 1, resetAtMillis: window.resetAtMillis })
            guard.granted(workspaceKey, now)
            return Effect.void
          }
          return Effect.andThen(Effect.sleep(decision.millis), acquire(workspaceKey))
        }
      )
    })
  const changesNothing = (workspaceKey: string, reading: RateLimit | undefined, rateLimited: boolean) => {
    const known = seen.get(workspaceKey)
    return (
      !rateLimited &&
      reading !== undefined &&
      known !== undefined &&
      known.resetAtMillis === reading.resetAt * 1000 &&
      known.remaining <= reading.remaining &&
      reading.remaining + 1 <= known.windowBudget
    )
  }
  const observe = (workspaceKey: string, reading: RateLimit | undefined, rateLimited: boolean) =>
    Effect.clockWith((clock) => {
      const now = clock.currentTimeMillisUnsafe()
      guard.settled(workspaceKey, now)
      const guardMillis = guard.millis
      if (rateLimited) leases.delete(workspaceKey)
      if (changesNothing(workspaceKey, reading, rateLimited)) return Effect.void
      return Effect.map(
        modify(workspaceKey, (window) => {
          const next = learn(window, reading, rateLimited, now, guardMillis)
          return [next, next] as const
        }),
        (window) => {
          seen.set(workspaceKey, window)
        }
      )
    })
  const release = (workspaceKey: string) =>
    Effect.map(
      modify(workspaceKey, (window) => {
        const next = forget(window ?? firstProbe)
        return [next, next] as const
      }),
      (window) => {
        guard.settled(workspaceKey, undefined)
        seen.set(workspaceKey, window)
      }
    )
  return {
    acquire,
    observe,
    release,
    // A lease with permits left grants at once; anything else asks the shared store (in `acquire`).
    tryAcquireUnsafe: (workspaceKey, now) => {
      if (!fromLease(workspaceKey, now)) return false
      guard.granted(workspaceKey, now)
      return true
    },
    // An answer that cannot change the shared window is not written back.
    tryObserveUnsafe: (workspaceKey, reading, rateLimited, now) => {
      if (!changesNothing(workspaceKey, reading, rateLimited)) return false
      guard.settled(workspaceKey, now)
      return true
    }
  }
}

/**
 * A shared store's `modify`, falling back to a window in this process while the store fails: pacing
 * then holds for this worker alone (Intercom's 429 and the retry policy stay the backstop), and the
 * shared window is used again as soon as it answers. Pacing is advisory, so a store outage must not
 * fail the action itself.
 */
const modifyWithLocalFallback = (store: RateLimitStoreShape) => {
  const local = RateLimitStore.makeMemory()
  // One warning per outage and every 10 s while it lasts, not one per request.
  let warnedAt = Number.NEGATIVE_INFINITY
  const warn = (error: RateLimitStoreError) =>
    Effect.clockWith((clock) => {
      const now = clock.currentTimeMillisUnsafe()
      if (now - warnedAt < fallbackWarningMillis) return Effect.void
      warnedAt = now
      return Effect.logWarning(`${error.message}: pacing in this process only`, error.cause)
    })
  return <A>(
    key: string,
    f: (current: RateLimitWindow | undefined) => readonly [A, RateLimitWindow]
  ): Effect.Effect<A> =>
    store.modify(key, f).pipe(
      Effect.catch((error: RateLimitStoreError) =>
        Effect.andThen(
          warn(error),
          Effect.sync(() => local.modifyUnsafe(key, f))
        )
      )
    )
}

export class RateLimiter extends Context.Service<RateLimiter, RateLimiterShape>()(
  "@taskjuice/intercom-core/RateLimiter"
) {
  /** The limiter over an in-memory store: right for one process. */
  static readonly layer: Layer.Layer<RateLimiter> = Layer.sync(RateLimiter, () =>
    make(RateLimitStore.makeMemory())
  )

  /** The limiter over whichever `RateLimitStore` is provided (e.g. a shared one). */
  static readonly layerStore: Layer.Layer<RateLimiter, never, RateLimitStore> = Layer.effect(
    RateLimiter,
    Effect.map(Effect.service(RateLimitStore), make)
  )

  /** No pacing at all: for tests that script 429s themselves. */
  static readonly layerUnlimited: Layer.Layer<RateLimiter> = Layer.succeed(RateLimiter, {
    acquire: () => Effect.void,
    observe: () => Effect.void,
    release: () => Effect.void
  })
}
