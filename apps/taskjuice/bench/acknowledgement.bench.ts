/**
 * Acknowledgement latency of the webhook endpoint: 10,000 signed deliveries at concurrency 50 against
 * the bundle host (a process of its own, one connected workspace, every delivery new, so each one is
 * verified, checked, decoded, de-duplicated, routed and recorded) and, side by side in the same run,
 * against the floor: a bare node:http server that only checks the same signature and answers 200.
 * Rounds alternate host and floor (ABBA), so drift on a shared machine hits both alike.
 *
 * Run: node bench/acknowledgement.bench.ts   (BENCH_DELIVERIES=<n> to change the count per side)
 * Prints p50, p99 and throughput per side and the ratio host / floor; target: p99 ratio ≤ 2.
 */
import { spawn } from "node:child_process"
import { Agent, request } from "node:http"
import { fileURLToPath } from "node:url"
import { sign, signatureHeaders, webhookFixture } from "@taskjuice/intercom-core"
import * as Redacted from "effect/Redacted"
import { spawnHost } from "../src/testing/SpawnHost.ts"

const deliveries = Number(process.env.BENCH_DELIVERIES ?? 10_000)
const concurrency = 50
const rounds = 4
const warmup = 500
const secretText = "bench-client-secret"
const secret = Redacted.make(secretText)
const workspaceId = "benchws1"

const body = (id: string) =>
  Buffer.from(JSON.stringify({ ...webhookFixture("conversation.user.created"), id, app_id: workspaceId }))

const deliver = (agent: Agent, url: string, bytes: Buffer) =>
  new Promise<number>((resolve, reject) => {
    const started = performance.now()
    const outgoing = request(
      url,
      {
        agent,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(bytes.byteLength),
          [signatureHeaders.sha1]: sign(bytes, secret, "sha1")
        }
      },
      (response) => {
        response.resume()
        response.on("end", () =>
          response.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`HTTP ${response.statusCode}`))
        )
      }
    )
    outgoing.on("error", reject)
    outgoing.end(bytes)
  })

const run = async (url: string, prefix: string, count: number) => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const bodies = Array.from({ length: count }, (_, index) => body(`notif_${prefix}_${index}`))
  const latencies: Array<number> = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) latencies.push(await deliver(agent, url, bodies[next++]!))
    })
  )
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  return { latencies, seconds }
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0

const startFloor = () =>
  new Promise<{ url: string; stop: () => void }>((resolve) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./floor-server.ts", import.meta.url)), secretText],
      {
        stdio: ["ignore", "pipe", "inherit"]
      }
    )
    child.stdout.once("data", (chunk: Buffer) =>
      resolve({
        url: (JSON.parse(chunk.toString()) as { url: string }).url,
        stop: () => child.kill("SIGTERM")
      })
    )
  })

const host = await spawnHost({
  clientSecret: secretText,
  runtimeToken: "bench-runtime-token-0123456789",
  workspaceId
})
const floor = await startFloor()
const sides = { host: host.webhookUrl, floor: floor.url } as const
try {
  await run(sides.host, "warm_host", warmup)
  await run(sides.floor, "warm_floor", warmup)
  const samples = { host: [] as Array<number>, floor: [] as Array<number> }
  const seconds = { host: 0, floor: 0 }
  const perRound = Math.ceil(deliveries / rounds)
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (["host", "floor"] as const) : (["floor", "host"] as const)
    for (const side of order) {
      const result = await run(sides[side], `${side}_${round}`, perRound)
      samples[side].push(...result.latencies)
      seconds[side] += result.seconds
    }
  }
  const summary = (side: "host" | "floor") => {
    const sorted = [...samples[side]].sort((a, b) => a - b)
    return {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      perSecond: sorted.length / seconds[side]
    }
  }
  const ours = summary("host")
  const base = summary("floor")
  const row = (name: string, s: typeof ours) =>
    `${name.padEnd(34)} p50 ${s.p50.toFixed(2).padStart(6)} ms   p99 ${s.p99.toFixed(2).padStart(6)} ms   ${s.perSecond.toFixed(0).padStart(6)}/s`
  console.log(
    `Acknowledgement latency, ${samples.host.length} signed deliveries per side at concurrency ${concurrency}`
  )
  console.log(row("bundle host (effect/http)", ours))
  console.log(row("floor (bare node:http + HMAC)", base))
  console.log(
    `ratio host/floor: p50 ${(ours.p50 / base.p50).toFixed(2)}×   p99 ${(ours.p99 / base.p99).toFixed(2)}× (target ≤ 2)   throughput ${(ours.perSecond / base.perSecond).toFixed(2)}×`
  )
} finally {
  floor.stop()
  await host.stop()
}
