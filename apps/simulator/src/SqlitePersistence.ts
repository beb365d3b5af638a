/**
 * The state file: every record as JSON in one SQLite table, written through on each change.
 * Uses Node's built-in `node:sqlite`, so there is no native module to build.
 */
import { DatabaseSync } from "node:sqlite"
import type { Persistence, RecordKind } from "./Store.ts"

export const openSqlitePersistence = (file: string): Persistence => {
  const database = new DatabaseSync(file)
  database.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS records (
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      json TEXT NOT NULL,
      PRIMARY KEY (kind, id)
    ) WITHOUT ROWID;
  `)
  const upsert = database.prepare(
    "INSERT INTO records (kind, id, json) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET json = excluded.json"
  )
  const select = database.prepare("SELECT json FROM records WHERE kind = ?")
  return {
    load: (kind: RecordKind) =>
      select.all(kind).map((row) => JSON.parse(String((row as { json: unknown }).json)) as unknown),
    save: (kind: RecordKind, id: string, record: unknown) => {
      upsert.run(kind, id, JSON.stringify(record))
    },
    close: () => database.close()
  }
}
