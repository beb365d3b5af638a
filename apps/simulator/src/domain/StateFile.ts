/**
 * Where the stores write through to. In memory by default; with a state file, every record as JSON
 * in one SQLite table (Node's built-in `node:sqlite`, so there is no native module to build), written
 * on each change. The file is held under SQLite's exclusive lock for the whole run: a second process
 * opening it is refused at once with a clear error, instead of two twins issuing the same ids.
 */
import { DatabaseSync } from "node:sqlite"
import * as Data from "effect/Data"

export type RecordKind = "contact" | "conversation" | "company" | "tag" | "admin" | "token" | "meta"

export interface Persistence {
  readonly load: (kind: RecordKind) => ReadonlyArray<unknown>
  readonly save: (kind: RecordKind, id: string, record: unknown) => void
  readonly close: () => void
}

/** Nothing kept beyond the process: the default. */
export const memoryPersistence: Persistence = { load: () => [], save: () => {}, close: () => {} }

/** The state file could not be opened: held by another process, or not a place SQLite can write. */
export class StateFileError extends Data.TaggedError("StateFileError")<{
  readonly file: string
  readonly message: string
  /** `InUse` may pass once the other simulator stops; the others need another path. */
  readonly reason: "InUse" | "Unreadable"
}> {}

const isBusy = (error: unknown): boolean => /database is locked|SQLITE_BUSY/i.test(String(error))

export const openStateFile = (file: string): Persistence => {
  let database: DatabaseSync
  try {
    // No busy timeout: a file another twin holds is refused now, not after a wait.
    database = new DatabaseSync(file, { timeout: 0 })
  } catch (error) {
    throw new StateFileError({
      file,
      message: `Cannot open the state file ${file}: ${(error as Error).message}`,
      reason: "Unreadable"
    })
  }
  try {
    // EXCLUSIVE locking keeps the write lock from the first write until the connection closes.
    database.exec(`
      PRAGMA locking_mode = EXCLUSIVE;
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS records (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      ) WITHOUT ROWID;
      BEGIN EXCLUSIVE;
      COMMIT;
    `)
  } catch (error) {
    database.close()
    throw new StateFileError({
      file,
      message: isBusy(error)
        ? `The state file ${file} is in use by another simulator: stop it, or pass another --state-file`
        : `Cannot use the state file ${file}: ${(error as Error).message}`,
      reason: isBusy(error) ? "InUse" : "Unreadable"
    })
  }
  const upsert = database.prepare(
    "INSERT INTO records (kind, id, json) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET json = excluded.json"
  )
  const select = database.prepare("SELECT json FROM records WHERE kind = ?")
  return {
    load: (kind) =>
      select.all(kind).map((row) => JSON.parse(String((row as { json: unknown }).json)) as unknown),
    save: (kind, id, record) => {
      upsert.run(kind, id, JSON.stringify(record))
    },
    close: () => database.close()
  }
}
