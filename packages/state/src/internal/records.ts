import type { Connection } from "../Connection.ts"
import { TokenUnreadable } from "../StateError.ts"
import type { Opened, Sealer } from "../StateKey.ts"

/** What is stored beside the sealed token: the connection less its id (the key) and token. */
export type StoredRecord = Omit<Connection, "id" | "accessToken" | "status">

export const recordOf = ({ id: _, accessToken: __, status: ___, ...record }: Connection): string =>
  JSON.stringify(record)

/** The token's AAD: the connection's identity, which an upsert keeps whatever the id. */
export const bindingOf = (connection: { readonly workspaceId: string; readonly adminId: string }): string =>
  JSON.stringify([connection.workspaceId, connection.adminId])

export interface Row {
  readonly id: string
  readonly record: string
  readonly token: string
  readonly status: string
}

/** A stored row as a connection; `reseal` is the current key's sealing when the token was under an older key. */
export const connectionOf = (
  row: Row,
  sealer: Sealer
): { readonly connection: Connection; readonly reseal: string | undefined } | TokenUnreadable => {
  const record = JSON.parse(row.record) as StoredRecord
  const opened: Opened = sealer.open(row.token, bindingOf(record))
  if (opened._tag !== "Opened") return new TokenUnreadable({ connectionId: row.id, reason: opened._tag })
  const connection: Connection = {
    id: row.id,
    ...record,
    accessToken: opened.plaintext,
    status: row.status === "revoked" ? "revoked" : "active"
  }
  return { connection, reseal: opened.stale ? sealer.seal(opened.plaintext, bindingOf(record)) : undefined }
}
