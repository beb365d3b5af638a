/**
 * WAL checkpoints beside the event loop. `node:sqlite` is synchronous, and SQLite's automatic
 * checkpoint runs inside whichever commit crosses the WAL's page threshold: it copies megabytes into
 * the database file and syncs it on the thread that serves webhooks, so every delivery in flight waits
 * (10–20 ms stalls every few hundred deliveries, measured). Instead, the process's connection turns the
 * automatic checkpoint off and a worker thread with a connection of its own runs a passive checkpoint
 * every few milliseconds: writers never wait for it, and a writer restarts the WAL from its start once
 * a checkpoint has copied everything, so the WAL stays as small as a few intervals of writes.
 *
 * Each process on the file runs its own; passive checkpoints of several processes simply take turns.
 * If the worker cannot run, the connection's automatic checkpoint is turned back on.
 *
 * @since 0.1.0
 */
import type { DatabaseSync } from "node:sqlite"
import { Worker } from "node:worker_threads"

/** The pages SQLite's own checkpoint waits for (its default), used again if the worker stops. */
const automaticCheckpointPages = 1000

export interface CheckpointerOptions {
  /** How often the worker checkpoints (default 50 ms). */
  readonly intervalMillis?: number | undefined
  /** How long the worker's connection waits for the file's locks (default 5 s). */
  readonly busyTimeoutMillis?: number | undefined
}

// The worker's whole program: CommonJS, so it needs nothing resolved from the bundle.
const workerSource = `
const { DatabaseSync } = require("node:sqlite")
const { workerData } = require("node:worker_threads")
const db = new DatabaseSync(workerData.path)
db.exec("PRAGMA busy_timeout = " + workerData.busyTimeoutMillis)
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)")
setInterval(() => {
  try {
    checkpoint.get()
  } catch {
    // Busy or locked by another process's checkpoint: the next interval tries again.
  }
}, workerData.intervalMillis)
`

/**
 * Starts the checkpointer of `db` (open on `path`, in WAL mode); `stop` ends it. The worker does not
 * hold the process open.
 */
export const startCheckpointer = (
  db: DatabaseSync,
  path: string,
  options: CheckpointerOptions = {}
): { readonly stop: () => Promise<void> } => {
  db.exec("PRAGMA wal_autocheckpoint = 0")
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      path,
      intervalMillis: options.intervalMillis ?? 50,
      busyTimeoutMillis: options.busyTimeoutMillis ?? 5000
    },
    // Not piped to the host's: its output (a runtime warning, say) is not the host's log.
    stdout: true,
    stderr: true
  })
  worker.unref()
  let stopping = false
  const fallBack = () => {
    if (stopping || !db.isOpen) return
    try {
      db.exec(`PRAGMA wal_autocheckpoint = ${automaticCheckpointPages}`)
    } catch {}
  }
  worker.on("error", fallBack)
  worker.on("exit", fallBack)
  return {
    stop: async () => {
      stopping = true
      await worker.terminate()
    }
  }
}
