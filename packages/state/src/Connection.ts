/**
 * An Intercom connection: one workspace authorized through OAuth, as the stores keep it. The access token
 * is `Redacted` from the moment it is read, and encrypted whenever it leaves this process; everything else
 * is the non-sensitive metadata a connection row may show.
 *
 * @since 0.1.0
 */
import type { Region } from "@taskjuice/intercom-client"
import type * as Redacted from "effect/Redacted"

/**
 * `active` until Intercom rejects the token; Intercom tokens never expire, so `revoked` is the only other
 * state.
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectionStatus = "active" | "revoked"

/**
 * @since 0.1.0
 * @category models
 */
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

/**
 * What may be shown, logged or returned over HTTP: the connection without its token.
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectionSummary = Omit<Connection, "accessToken">

/**
 * @since 0.1.0
 * @category constructors
 */
export const summarizeConnection = ({ accessToken: _, ...summary }: Connection): ConnectionSummary => summary
