/**
 * An Intercom connection: one workspace authorized through OAuth, as TaskJuice stores it. The access
 * token is `Redacted` from the moment it is read; everything else is the non-sensitive metadata a
 * connection row may show (workspace id and name, the admin who connected, the region).
 */
import type { Region } from "@taskjuice/intercom-client"
import type * as Redacted from "effect/Redacted"

/** `active` until Intercom rejects the token; Intercom tokens never expire, so `revoked` is the only other state. */
export type ConnectionStatus = "active" | "revoked"

export interface Connection {
  readonly id: string
  /** Intercom's workspace id (`app.id_code` from `GET /me`); webhooks carry it as `app_id`. */
  readonly workspaceId: string
  readonly workspaceName: string
  /** The admin who approved the app, as `GET /me` reports them. */
  readonly adminId: string
  readonly adminEmail: string | null
  /** Read loosely from `app.region`; `null` when Intercom reports a value we cannot place. */
  readonly region: Region | null
  /** The API host every call for this workspace goes to, pinned when the connection is made. */
  readonly apiBaseUrl: string
  readonly accessToken: Redacted.Redacted<string>
  readonly status: ConnectionStatus
  /** ISO 8601. */
  readonly connectedAt: string
}

/** What may be shown, logged or returned over HTTP: the connection without its token. */
export type ConnectionSummary = Omit<Connection, "accessToken">

export const summarizeConnection = (connection: Connection): ConnectionSummary => ({
  id: connection.id,
  workspaceId: connection.workspaceId,
  workspaceName: connection.workspaceName,
  adminId: connection.adminId,
  adminEmail: connection.adminEmail,
  region: connection.region,
  apiBaseUrl: connection.apiBaseUrl,
  status: connection.status,
  connectedAt: connection.connectedAt
})
