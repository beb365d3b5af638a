/**
 * `pnpm taskjuice serve --workers N`: N host processes over one shared state, sharing the listening ports
 * through `node:cluster` (the primary accepts and hands connections round-robin, so any delivery or
 * action lands on any worker). The primary only supervises: it starts the workers, prints one
 * `listening` line when all are up, starts a replacement for a worker that dies after it was serving
 * (what it kept is in the shared state, so nothing is lost), and stops them all on SIGINT or SIGTERM.
 * A worker exits when its primary goes away, and the primary when its own parent does (if it has an
 * IPC channel to it, as tests start it), so no process outlives the run that started it.
 */
import cluster, { type Worker } from "node:cluster"

/** What a worker tells its primary once its host is listening. */
export interface WorkerListening {
  readonly event: "listening"
  readonly url: string
  readonly publicUrl: string
  readonly webhookUrl: string
  readonly redirectUri: string
  readonly pid: number
}

const isListening = (message: unknown): message is WorkerListening =>
  typeof message === "object" && message !== null && (message as { event?: unknown }).event === "listening"

const stopGraceMillis = 10_000

/** Runs `stop` (then exits) when the process that started this one goes away, if it can tell. */
export const exitWithParent = (stop: () => void): void => {
  if (process.channel === undefined) return
  process.once("disconnect", stop)
  // The channel must not keep this process alive on its own.
  process.channel.unref()
}

/**
 * The primary: forks `count` workers (each runs this same command, and `serve` starts a host when it
 * runs as a worker), prints the first worker's addresses and every pid once all listen, and keeps the
 * count until it is told to stop.
 */
export const runPrimary = (options: {
  readonly count: number
  readonly writeLine: (entry: Record<string, unknown>) => void
}): Promise<void> =>
  new Promise((resolve) => {
    const listening = new Map<number, WorkerListening>()
    let ready = false
    let stopping = false
    const fork = () => cluster.fork()

    const stop = (code: number) => {
      if (stopping) return
      stopping = true
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker)
      const killer = setTimeout(() => {
        for (const worker of workers) worker.process.kill("SIGKILL")
      }, stopGraceMillis)
      killer.unref()
      let left = workers.filter((worker) => !worker.isDead()).length
      const done = () => {
        clearTimeout(killer)
        resolve()
        process.exit(code)
      }
      if (left === 0) return done()
      cluster.on("exit", () => {
        left--
        if (left <= 0) done()
      })
      for (const worker of workers) worker.process.kill("SIGTERM")
    }

    cluster.on("message", (worker, message) => {
      if (!isListening(message)) return
      listening.set(worker.id, message)
      if (ready) {
        options.writeLine({ event: "worker-started", pid: message.pid })
        return
      }
      if (listening.size < options.count) return
      ready = true
      const first = [...listening.values()][0] as WorkerListening
      const { pid: _, ...addresses } = first
      options.writeLine({ ...addresses, workers: [...listening.values()].map((worker) => worker.pid) })
    })
    cluster.on("exit", (worker, code, signal) => {
      if (stopping) return
      const wasServing = listening.delete(worker.id)
      options.writeLine({ event: "worker-exited", pid: worker.process.pid, code, signal })
      // A worker that never got to serve (a bad flag, a port in use, an unreachable state) would fail
      // again: the whole command fails instead of restarting it in a loop.
      if (!wasServing) return stop(1)
      fork()
    })
    for (let index = 0; index < options.count; index++) fork()
    process.once("SIGINT", () => stop(0))
    process.once("SIGTERM", () => stop(0))
    exitWithParent(() => stop(0))
  })

/** In a worker: tells the primary the host listens, and stops when the primary goes away. */
export const reportToPrimary = (listening: WorkerListening, stop: () => void): void => {
  process.send?.(listening)
  cluster.worker?.once("disconnect", stop)
}

export const isWorker = (): boolean => cluster.isWorker
