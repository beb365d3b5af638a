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
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateStateKey } from "@taskjuice/intercom-state"
import { startRedisServer } from "@taskjuice/intercom-testkit"
import * as Redacted from "effect/Redacted"
import { spawnServe, stopAll } from "../src/testing/SpawnHost.ts"
import { saveConnection } from "../src/testing/State.ts"
import { sendDeliveries } from "./deliveries.ts"

const deliveries = Number(process.env.BENCH_DELIVERIES ?? 4_000)
const warmup = 400
const concurrency = 32
const secretText = "workers-bench-client-secret"
const secret = Redacted.make(secretText)
const workspaceId = "benchws3"
const key = generateStateKey()

const round = async (location: string, workers: number, label: string) => {
  await saveConnection(location, key, {
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
  const blast = async (prefix: string, count: number) => {
    const { seconds } = await sendDeliveries(host.webhookUrl, {
      prefix,
      count,
      concurrency,
      secret,
      workspaceId
    })
    return count / seconds
  }
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
    await blast(`${label}_warm`, warmup)
    return await blast(label, deliveries)
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
  for (const [name, locationOf] of [
    ["sqlite", (n: number) => `sqlite:${join(dir, `state-${n}.sqlite`)}`],
    ["redis", (n: number) => `redis://${redis.host}:${redis.port}/${n}`]
  ] as const) {
    const rates = new Map<number, number>()
    for (const workers of [1, 2, 3])
      rates.set(workers, await round(locationOf(workers), workers, `${name}_${workers}`))
    const one = rates.get(1) ?? Number.NaN
    const cells = [...rates].map(
      ([workers, rate]) =>
        `${workers} worker${workers === 1 ? " " : "s"} ${rate.toFixed(0).padStart(6)}/s${workers === 1 ? "         " : ` (${(rate / one).toFixed(2)}×)`}`
    )
    console.log(`  ${name.padEnd(7)} ${cells.join("   ")}`)
  }
} finally {
  await stopAll()
  await redis.stop()
  await rm(dir, { recursive: true, force: true })
}
