/**
 * The SQLite backend (the default): one file, Node's built-in `node:sqlite`, in WAL mode with a busy
 * timeout, safe for several processes on one file. Every read-decide-write is one `BEGIN IMMEDIATE`
 * transaction, which SQLite serializes across processes: an upsert by identity, a nonce claim, an inbox
 * accept (dedupe mark and activations together), an acknowledgement, a rate-limit reserve. Counters kept
 * in the same transactions bound the inbox without counting rows; expired keys are deleted through their
 * expiry index. Commits use `synchronous = NORMAL`, durable across a crash of the process (WAL); a power
 * loss may take the last commits. `node:sqlite` is synchronous, so a writer that finds another process's
 * transaction open waits on its thread (up to the busy timeout); each transaction is a few statements.
 *
 * @since 0.1.0
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { RateLimitStoreError, type RateLimitStoreShape } from "@taskjuice/intercom-core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { InboxActivation } from "../Activation.ts"
import {
  type AcceptResult,
  type ActivationInboxShape,
  type Delivery,
  type InboxLimits,
  readBounds
} from "../ActivationInbox.ts"
import type { Connection } from "../Connection.ts"
import type { ConnectionStoreShape, SaveResult } from "../ConnectionStore.ts"
import {
  beyondLastCursor,
  capacityRefusal,
  encodeActivations,
  makeArrivals,
  parseSequenceCursor
} from "../internal/inbox.ts"
import { bindingOf, connectionOf, type Row, recordOf } from "../internal/records.ts"
import type { StateParts } from "../internal/services.ts"
import { decodeWindow, encodeWindow, windowTimeToLiveMillis } from "../internal/windowCodec.ts"
import type { OAuthNoncesShape } from "../OAuthNonces.ts"
import { InboxFull, InvalidCursor, StoreUnavailable, TokenUnreadable } from "../StateError.ts"
import type { Sealer } from "../StateKey.ts"
import { startCheckpointer } from "./Checkpointer.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface SqliteOptions {
  readonly path: string
  readonly sealer: Sealer
  readonly limits: InboxLimits
  /** How long a writer waits for another process's transaction (default 5 s). */
  readonly busyTimeoutMillis?: number | undefined
}

/** Workspaces whose connections one process keeps at most (then it starts over). */
const maxCachedWorkspaces = 10_000

const schema = `
CREATE TABLE IF NOT EXISTS connections (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  admin_id TEXT NOT NULL,
  record TEXT NOT NULL,
  token TEXT NOT NULL,
  status TEXT NOT NULL,
  UNIQUE (workspace_id, admin_id)
);
CREATE TABLE IF NOT EXISTS oauth_nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS oauth_nonces_by_expiry ON oauth_nonces (expires_at);
CREATE TABLE IF NOT EXISTS dedupe_keys (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dedupe_keys_by_expiry ON dedupe_keys (expires_at);
CREATE TABLE IF NOT EXISTS activations (seq INTEGER PRIMARY KEY AUTOINCREMENT, bytes INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inbox_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO inbox_counters (name, value) VALUES ('keys', 0), ('held', 0), ('bytes', 0), ('committed', 0), ('last', 0);
CREATE TABLE IF NOT EXISTS rate_limit_windows (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rate_limit_windows_by_expiry ON rate_limit_windows (expires_at);
`

/** Checks the inbox for new activations from other processes this often while a read waits. */
const pollMillis = 20

