/**
 * Acknowledged deliveries per second through `pnpm taskjuice serve --workers N` (N = 1, 2, 3), on the
 * SQLite default and on Redis, side by side in one run. Each round starts the command on a state of
 * its own (a fresh SQLite file, or a Redis database of this run's redis-server) holding one connected
 * workspace, warms it up, then sends signed deliveries of unique notifications at a fixed concurrency
 * over keep-alive connections (the cluster spreads them over the workers); each answer is a 200 that
 * came only after the inbox kept the delivery. Reported: deliveries per second, and the ratio to one
 * worker on the same backend. On a machine with fewer cores than workers plus the load, more workers
 * share the same cores, and the ratio says what that costs or gains.
 *
 * Run: node bench/workers.bench.ts   BENCH_DELIVERIES=<per round, default 4000>
 */
import { mkdtemp, rm } from "node:fs/promises"
import { Agent, request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sign, signatureHeaders } from "@taskjuice/intercom-core"
import {
  ConnectionStore,
  generateStateKey,
  parseStateKeys,
  parseStateLocation,
  State,
  StateKeyError,
  StateLocationError
} from "@taskjuice/intercom-state"
import { startRedisServer } from "@taskjuice/intercom-testkit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { notificationNow } from "../src/testing/Deliveries.ts"
import { spawnServe, stopAll } from "../src/testing/SpawnHost.ts"

const deliveries = Number(process.env.BENCH_DELIVERIES ?? 4_000)
const warmup = 400
const concurrency = 32
const secretText = "workers-bench-client-secret"
const secret = Redacted.make(secretText)
const workspaceId = "benchws3"
const key = generateStateKey()

/** One connected workspace in the state, saved as a connect would. */
const seed = async (location: string) => {
  const parsed = parseStateLocation(location)
  const keys = parseStateKeys(key)
  if (parsed instanceof StateLocationError || keys instanceof StateKeyError)
    throw new Error("bad bench state")
  await Effect.runPromise(
    Effect.gen(function* () {
      yield* (yield* ConnectionStore).save({
        id: "conn_bench",
        workspaceId,
        workspaceName: "Bench",
        adminId: "1",
        adminEmail: null,
        region: "us",
        apiBaseUrl: "http://127.0.0.1:9",
        accessToken: Redacted.make("workers-bench-token"),
        status: "active",
        connectedAt: new Date().toISOString()
      })
    }).pipe(Effect.provide(State.layer({ location: parsed, keys })))
  )
}

const signed = (id: string) => {
  const body = Buffer.from(
    JSON.stringify(notificationNow("conversation.user.created", { id, app_id: workspaceId }))
  )
  return { body, signature: sign(body, secret, "sha1") }
}

const deliver = (agent: Agent, url: string, delivery: ReturnType<typeof signed>) =>
  new Promise<void>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        agent,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(delivery.body.byteLength),
          [signatureHeaders.sha1]: delivery.signature
        }
      },
      (response) => {
        response.resume()
        response.on("end", () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`))
        )
      }
    )
    outgoing.on("error", reject)
    outgoing.end(delivery.body)
  })

/** Deliveries per second for `count` unique deliveries at the bench's concurrency. */
const blast = async (url: string, prefix: string, count: number) => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const bodies = Array.from({ length: count }, (_, index) => signed(`notif_${prefix}_${index}`))
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await deliver(agent, url, bodies[next++]!)
    })
  )
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  return count / seconds
}

const round = async (location: string, workers: number, label: string) => {
  await seed(location)
  const host = await spawnServe(
    ["--port", "0", "--workers", String(workers), "--state", location, "--client-id", "bench"],
    {
      env: {
        TASKJUICE_STATE_KEY: key,
        INTERCOM_CLIENT_SECRET: secretText,
        TASKJUICE_RUNTIME_TOKEN: "workers-bench-runtime-token",
        TASKJUICE_STATE: ""
      },
      startTimeoutMs: 120_000
    }
  )
  try {
    await blast(host.webhookUrl, `${label}_warm`, warmup)
    return await blast(host.webhookUrl, label, deliveries)
  } finally {
    await host.stop()
  }
}

const redis = await startRedisServer()
const dir = await mkdtemp(join(tmpdir(), "taskjuice-workers-bench-"))
try {
  console.log(
    `\nAcknowledged deliveries per second through serve --workers N (${deliveries} signed unique deliveries per round, concurrency ${concurrency}, after ${warmup} to warm up)`
  )
  console.log("backend   1 worker   2 workers  ratio   3 workers  ratio")
  for (const [name, locationOf] of [
    ["sqlite", (n: number) => `sqlite:${join(dir, `state-${n}.sqlite`)}`],
    ["redis", (n: number) => `redis://${redis.host}:${redis.port}/${n}`]
  ] as const) {
    const rates: Array<number> = []
    for (const workers of [1, 2, 3])
      rates.push(await round(locationOf(workers), workers, `${name}_${workers}`))
    const [one = 0, two = 0, three = 0] = rates
    console.log(
      `${name.padEnd(8)}${one.toFixed(0).padStart(9)}${two.toFixed(0).padStart(12)}${(two / one).toFixed(2).padStart(7)}${three.toFixed(0).padStart(12)}${(three / one).toFixed(2).padStart(7)}`
    )
  }
} finally {
  await stopAll()
  await redis.stop()
  await rm(dir, { recursive: true, force: true })
}
