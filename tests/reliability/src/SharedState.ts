/**
 * The state the suite's host processes share, on a real backend of its own: a SQLite file in a
 * temporary directory, or a redis-server started for the suite (`@taskjuice/intercom-testkit`), each
 * with a key made for the run. It can put a connection into the store and read the connections back as
 * a host would (through the state package's own `ConnectionStore`), and every byte the backend keeps, for the canary
 * checks: the SQLite file with its WAL, or the snapshot Redis writes of every key and value.
 */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { saveConnection, withConnectionStore } from "@taskjuice/intercom-bundle/testing"
import { type Connection, generateStateKey } from "@taskjuice/intercom-state"
import { startRedisServer } from "@taskjuice/intercom-testkit"

const run = promisify(execFile)

export interface SharedState {
  readonly backend: "sqlite" | "redis"
  /** What `--state` takes. */
  readonly location: string
  /** What `TASKJUICE_STATE_KEY` holds. */
  readonly key: string
  /** The environment a host on this state needs. */
  readonly env: Readonly<Record<string, string>>
  /** Saves a connection through the state's own store, as a connect would. */
  readonly save: (connection: Connection) => Promise<void>
  /** Every connection, read back through the store (tokens opened with the run's key). */
  readonly connections: () => Promise<ReadonlyArray<Connection>>
  /** Every byte the backend keeps, as text (latin1, so any byte sequence survives). */
  readonly dump: () => Promise<string>
  readonly close: () => Promise<void>
}

const stateOf = (
  backend: SharedState["backend"],
  location: string,
  dump: () => Promise<string>,
  close: () => Promise<void>
): SharedState => {
  const key = generateStateKey()
  return {
    backend,
    location,
    key,
    env: { TASKJUICE_STATE_KEY: key },
    save: (connection) => saveConnection(location, key, connection),
    connections: () => withConnectionStore(location, key, (store) => store.list),
    dump,
    close
  }
}

/** A SQLite file of its own; `dump` reads it with its WAL and shared-memory files. */
export const sqliteState = async (): Promise<SharedState> => {
  const dir = await mkdtemp(join(tmpdir(), "taskjuice-reliability-"))
  const file = join(dir, "state.sqlite")
  return stateOf(
    "sqlite",
    `sqlite:${file}`,
    async () => {
      const parts = await Promise.all(
        [file, `${file}-wal`, `${file}-shm`].map((path) =>
          existsSync(path) ? readFile(path) : Buffer.alloc(0)
        )
      )
      return Buffer.concat(parts).toString("latin1")
    },
    () => rm(dir, { recursive: true, force: true })
  )
}

/**
 * A redis-server of its own; `dump` has it write its snapshot uncompressed (every key and value as
 * Redis would persist them) and reads that file.
 */
export const redisState = async (): Promise<SharedState> => {
  const redis = await startRedisServer()
  const cli = (...args: ReadonlyArray<string>) =>
    run("redis-cli", ["-h", redis.host, "-p", String(redis.port), ...args]).then(({ stdout }) =>
      stdout.trim()
    )
  return stateOf(
    "redis",
    redis.url,
    async () => {
      await cli("CONFIG", "SET", "rdbcompression", "no")
      await cli("SAVE")
      const dir = (await cli("CONFIG", "GET", "dir")).split("\n")[1] ?? ""
      const keys = await cli("--scan")
      return `${keys}\n${(await readFile(join(dir, "dump.rdb"))).toString("latin1")}`
    },
    redis.stop
  )
}
