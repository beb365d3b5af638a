/**
 * The shared state from outside a host, for tests and benchmarks: the state package's own
 * `ConnectionStore` at a location, opened with a key as a host there would open it, to put a
 * connection in before hosts start or to read back what they stored.
 */
import {
  type Connection,
  ConnectionStore,
  type ConnectionStoreShape,
  parseStateKeys,
  parseStateLocation,
  State,
  StateKeyError,
  StateLocationError
} from "@taskjuice/intercom-state"
import * as Effect from "effect/Effect"

/** Runs `f` against the connection store at `location` (as `--state` takes it), sealed with `key`. */
export const withConnectionStore = <A>(
  location: string,
  key: string,
  f: (store: ConnectionStoreShape) => Effect.Effect<A, unknown>
): Promise<A> => {
  const parsed = parseStateLocation(location)
  const keys = parseStateKeys(key)
  if (parsed instanceof StateLocationError) return Promise.reject(parsed)
  if (keys instanceof StateKeyError) return Promise.reject(keys)
  return Effect.runPromise(
    Effect.gen(function* () {
      return yield* f(yield* ConnectionStore)
    }).pipe(Effect.provide(State.layer({ location: parsed, keys })))
  )
}

/** Saves a connection at `location`, as a connect through any host there would. */
export const saveConnection = (location: string, key: string, connection: Connection): Promise<void> =>
  withConnectionStore(location, key, (store) => Effect.asVoid(store.save(connection)))
