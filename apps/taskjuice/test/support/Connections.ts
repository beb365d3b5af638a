/** Connections for tests, made the way OAuth makes them but without the consent dance. */
import { ConnectionStore, State } from "@taskjuice/intercom-state"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { Connection } from "../../src/Connection.ts"

export const testConnection = (overrides: Partial<Connection> & Pick<Connection, "id">): Connection => ({
  workspaceId: "a86dr8yl",
  workspaceName: "Acme",
  // One admin per connection: the store keeps one connection per workspace and admin.
  adminId: `admin-${overrides.id}`,
  adminEmail: "grace@example.com",
  region: "us",
  apiBaseUrl: "http://127.0.0.1:9",
  accessToken: Redacted.make(`tok-${overrides.id}`),
  status: "active",
  connectedAt: "2026-01-01T00:00:00.000Z",
  ...overrides
})

/** The state's memory backend (every store), holding these connections. */
export const memoryStateWith = (connections: ReadonlyArray<Connection> = []) =>
  State.layer({ location: { _tag: "Memory" } }).pipe(
    Layer.tap((context) =>
      Effect.forEach(connections, (connection) => Context.get(context, ConnectionStore).save(connection), {
        discard: true
      })
    ),
    Layer.orDie
  )
