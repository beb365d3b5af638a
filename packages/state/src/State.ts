/**
 * One layer per state location, providing every store the host needs: `ConnectionStore`, `OAuthNonces`,
 * `ActivationInbox`, and the core's `RateLimitStore` and `NotificationDedupe` (the latter over the
 * inbox's dedupe marks, so both share one window and one capacity).
 *
 * @since 0.1.0
 */
import * as NodeRedis from "@effect/platform-node/NodeRedis"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { defaultInboxLimits, type InboxLimits } from "./ActivationInbox.ts"
import { type StateServices, stateContext } from "./internal/services.ts"
import { makeMemoryState } from "./memory/MemoryState.ts"
import { makeRedisState } from "./redis/RedisState.ts"
import { type StateKeyError, StateLocationError, StoreUnavailable } from "./StateError.ts"
import { makeSealer, type StateKeys, stateKeysFromEnv } from "./StateKey.ts"
import {
  defaultStateLocation,
  parseStateLocation,
  type StateLocation,
  stateVariable
} from "./StateLocation.ts"
import { openSqliteState } from "./sqlite/SqliteState.ts"

export type { StateServices } from "./internal/services.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface StateConfig {
  readonly location: StateLocation
  /** Required by `sqlite` and `redis` (see `stateKeysFromEnv`); the memory backend needs none. */
  readonly keys?: StateKeys | StateKeyError | undefined
  readonly limits?: Partial<InboxLimits> | undefined
  /** The dedupe window `NotificationDedupe` marks keys for (default: the core's, 15 minutes). */
  readonly dedupeWindow?: Duration.Input | undefined
  /** Prefix of every Redis key (default `taskjuice:`). */
  readonly redisPrefix?: string | undefined
}

const failed = <E>(error: E): Layer.Layer<StateServices, E> =>
  Layer.unwrap<StateServices, never, never, E, never>(Effect.fail(error))

const keysFor = (config: StateConfig): Effect.Effect<StateKeys, StateKeyError> => {
  const keys = config.keys ?? stateKeysFromEnv({})
  return "current" in keys ? Effect.succeed(keys) : Effect.fail(keys)
}

/**
 * Every store at one location.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: StateConfig): Layer.Layer<StateServices, StateKeyError | StoreUnavailable> => {
  const limits: InboxLimits = { ...defaultInboxLimits, ...config.limits }
  const location = config.location
  switch (location._tag) {
    case "Memory":
      return Layer.effectContext(
        Effect.sync(() => stateContext(makeMemoryState(limits), config.dedupeWindow))
      )
    case "Sqlite":
      return Layer.effectContext(
        Effect.gen(function* () {
          const sealer = makeSealer(yield* keysFor(config))
          const state = yield* Effect.acquireRelease(
            Effect.try({
              try: () => openSqliteState({ path: location.path, sealer, limits }),
              catch: (cause) =>
                new StoreUnavailable({ backend: "sqlite", operation: `open ${location.path}`, cause })
            }),
            (state) => Effect.promise(state.close)
          )
          return stateContext(state, config.dedupeWindow)
        })
      )
    case "Redis":
      return Layer.unwrap(
        Effect.map(keysFor(config), (keys) =>
          Layer.effectContext(
            Effect.map(
              makeRedisState({ sealer: makeSealer(keys), limits, prefix: config.redisPrefix }),
              (state) => stateContext(state, config.dedupeWindow)
            )
          ).pipe(
            Layer.provide(
              NodeRedis.layer({
                socket: { host: location.host, port: location.port, connectTimeout: 5000 },
                // While disconnected a command fails at once (StoreUnavailable, answered 503) instead of waiting.
                disableOfflineQueue: true,
                database: location.database,
                ...(location.username === undefined ? {} : { username: location.username }),
                ...(location.password === undefined ? {} : { password: Redacted.value(location.password) })
              })
            ),
            Layer.catch((cause) =>
              cause instanceof StoreUnavailable
                ? failed(cause)
                : failed(
                    new StoreUnavailable({
                      backend: "redis",
                      operation: `connect to ${location.host}:${location.port}`,
                      cause
                    })
                  )
            )
          )
        )
      )
  }
}

/**
 * Every store at the location `state` names (the `--state` flag; else `TASKJUICE_STATE`; else the
 * default SQLite file), keyed from `TASKJUICE_STATE_KEY` and `TASKJUICE_STATE_PREVIOUS_KEYS`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv = (
  options: {
    readonly state?: string | undefined
    readonly env?: Readonly<Record<string, string | undefined>> | undefined
    readonly limits?: Partial<InboxLimits> | undefined
    readonly dedupeWindow?: Duration.Input | undefined
  } = {}
): Layer.Layer<StateServices, StateKeyError | StateLocationError | StoreUnavailable> => {
  const env = options.env ?? process.env
  const text = options.state ?? env[stateVariable] ?? defaultStateLocation
  const location = parseStateLocation(text, options.state === undefined ? stateVariable : "--state")
  if (location instanceof StateLocationError) return failed(location)
  return layer({
    location,
    keys: location._tag === "Memory" ? undefined : stateKeysFromEnv(env),
    limits: options.limits,
    dedupeWindow: options.dedupeWindow
  })
}
