/**
 * Acknowledgement latency of the webhook endpoint: 10,000 signed deliveries at concurrency 50 against
 * the bundle host (a process of its own, one connected workspace, every delivery new, so each one is
 * verified, checked, decoded, routed and kept in the inbox with its dedupe mark before the 200) and,
 * side by side in the same run, against the floor: a bare node:http server that only checks the same
 * signature and answers 200. Rounds alternate host and floor (ABBA), so drift on a shared machine hits
 * both alike. The host keeps its state where `serve` does by default, a SQLite file (here a temporary
 * one); `BENCH_STATE=memory` measures the memory backend instead.
 *
 * Run: node bench/acknowledgement.bench.ts   (BENCH_DELIVERIES=<n> to change the count per side)
 * Prints p50, p99 and throughput per side and the ratio host / floor; target: p99 ratio ≤ 2. It also
 * prints each server's CPU time per delivery (from /proc), which a busy machine disturbs far less
 * than the latencies, and the sender's own CPU per delivery: on a 2-core machine the sender, not the
 * floor, sets the floor's pace.
 */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { generateStateKey } from "@taskjuice/intercom-state"
import * as Redacted from "effect/Redacted"
import { spawnHost } from "../src/testing/SpawnHost.ts"
import { sendDeliveries } from "./deliveries.ts"

const deliveries = Number(process.env.BENCH_DELIVERIES ?? 10_000)
const concurrency = 50
const rounds = 4
const warmup = 500
const secretText = "bench-client-secret"
const secret = Redacted.make(secretText)
const workspaceId = "benchws1"

const run = (url: string, prefix: string, count: number) =>
  sendDeliveries(url, { prefix, count, concurrency, secret, workspaceId })

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0

/** A process's user and system CPU time so far, in microseconds (Linux's /proc; 0 elsewhere). */
const cpuMicros = (pid: number | undefined): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100
  } catch {
    return 0
  }
}

const startFloor = () =>
  new Promise<{ url: string; pid: number | undefined; stop: () => void }>((resolve) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./floor-server.ts", import.meta.url)), secretText],
      {
        stdio: ["ignore", "pipe", "inherit", "ipc"]
      }
    )
    child.channel?.unref()
    child.stdout?.once("data", (chunk: Buffer) =>
      resolve({
        url: (JSON.parse(chunk.toString()) as { url: string }).url,
        pid: child.pid,
        stop: () => child.kill("SIGTERM")
      })
    )
  })

const backend = process.env.BENCH_STATE === "memory" ? "memory" : "sqlite"
const stateDir = await mkdtemp(join(tmpdir(), "taskjuice-ack-bench-"))
const host = await spawnHost(
  {
    clientSecret: secretText,
    runtimeToken: "bench-runtime-token-0123456789",
    workspaceId,
    state: backend === "memory" ? "memory" : `sqlite:${join(stateDir, "state.sqlite")}`,
    // Room for every delivery of the run: nothing consumes them.
    limits: { activationBytes: 2 * 1024 * 1024 * 1024 }
  },
  { env: { TASKJUICE_STATE_KEY: generateStateKey() }, keepLines: false }
)
const floor = await startFloor()
const sides = { host: host.webhookUrl, floor: floor.url } as const
const pids = { host: host.pid, floor: floor.pid } as const
try {
  await run(sides.host, "warm_host", warmup)
  await run(sides.floor, "warm_floor", warmup)
  const samples = { host: [] as Array<number>, floor: [] as Array<number> }
  const seconds = { host: 0, floor: 0 }
  const cpu = { host: 0, floor: 0 }
  const senderCpu = { host: 0, floor: 0 }
  const perRound = Math.ceil(deliveries / rounds)
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (["host", "floor"] as const) : (["floor", "host"] as const)
    for (const side of order) {
      const cpuBefore = cpuMicros(pids[side])
      const senderBefore = process.cpuUsage()
      const result = await run(sides[side], `${side}_${round}`, perRound)
      cpu[side] += cpuMicros(pids[side]) - cpuBefore
      const sender = process.cpuUsage(senderBefore)
      senderCpu[side] += sender.user + sender.system
      samples[side].push(...result.latencies)
      seconds[side] += result.seconds
    }
  }
  const summary = (side: "host" | "floor") => {
    const sorted = [...samples[side]].sort((a, b) => a - b)
    return {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      perSecond: sorted.length / seconds[side],
      cpuPerDelivery: cpu[side] / sorted.length,
      senderCpuPerDelivery: senderCpu[side] / sorted.length
    }
  }
  const ours = summary("host")
  const base = summary("floor")
  const row = (name: string, s: typeof ours) =>
    `${name.padEnd(34)} p50 ${s.p50.toFixed(2).padStart(6)} ms   p99 ${s.p99.toFixed(2).padStart(6)} ms   ${s.perSecond.toFixed(0).padStart(6)}/s   CPU ${s.cpuPerDelivery.toFixed(0).padStart(4)} µs/delivery`
  console.log(
    `Acknowledgement latency, ${samples.host.length} signed deliveries per side at concurrency ${concurrency}`
  )
  console.log(row(`bundle host (effect/http, ${backend})`, ours))
  console.log(row("floor (bare node:http + HMAC)", base))
  // The sender shares the machine: what it spends is CPU neither server had.
  console.log(
    `sender (this process) CPU per delivery: ${ours.senderCpuPerDelivery.toFixed(0)} µs in the host's rounds, ${base.senderCpuPerDelivery.toFixed(0)} µs in the floor's`
  )
  console.log(
    `ratio host/floor: p50 ${(ours.p50 / base.p50).toFixed(2)}×   p99 ${(ours.p99 / base.p99).toFixed(2)}× (target ≤ 2)   throughput ${(ours.perSecond / base.perSecond).toFixed(2)}×   CPU ${(ours.cpuPerDelivery / base.cpuPerDelivery).toFixed(2)}×`
  )
} finally {
  floor.stop()
  await host.stop()
  await rm(stateDir, { recursive: true, force: true })
}
