/**
 * Where the bundle keeps its connections, shared by every worker: by id, by Intercom workspace (a webhook
 * is routed by its `app_id`), and unique per workspace and admin, so reconnecting updates the connection
 * (keeping its id) instead of adding a second one. Tokens are sealed with the key ring (`StateKey`) on the
 * SQLite and Redis backends; a token sealed under a previous key is re-sealed under the current one when
 * it is read.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { Connection } from "./Connection.ts"
import type { StoreError, StoreUnavailable } from "./StateError.ts"

/**
 * What `save` did: `Created` a connection, or `Updated` the one this workspace and admin already had
 * (whose id the answer carries, whatever id was passed in).
 *
 * @since 0.1.0
 * @category models
 */
export interface SaveResult {
  readonly _tag: "Created" | "Updated"
  readonly connection: Connection
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ConnectionStoreShape {
  readonly get: (id: string) => Effect.Effect<Connection | undefined, StoreError>
  /** Every connection, active or revoked, of one Intercom workspace. */
  readonly forWorkspace: (workspaceId: string) => Effect.Effect<ReadonlyArray<Connection>, StoreError>
  readonly list: Effect.Effect<ReadonlyArray<Connection>, StoreError>
  /** Upserts by (workspaceId, adminId): a reconnect of the same workspace and admin keeps its id. */
  readonly save: (connection: Connection) => Effect.Effect<SaveResult, StoreUnavailable>
  /** Marks the connection revoked after Intercom rejected its token; answers whether it was active. */
  readonly markRevoked: (id: string) => Effect.Effect<boolean, StoreUnavailable>
  /** Answers whether there was one. */
  readonly remove: (id: string) => Effect.Effect<boolean, StoreUnavailable>
}

/**
 * @since 0.1.0
 * @category services
 */
export class ConnectionStore extends Context.Service<ConnectionStore, ConnectionStoreShape>()(
  "@taskjuice/intercom-state/ConnectionStore"
) {}
