/**
 * Where the bundle keeps its connections. TaskJuice's own store holds the token behind a handle; this
 * in-memory service plays that part for the local host and the tests, keyed by connection id and
 * indexed by Intercom workspace so a webhook can be routed by its `app_id`.
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import type { Connection } from "./Connection.ts"

export interface ConnectionsShape {
  readonly get: (id: string) => Connection | undefined
  /** Every connection, active or revoked, of one Intercom workspace. */
  readonly forWorkspace: (workspaceId: string) => ReadonlyArray<Connection>
  readonly list: () => ReadonlyArray<Connection>
  /** Adds the connection, or replaces the one with the same id (a reconnect). */
  readonly put: (connection: Connection) => void
  /** Marks the connection revoked after Intercom rejected its token; returns whether it was active. */
  readonly markRevoked: (id: string) => boolean
  readonly remove: (id: string) => boolean
}

export class Connections extends Context.Service<Connections, ConnectionsShape>()(
  "@taskjuice/intercom-bundle/Connections"
) {
  static readonly make = (initial: ReadonlyArray<Connection> = []): ConnectionsShape => {
    const byId = new Map<string, Connection>(initial.map((connection) => [connection.id, connection]))
    return {
      get: (id) => byId.get(id),
      forWorkspace: (workspaceId) =>
        [...byId.values()].filter((connection) => connection.workspaceId === workspaceId),
      list: () => [...byId.values()],
      put: (connection) => {
        byId.set(connection.id, connection)
      },
      markRevoked: (id) => {
        const connection = byId.get(id)
        if (connection === undefined || connection.status === "revoked") return false
        byId.set(id, { ...connection, status: "revoked" })
        return true
      },
      remove: (id) => byId.delete(id)
    }
  }

  static readonly layerMemory = (initial: ReadonlyArray<Connection> = []): Layer.Layer<Connections> =>
    Layer.sync(Connections, () => Connections.make(initial))
}
