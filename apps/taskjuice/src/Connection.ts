/**
 * An Intercom connection: one workspace authorized through OAuth. Its one home is the state package,
 * which keeps it (the token sealed at rest) for every worker; the bundle uses that model as it is.
 */
import type { ConnectionStoreShape } from "@taskjuice/intercom-state"
import * as Effect from "effect/Effect"

export {
  type Connection,
  type ConnectionStatus,
  type ConnectionSummary,
  summarizeConnection
} from "@taskjuice/intercom-state"

/** The state's connection store with promises, for callers outside Effect (a host's handle, the runtime). */
export type ConnectionStorePromises = {
  readonly [K in keyof ConnectionStoreShape]: ConnectionStoreShape[K] extends (
    ...args: infer Args
  ) => Effect.Effect<infer A, infer _E>
    ? (...args: Args) => Promise<A>
    : ConnectionStoreShape[K] extends Effect.Effect<infer A, infer _E>
      ? () => Promise<A>
      : never
}

export const connectionStorePromises = (store: ConnectionStoreShape): ConnectionStorePromises => ({
  get: (id) => Effect.runPromise(store.get(id)),
  forWorkspace: (workspaceId) => Effect.runPromise(store.forWorkspace(workspaceId)),
  list: () => Effect.runPromise(store.list),
  save: (connection) => Effect.runPromise(store.save(connection)),
  markRevoked: (id) => Effect.runPromise(store.markRevoked(id)),
  remove: (id) => Effect.runPromise(store.remove(id))
})
