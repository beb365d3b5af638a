/**
 * A real redis-server (Debian's package) for a test suite: started on a free loopback port in its own
 * temporary directory, with nothing persisted (`--save ''`, `--appendonly no`), ready once it answers
 * PING, and stopped (its directory removed) afterwards. Use it from vitest's `beforeAll`/`afterAll`:
 *
 *   let redis: RedisServer
 *   beforeAll(async () => { redis = await startRedisServer() })
 *   afterAll(() => redis.stop())
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { createServer, Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface RedisServer {
  readonly host: "127.0.0.1"
  readonly port: number
  /** `redis://127.0.0.1:PORT/0`. */
  readonly url: string
  readonly pid: number
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its directory; safe to call twice. */
  readonly stop: () => Promise<void>
}

export interface RedisServerOptions {
  /** Default `REDIS_SERVER` or `redis-server` on the PATH. */
  readonly binary?: string | undefined
  /** Extra `--name value` settings, e.g. `["--maxmemory", "10mb"]`. */
  readonly args?: ReadonlyArray<string> | undefined
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = new Socket()
    let reply = ""
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once("error", () => done(false))
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8")
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"))
    })
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"))
  })

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()))

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** Starts redis-server; fails with its own output when it does not come up within 10 s (3 ports tried). */
export const startRedisServer = async (options: RedisServerOptions = {}): Promise<RedisServer> => {
  const binary = options.binary ?? process.env.REDIS_SERVER ?? "redis-server"
  const dir = await mkdtemp(join(tmpdir(), "taskjuice-redis-"))
  let lastOutput = ""
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
        ...(options.args ?? [])
      ],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    child.stdout?.on("data", (chunk) => {
      output += chunk
    })
    child.stderr?.on("data", (chunk) => {
      output += chunk
    })
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve))
    let ready = false
    for (let poll = 0; poll < 100 && child.exitCode === null; poll++) {
      const outcome = await Promise.race([answersPing(port), spawnError])
      if (outcome instanceof Error) {
        await rm(dir, { recursive: true, force: true })
        throw new Error(
          `Cannot start ${binary} (${outcome.message}): install it with apt-get install redis-server`
        )
      }
      if (outcome) {
        ready = true
        break
      }
      await sleep(100)
    }
    if (ready && child.pid !== undefined) {
      let stopping: Promise<void> | undefined
      const stop = () => {
        stopping ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM")
            const killer = setTimeout(() => child.kill("SIGKILL"), 5000)
            await exited(child)
            clearTimeout(killer)
          }
          await rm(dir, { recursive: true, force: true })
        })()
        return stopping
      }
      return { host: "127.0.0.1", port, url: `redis://127.0.0.1:${port}/0`, pid: child.pid, stop }
    }
    lastOutput = output
    child.kill("SIGKILL")
    await exited(child)
  }
  await rm(dir, { recursive: true, force: true })
  throw new Error(`redis-server did not answer PING within 10 s:\n${lastOutput}`)
}
