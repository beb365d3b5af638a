/**
 * Accepted deliveries per second on the shared backends, with 1, 2 and 3 worker processes.
 *
 * Run: node bench/inbox.bench.ts (or `pnpm bench`)   BENCH_DELIVERIES=<per worker, default 1500>
 *
 * Each worker is its own process with its own layer over one state (this run's redis-server, or one
 * SQLite file), and accepts deliveries as the webhook endpoint does before it answers 200: one atomic
 * `ActivationInbox.accept` (dedupe mark and one activation carrying a real notification envelope), 8 in
 * flight per worker. The workers start together; reported: deliveries accepted per second over the
 * wall time of the slowest, and the ratio to one worker.
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { webhookFixtureUrl } from "@taskjuice/intercom-core"
import { startRedisServer } from "@taskjuice/intercom-testkit"
import * as Effect from "effect/Effect"
import {
  ActivationInbox,
  generateStateKey,
  parseStateKeys,
  parseStateLocation,
  State,
  StateLocationError
} from "../src/index.ts"

const perWorker = Number(process.env.BENCH_DELIVERIES ?? 1500)
const workerFlag = "--worker"

/** A worker: waits for "go" on stdin, accepts its deliveries, prints the milliseconds it took. */
const work = async (location: string, key: string, index: string) => {
  const parsed = parseStateLocation(location)
  if (parsed instanceof StateLocationError) throw parsed
  const payload = JSON.parse(readFileSync(webhookFixtureUrl("conversation.user.replied"), "utf8")) as unknown
  const layer = State.layer({
    location: parsed,
    keys: parseStateKeys(key),
    limits: { maxRecords: 1_000_000 }
  })
  const program = Effect.gen(function* () {
    const inbox = yield* ActivationInbox
    const deliver = (from: number, count: number) =>
      Effect.forEach(
        Array.from({ length: count }, (_, n) => from + n),
        (n) =>
          inbox.accept({
            dedupeKey: `ws_a:notif_${index}_${n}`,
            expiresAtMillis: Date.now() + 900_000,
            activations: [
              {
                triggerKey: "intercom/conversation-user-replied",
                connectionId: "conn_1",
                workspaceId: "ws_a",
                topic: "conversation.user.replied",
                notificationId: `notif_${index}_${n}`,
                dedupeKey: `notif_${index}_${n}:conn_1:intercom/conversation-user-replied`,
                receivedAt: new Date().toISOString(),
                payload
              }
            ]
          }),
        { concurrency: 8, discard: true }
      )
    // Warm up (JIT, connections, scripts) before the measured deliveries.
    yield* deliver(perWorker, 200)
    process.stdout.write("ready\n")
    yield* Effect.promise(() => once(process.stdin, "data"))
    const started = performance.now()
    yield* deliver(0, perWorker)
    process.stdout.write(`${performance.now() - started}\n`)
  })
  await Effect.runPromise(Effect.provide(program, layer))
  process.exit(0)
}

const lines = (stream: NodeJS.ReadableStream) => {
  const queue: Array<string> = []
  const waiting: Array<(line: string) => void> = []
  let buffer = ""
  stream.setEncoding("utf8")
  stream.on("data", (chunk: string) => {
    buffer += chunk
    for (let at = buffer.indexOf("\n"); at >= 0; at = buffer.indexOf("\n")) {
      const line = buffer.slice(0, at)
      buffer = buffer.slice(at + 1)
      const next = waiting.shift()
      if (next === undefined) queue.push(line)
      else next(line)
    }
  })
  return () =>
    new Promise<string>((resolve) =>
      queue.length > 0 ? resolve(queue.shift() as string) : waiting.push(resolve)
    )
}

const round = async (location: string, key: string, workers: number) => {
  const children = Array.from({ length: workers }, (_, index) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), workerFlag, location, key, String(index)],
      {
        stdio: ["pipe", "pipe", "inherit"]
      }
    )
    return { child, next: lines(child.stdout) }
  })
  for (const { next } of children) await next()
  for (const { child } of children) child.stdin.write("go\n")
  const took = await Promise.all(children.map(async ({ next }) => Number(await next())))
  await Promise.all(children.map(({ child }) => (child.exitCode === null ? once(child, "exit") : undefined)))
  return (workers * perWorker) / (Math.max(...took) / 1000)
}

const main = async () => {
  const redis = await startRedisServer()
  const dir = await mkdtemp(join(tmpdir(), "taskjuice-inbox-bench-"))
  const key = generateStateKey()
  try {
    console.log(
      `\nAccepted deliveries per second (${perWorker} per worker, 8 in flight each; workers are processes)`
    )
    console.log("backend   1 worker   2 workers  ratio   3 workers  ratio")
    for (const [name, locationOf] of [
      ["sqlite", (n: number) => `sqlite:${join(dir, `state-${n}.sqlite`)}`],
      ["redis", (n: number) => `redis://${redis.host}:${redis.port}/${n}`]
    ] as const) {
      const rates: Array<number> = []
      for (const workers of [1, 2, 3]) rates.push(await round(locationOf(workers), key, workers))
      const [one = 0, two = 0, three = 0] = rates
      console.log(
        `${name.padEnd(8)}${one.toFixed(0).padStart(9)}${two.toFixed(0).padStart(12)}${(two / one).toFixed(2).padStart(7)}${three.toFixed(0).padStart(12)}${(three / one).toFixed(2).padStart(7)}`
      )
    }
  } finally {
    await redis.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv.includes(workerFlag)) {
  const [location = "", key = "", index = "0"] = process.argv.slice(process.argv.indexOf(workerFlag) + 1)
  await work(location, key, index)
} else await main()