/**
 * Opens (creating when missing) the state file and builds every store over it; `close` closes the file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openSqliteState = (
  options: SqliteOptions
): StateParts & { readonly close: () => Promise<void> } => {
  mkdirSync(dirname(options.path), { recursive: true })
  const db = new DatabaseSync(options.path)
  db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMillis ?? 5000}`)
  db.exec("PRAGMA journal_mode = WAL")
  db.exec("PRAGMA synchronous = NORMAL")
  // Started by the first write after the schema: a process that only reads never starts a thread.
  let checkpointer: ReturnType<typeof startCheckpointer> | undefined
  const immediate = <A>(f: () => A): A => {
    db.exec("BEGIN IMMEDIATE")
    try {
      const result = f()
      db.exec("COMMIT")
      return result
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK")
      throw error
    } finally {
      checkpointer ??= schemaReady
        ? startCheckpointer(db, options.path, { busyTimeoutMillis: options.busyTimeoutMillis })
        : undefined
    }
  }
  let schemaReady = false
  immediate(() => db.exec(schema))
  schemaReady = true

  const unavailable = (operation: string) => (cause: unknown) =>
    new StoreUnavailable({ backend: "sqlite", operation, cause })
  const attempt = <A>(operation: string, f: () => A) => Effect.try({ try: f, catch: unavailable(operation) })
  const statement = (sql: string) => db.prepare(sql)

  // Connections
  const selectById = statement("SELECT id, record, token, status FROM connections WHERE id = ?")
  const selectByWorkspace = statement(
    "SELECT id, record, token, status FROM connections WHERE workspace_id = ? ORDER BY rowid"
  )
  const selectAll = statement("SELECT id, record, token, status FROM connections ORDER BY rowid")
  const selectIdByIdentity = statement("SELECT id FROM connections WHERE workspace_id = ? AND admin_id = ?")
  const updateById = statement("UPDATE connections SET record = ?, token = ?, status = ? WHERE id = ?")
  const insertOrReplace = statement(
    "INSERT OR REPLACE INTO connections (id, workspace_id, admin_id, record, token, status) VALUES (?, ?, ?, ?, ?, ?)"
  )
  const resealToken = statement("UPDATE connections SET token = ? WHERE id = ? AND token = ?")
  const revoke = statement("UPDATE connections SET status = 'revoked' WHERE id = ? AND status = 'active'")
  const deleteById = statement("DELETE FROM connections WHERE id = ?")

  const open = (rows: ReadonlyArray<Row>) =>
    Effect.suspend(() => {
      const out = []
      for (const row of rows) {
        const opened = connectionOf(row, options.sealer)
        if (opened instanceof TokenUnreadable) return Effect.fail(opened)
        // Re-sealing under the current key is best effort: a busy file leaves it for the next read.
        if (opened.reseal !== undefined) {
          try {
            resealToken.run(opened.reseal, row.id, row.token)
          } catch {}
        }
        out.push(opened.connection)
      }
      return Effect.succeed(out)
    })
  const rows = (operation: string, f: () => ReadonlyArray<unknown>) =>
    Effect.flatMap(
      attempt(operation, () => f() as ReadonlyArray<Row>),
      open
    )

  // Every delivery looks up its workspace's connections, which change rarely: they are kept per
  // workspace until this process writes one, or another process commits anything to the file, which
  // SQLite's data_version tells. Reading it is a statement of its own (a read transaction, as dear as
  // the lookup), so it is read once per turn of the event loop, for every lookup of that turn.
  const dataVersion = statement("PRAGMA data_version")
  const byWorkspace = new Map<string, ReadonlyArray<Connection>>()
  let cachedVersion: number | undefined
  let versionCheckedThisTurn = false
  const changed = () => byWorkspace.clear()
  const checkVersion = () => {
    if (versionCheckedThisTurn) return
    const version = Number((dataVersion.get() as { data_version: number }).data_version)
    versionCheckedThisTurn = true
    setImmediate(() => {
      versionCheckedThisTurn = false
    })
    if (version !== cachedVersion) {
      byWorkspace.clear()
      cachedVersion = version
    }
  }
  const forWorkspace = (workspaceId: string) =>
    Effect.suspend(() => {
      try {
        checkVersion()
      } catch (cause) {
        return Effect.fail(unavailable("forWorkspace")(cause))
      }
      const known = byWorkspace.get(workspaceId)
      if (known !== undefined) return Effect.succeed(known)
      return Effect.map(
        rows("forWorkspace", () => selectByWorkspace.all(workspaceId)),
        (found) => {
          if (byWorkspace.size >= maxCachedWorkspaces) byWorkspace.clear()
          byWorkspace.set(workspaceId, found)
          return found
        }
      )
    })

  const connections: ConnectionStoreShape = {
    get: (id) =>
      Effect.map(
        rows("get", () => [selectById.get(id)].filter((row) => row !== undefined)),
        (found) => found[0]
      ),
    forWorkspace,
    list: rows("list", () => selectAll.all()),
    save: (connection) =>
      attempt("save", (): SaveResult => {
        changed()
        const record = recordOf(connection)
        const token = options.sealer.seal(connection.accessToken, bindingOf(connection))
        return immediate(() => {
          const existing = selectIdByIdentity.get(connection.workspaceId, connection.adminId) as
            | { id: string }
            | undefined
          if (existing !== undefined) {
            updateById.run(record, token, connection.status, existing.id)
            return { _tag: "Updated", connection: { ...connection, id: existing.id } }
          }
          insertOrReplace.run(
            connection.id,
            connection.workspaceId,
            connection.adminId,
            record,
            token,
            connection.status
          )
          return { _tag: "Created", connection }
        })
      }),
    markRevoked: (id) =>
      attempt("markRevoked", () => {
        changed()
        return Number(revoke.run(id).changes) === 1
      }),
    remove: (id) =>
      attempt("remove", () => {
        changed()
        return Number(deleteById.run(id).changes) === 1
      })
  }

  // OAuth nonces
  const purgeNonces = statement("DELETE FROM oauth_nonces WHERE expires_at <= ?")
  const insertNonce = statement("INSERT OR IGNORE INTO oauth_nonces (nonce, expires_at) VALUES (?, ?)")
  const nonces: OAuthNoncesShape = {
    claim: (nonce, expiresAtMillis) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        expiresAtMillis <= now
          ? Effect.succeed(false)
          : attempt("claim", () =>
              immediate(() => {
                purgeNonces.run(now)
                return Number(insertNonce.run(nonce, expiresAtMillis).changes) === 1
              })
            )
      )
  }

  // Activation inbox
  const counter = statement("SELECT value FROM inbox_counters WHERE name = ?")
  const addToCounter = statement("UPDATE inbox_counters SET value = value + ? WHERE name = ?")
  const setCounter = statement("UPDATE inbox_counters SET value = ? WHERE name = ?")
  const read = (name: string) => Number((counter.get(name) as { value: number }).value)
  const purgeKeys = statement("DELETE FROM dedupe_keys WHERE expires_at <= ?")
  const claimKey = statement("INSERT OR IGNORE INTO dedupe_keys (key, expires_at) VALUES (?, ?)")
  const releaseKey = statement("DELETE FROM dedupe_keys WHERE key = ?")
  const insertActivation = statement("INSERT INTO activations (bytes, record) VALUES (?, ?)")
  const selectAfter = statement("SELECT seq, record FROM activations WHERE seq > ? ORDER BY seq LIMIT ?")
  const heldUpTo = statement(
    "SELECT count(*) AS count, coalesce(sum(bytes), 0) AS bytes FROM activations WHERE seq <= ?"
  )
  const deleteUpTo = statement("DELETE FROM activations WHERE seq <= ?")
  const arrivals = makeArrivals()

  /**
   * One batch's accepts, inside its transaction. The counters are read once and written once per
   * batch, expired keys purged once; each delivery costs one key claim and one insert per activation.
   */
  const acceptAll = (batch: ReadonlyArray<Waiting>): Array<AcceptResult | InboxFull> => {
    const now = batch.reduce((earliest, waiting) => Math.min(earliest, waiting.now), Number.POSITIVE_INFINITY)
    const held = {
      keys: read("keys") - Number(purgeKeys.run(now).changes),
      records: read("held"),
      bytes: read("bytes")
    }
    const last = read("last")
    let lastCursor = last
    const results = batch.map(({ delivery, encoded: { records, bytes } }): AcceptResult | InboxFull => {
      // A key already held (by an earlier batch or earlier in this one) is a duplicate.
      if (Number(claimKey.run(delivery.dedupeKey, delivery.expiresAtMillis).changes) === 0) {
        return { _tag: "Duplicate" }
      }
      const refused = capacityRefusal(options.limits, held, { records: records.length, bytes })
      if (refused !== undefined) {
        releaseKey.run(delivery.dedupeKey)
        return refused
      }
      const cursors = records.map((record) => {
        lastCursor = Number(insertActivation.run(record.bytes, record.json).lastInsertRowid)
        return String(lastCursor)
      })
      held.keys += 1
      held.records += records.length
      held.bytes += bytes
      return { _tag: "Accepted", cursors }
    })
    setCounter.run(held.keys, "keys")
    setCounter.run(held.records, "held")
    setCounter.run(held.bytes, "bytes")
    if (lastCursor !== last) setCounter.run(lastCursor, "last")
    return results
  }

  // Group commit: the accepts that arrive in one turn of the event loop share one transaction. Each
  // still keeps its dedupe mark and activations together (the batch commits whole or not at all),
  // and each is answered only after the commit; a transaction per delivery cost more than the rest
  // of the webhook's work at 1,000 deliveries a second.
  type Waiting = {
    readonly delivery: Delivery
    readonly encoded: ReturnType<typeof encodeActivations>
    readonly now: number
    readonly resume: (effect: Effect.Effect<AcceptResult, InboxFull | StoreUnavailable>) => void
  }
  let waiting: Array<Waiting> = []
  const commitWaiting = () => {
    const batch = waiting
    waiting = []
    let results: Array<AcceptResult | InboxFull>
    try {
      results = immediate(() => acceptAll(batch))
    } catch (cause) {
      const failure = unavailable("accept")(cause)
      for (const { resume } of batch) resume(Effect.fail(failure))
      return
    }
    if (results.some((result) => result._tag === "Accepted" && result.cursors.length > 0)) arrivals.notify()
    batch.forEach(({ resume }, index) => {
      const result = results[index]!
      resume(result instanceof InboxFull ? Effect.fail(result) : Effect.succeed(result))
    })
  }

  const accept: ActivationInboxShape["accept"] = (delivery) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      // Encoded before it joins a batch: one that cannot be (too deep to write) fails alone, and the
      // transaction holds the file's lock only for the statements.
      let encoded: ReturnType<typeof encodeActivations>
      try {
        encoded = encodeActivations(delivery)
      } catch (cause) {
        return Effect.fail(unavailable("accept")(cause))
      }
      return Effect.callback<AcceptResult, InboxFull | StoreUnavailable>((resume) => {
        waiting.push({ delivery, encoded, now, resume })
        if (waiting.length === 1) setImmediate(commitWaiting)
      })
    })

  const readAfter = (seq: number, limit: number) =>
    attempt("read", () =>
      (selectAfter.all(seq, limit) as Array<{ seq: number; record: string }>).map(
        (row): InboxActivation => ({
          ...(JSON.parse(row.record) as Omit<InboxActivation, "cursor">),
          cursor: String(row.seq)
        })
      )
    )

  const inbox: ActivationInboxShape = {
    accept,
    read: (readOptions) =>
      Effect.gen(function* () {
        const from =
          readOptions?.after === undefined
            ? yield* attempt("read", () => read("committed"))
            : parseSequenceCursor(readOptions.after)
        if (from instanceof InvalidCursor) return yield* Effect.fail(from)
        const { limit, waitMillis } = readBounds(readOptions)
        const deadline = (yield* Clock.currentTimeMillis) + waitMillis
        for (;;) {
          const found = yield* readAfter(from, limit)
          const now = yield* Clock.currentTimeMillis
          if (found.length > 0 || now >= deadline) return found
          // Another process's commit shows on the next poll; this process's wakes the wait at once.
          yield* Effect.raceFirst(arrivals.wait, Effect.sleep(Math.min(pollMillis, deadline - now)))
        }
      }),
    ack: (cursor) =>
      Effect.suspend(() => {
        const seq = parseSequenceCursor(cursor)
        if (seq instanceof InvalidCursor) return Effect.fail(seq)
        return Effect.flatMap(
          attempt("ack", () =>
            immediate(() => {
              if (seq > read("last")) return beyondLastCursor(cursor)
              if (seq <= read("committed")) return undefined
              const done = heldUpTo.get(seq) as { count: number; bytes: number }
              deleteUpTo.run(seq)
              addToCounter.run(-Number(done.count), "held")
              addToCounter.run(-Number(done.bytes), "bytes")
              setCounter.run(seq, "committed")
              return undefined
            })
          ),
          (result) => (result === undefined ? Effect.void : Effect.fail(result))
        )
      })
  }

  // Rate-limit windows
  const selectWindow = statement("SELECT value FROM rate_limit_windows WHERE key = ?")
  const upsertWindow = statement(
    "INSERT OR REPLACE INTO rate_limit_windows (key, value, expires_at) VALUES (?, ?, ?)"
  )
  const purgeWindows = statement("DELETE FROM rate_limit_windows WHERE expires_at <= ?")
  let writesSincePurge = 0
  const rateLimits: RateLimitStoreShape = {
    modify: (key, f) =>
      Effect.clockWith((clock) =>
        attempt("rate-limit reserve", () => {
          const now = clock.currentTimeMillisUnsafe()
          return immediate(() => {
            if (++writesSincePurge >= 1000) {
              writesSincePurge = 0
              purgeWindows.run(now)
            }
            const row = selectWindow.get(key) as { value: string } | undefined
            const [result, next] = f(decodeWindow(row?.value))
            upsertWindow.run(key, encodeWindow(next), now + windowTimeToLiveMillis)
            return result
          })
        })
      ).pipe(Effect.mapError((cause) => new RateLimitStoreError({ cause })))
  }

  const close = async () => {
    await checkpointer?.stop()
    db.close()
  }
  return { connections, nonces, inbox, rateLimits, close }
}
