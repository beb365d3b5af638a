/** Connections for tests, made the way OAuth makes them but without the consent dance. */
import * as Redacted from "effect/Redacted"
import type { Connection } from "../../src/Connection.ts"

export const testConnection = (overrides: Partial<Connection> & Pick<Connection, "id">): Connection => ({
  workspaceId: "a86dr8yl",
  workspaceName: "Acme",
  adminId: "991267596",
  adminEmail: "grace@example.com",
  region: "us",
  apiBaseUrl: "http://127.0.0.1:9",
  accessToken: Redacted.make(`tok-${overrides.id}`),
  status: "active",
  connectedAt: "2026-01-01T00:00:00.000Z",
  ...overrides
})
