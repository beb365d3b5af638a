/**
 * The simulator's benchmark, printed as figures and ratios to the targets in one run:
 *   - API reads, `GET /contacts/{id}` per second (target ≥ 10,000/s), from a load generator in its own
 *     process with 64 keep-alive connections, side by side with a bare `node:http` server answering
 *     the same bytes (the ceiling of this machine and load generator) and with the same answer from a
 *     one-route `effect/http` server (the floor of the stack the twin is built on), each server in its
 *     own process, in blocks A B C C B A A B C so drift on a shared machine falls on all three: the
 *     twin's share of the ceiling is the ratio to watch. Each block also reads its server's CPU time
 *     (`process.cpuUsage()`, see `Measured.ts`) over the requests it answered: CPU µs per request is
 *     steady however loaded the machine is, and 1,000,000 / µs is what one core answers per second;
 *   - API writes, `POST /contacts` per second, and their CPU µs;
 *   - signed webhook deliveries per second to a local receiver (target ≥ 2,000/s): each is a state
 *     change (a contact created), its notification rendered, signed with sha1 and sha256, POSTed,
 *     answered; the receiver runs in its own process; CPU µs per delivery of both sides;
 *   - memory with 100,000 stored contacts, in a fresh process after a full GC.
 * `pnpm --filter @taskjuice/intercom-simulator bench [--json]`
 *
 * Figures, on 2 cores shared with other engineers' test runs (medians of 3 blocks; CPU µs per request
 * of the server process; req/s of one load generator on the same 2 cores):
 *
 *                                 before (the rebuild)      after (this pipeline)
 *   load average                  23                        10
 *   GET: twin CPU / request       206 µs  (1,186/s)         190 µs  (2,004/s)
 *        bare node:http           94 µs   (2,650/s)         83 µs   (2,587/s)
 *        effect/http floor        171 µs  (1,322/s)         127 µs  (2,135/s)
 *        twin / bare, req/s       0.45×                     0.77×
 *        twin / bare, CPU         2.20×                     2.28×
 *   POST /contacts CPU            474 µs                    480 µs
 *   deliveries                    680/s, 546 µs CPU each    1,135/s, 580 µs CPU each
 *
 * Over sockets the blocks swing by ±30 % with the machine's load, more than any change here moved
 * them. The request's JavaScript alone (the server's request listener driven in-process without
 * sockets, 50,000 GETs, fastest of 5 rounds, three interleaved runs) went from 17-27 µs to 13-27 µs,
 * the one-route floor's being 11-14 µs: the twin's own work is a few µs of the ~190; the rest is
 * node:http and the kernel (the bare server's ~85 µs) and effect/http's request fiber, scope and
 * response (the floor's ~40 µs more), and the twin's larger heap (62-71 MB, against the floor's
 * 32 MB: 25-50 µs of its CPU per request is off the main thread, GC helpers, against 13-28 µs).
 * What the CPU figures imply for a quiet machine: the twin is one event loop, so 10,000 GETs a second
 * need at most 100 µs each; at ~190 µs it answers ~5,300 a second per core (the bare server ~12,000),
 * so the target is not met on this machine and needs the twin's cost roughly halved, most of which is
 * the stack beneath it. At ~580 µs per delivery (the change, its view, JSON, two HMACs, the POST) one
 * core makes ~1,700 a second: 0.86× of the 2,000 target.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { availableParallelism, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { median } from "@taskjuice/intercom-testkit"
import { startSimulator } from "../src/index.ts"

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const json = process.argv.includes("--json")
const readsTarget = 10_000
const deliveriesTarget = 2_000
const deliveries = 20_000
const storedContacts = 100_000
const loadSeconds = "4"
const concurrency = "64"
const rounds = 3

/** The lines a child prints, one at a time, in order. */
const lineReader = (child: ChildProcess) => {
  const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = []
  const ready: Array<string> = []
  let exited: Error | undefined
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const waiter = waiting.shift()
    if (waiter === undefined) ready.push(line)
    else waiter.resolve(line)
  })
  child.once("exit", (code) => {
    exited = new Error(`benchmark child ${child.spawnargs.slice(1).join(" ")} exited with ${code}`)
    for (const waiter of waiting.splice(0)) waiter.reject(exited)
  })
  return (): Promise<string> => {
    const line = ready.shift()
    if (line !== undefined) return Promise.resolve(line)
    if (exited !== undefined) return Promise.reject(exited)
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
  }
}

const runChild = async (args: ReadonlyArray<string>): Promise<Record<string, unknown>> => {
  const child = spawn(process.execPath, [...args], { stdio: ["ignore", "pipe", "inherit"] })
  return JSON.parse(await lineReader(child)()) as Record<string, unknown>
}

interface Measured<A> {
  readonly value: A
  /** The server's CPU time (user + system) while `work` ran. */
  readonly cpuMicros: number
}

/** A server in its own process (`Measured.ts`): its ready line, and its CPU time over some work. */
const serving = async <Ready extends { readonly url: string }>(args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [...args], { stdio: ["pipe", "pipe", "inherit"] })
  process.on("exit", () => child.kill())
  const next = lineReader(child)
  const ready = JSON.parse(await next()) as Ready
  const ask = async (command: string) => {
    child.stdin!.write(`${command}\n`)
    return JSON.parse(await next()) as { user?: number; system?: number }
  }
  return {
    ...ready,
    measured: async <A>(work: () => Promise<A>): Promise<Measured<A>> => {
      await ask("mark")
      const value = await work()
      const cpu = await ask("cpu")
      return { value, cpuMicros: (cpu.user ?? 0) + (cpu.system ?? 0) }
    },
    stop: () => child.stdin!.end()
  }
}

interface LoadResult {
  readonly completed: number
  readonly failed: number
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
}

const load = (url: string, token: string, mode: "read" | "write", contactId: string) =>
  runChild([
    here("./LoadGenerator.ts"),
    url,
    token,
    mode,
    loadSeconds,
    concurrency,
    contactId
  ]) as Promise<unknown> as Promise<LoadResult>

interface Block extends LoadResult {
  /** Server CPU µs per answered request. */
  readonly cpuPerRequest: number
}

const block = ({ value, cpuMicros }: Measured<LoadResult>): Block => ({
  ...value,
  cpuPerRequest: cpuMicros / Math.max(1, value.completed + value.failed)
})

// ── the twin, the bare server and the effect/http floor, each in its own process ───────────
const twin = await serving<{ url: string; token: string; contactId: string }>([here("./TwinServer.ts")])
const { token, contactId } = twin
const sampleBody = await (
  await fetch(`${twin.url}/contacts/${contactId}`, { headers: { authorization: `Bearer ${token}` } })
).text()
const scratch = mkdtempSync(join(tmpdir(), "intercom-sim-bench-"))
writeFileSync(join(scratch, "contact.json"), sampleBody)
const bare = await serving<{ url: string }>([here("./BareServer.ts"), join(scratch, "contact.json")])
const floor = await serving<{ url: string }>([here("./EffectFloorServer.ts"), join(scratch, "contact.json")])

const servers = { twin, bare, floor }
type Side = keyof typeof servers
const reads: Record<Side, Array<Block>> = { twin: [], bare: [], floor: [] }
for (const server of Object.values(servers)) await load(server.url, token, "read", contactId) // warm-up: JIT, sockets
const sides: ReadonlyArray<Side> = ["twin", "bare", "floor"]
for (let round = 0; round < rounds; round++) {
  for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
    const server = servers[side]
    reads[side].push(block(await server.measured(() => load(server.url, token, "read", contactId))))
  }
}
const writes = block(await twin.measured(() => load(twin.url, token, "write", contactId)))
bare.stop()
floor.stop()
twin.stop()
rmSync(scratch, { recursive: true, force: true })

// ── signed deliveries: the simulator in this process, the receiver in its own ──────────────
const receiver = await serving<{ url: string }>([here("./Receiver.ts")])
const hooks = await startSimulator({
  clientSecret: "bench-client-secret",
  webhookUrls: [receiver.url],
  rateLimitPerMinute: Number.POSITIVE_INFINITY,
  keepDeliveries: 2_000,
  seed: "bench"
})
await hooks.trigger("contact.user.created", { count: 1_000 }) // warm-up: JIT, sockets
const batches = 10
const delivered = await receiver.measured(async () => {
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  for (let batch = 0; batch < batches; batch++) {
    await hooks.trigger("contact.user.created", { count: deliveries / batches })
  }
  const cpu = process.cpuUsage(cpuBefore)
  return { seconds: (performance.now() - started) / 1000, simulatorCpuMicros: cpu.user + cpu.system }
})
const deliverySeconds = delivered.value.seconds
const failedDeliveries = hooks.deliveries({ limit: 2_000 }).filter((delivery) => !delivery.ok).length
const deliveriesPerSecond = deliveries / deliverySeconds
await hooks.close()
receiver.stop()

// ── memory ─────────────────────────────────────────────────────────────────────────────────
const memory = (await runChild(["--expose-gc", here("./Memory.ts"), String(storedContacts)])) as {
  contacts: number
  heapBytes: number
  rssBytes: number
  fillSeconds: number
  lastPageMs: number
}

const medianOf = (side: Side, key: keyof Block) => median(reads[side].map((result) => result[key]))
const summary = (side: Side) => ({
  perSecond: medianOf(side, "perSecond"),
  cpuPerRequest: medianOf(side, "cpuPerRequest"),
  perCore: 1_000_000 / medianOf(side, "cpuPerRequest"),
  p50: medianOf(side, "p50"),
  p99: medianOf(side, "p99"),
  failed: reads[side].reduce((sum, result) => sum + result.failed, 0)
})
const twinReads = summary("twin")
const bareReads = summary("bare")
const floorReads = summary("floor")
const deliveryCpu = delivered.value.simulatorCpuMicros / deliveries
const results = {
  node: process.version,
  cpus: availableParallelism(),
  loadAverage: loadavg()[0] ?? 0,
  apiReads: {
    ...twinReads,
    target: readsTarget,
    ratio: twinReads.perSecond / readsTarget,
    perCoreRatio: twinReads.perCore / readsTarget,
    bare: bareReads,
    effectFloor: floorReads,
    ofBare: twinReads.perSecond / bareReads.perSecond,
    cpuOfBare: twinReads.cpuPerRequest / bareReads.cpuPerRequest,
    floorOfBare: floorReads.perSecond / bareReads.perSecond,
    blocks: reads
  },
  apiWrites: writes,
  deliveries: {
    count: deliveries,
    seconds: deliverySeconds,
    perSecond: deliveriesPerSecond,
    failed: failedDeliveries,
    target: deliveriesTarget,
    ratio: deliveriesPerSecond / deliveriesTarget,
    cpuPerDelivery: deliveryCpu,
    receiverCpuPerDelivery: delivered.cpuMicros / deliveries,
    perCore: 1_000_000 / deliveryCpu,
    perCoreRatio: 1_000_000 / deliveryCpu / deliveriesTarget
  },
  memory: { ...memory, bytesPerContact: memory.heapBytes / memory.contacts }
}

if (json) {
  console.log(JSON.stringify(results, null, 2))
} else {
  const number = (value: number) => Math.round(value).toLocaleString("en-US")
  const micros = (value: number) => `${value.toFixed(0)} µs`
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  const row = (metric: string, measured: string, target = "—", ratio = "—") =>
    console.log(`${metric.padEnd(60)}${measured.padStart(14)}${target.padStart(12)}${ratio.padStart(10)}`)
  const { apiReads } = results
  const readRow = (label: string, side: typeof twinReads) => {
    row(`${label} (p50 ${side.p50.toFixed(1)} ms, p99 ${side.p99.toFixed(1)})`, `${number(side.perSecond)}/s`)
    row("    server CPU per request", micros(side.cpuPerRequest))
  }
  console.log(
    `Intercom simulator benchmark (node ${process.version}, ${results.cpus} CPUs, load average ${results.loadAverage.toFixed(1)})`
  )
  row("metric", "measured", "target", "ratio")
  row(
    `API GET /contacts/{id}, the twin (p50 ${apiReads.p50.toFixed(1)} ms, p99 ${apiReads.p99.toFixed(1)})`,
    `${number(apiReads.perSecond)}/s`,
    `${number(readsTarget)}/s`,
    `${apiReads.ratio.toFixed(2)}×`
  )
  row("    server CPU per request", micros(apiReads.cpuPerRequest))
  row(
    "    one core at that CPU cost (1,000,000 / µs)",
    `${number(apiReads.perCore)}/s`,
    `${number(readsTarget)}/s`,
    `${apiReads.perCoreRatio.toFixed(2)}×`
  )
  readRow("  bare node:http, same bytes", apiReads.bare)
  readRow("  one-route effect/http server, same bytes", apiReads.effectFloor)
  row("  twin / bare, req/s (same load generator, A B C C B A A B C)", `${apiReads.ofBare.toFixed(2)}×`)
  row("  twin / bare, CPU per request", `${apiReads.cpuOfBare.toFixed(2)}×`)
  row("  effect/http floor / bare, req/s", `${apiReads.floorOfBare.toFixed(2)}×`)
  row(
    `API POST /contacts (p50 ${writes.p50.toFixed(1)} ms, p99 ${writes.p99.toFixed(1)})`,
    `${number(writes.perSecond)}/s`
  )
  row("    server CPU per request", micros(writes.cpuPerRequest))
  row(
    `signed webhook deliveries (${number(deliveries)}, both sigs)`,
    `${number(deliveriesPerSecond)}/s`,
    `${number(deliveriesTarget)}/s`,
    `${results.deliveries.ratio.toFixed(2)}×`
  )
  row("    simulator CPU per delivery (change, render, sign, send)", micros(deliveryCpu))
  row("    receiver CPU per delivery", micros(results.deliveries.receiverCpuPerDelivery))
  row(
    "    one core at that CPU cost (1,000,000 / µs)",
    `${number(results.deliveries.perCore)}/s`,
    `${number(deliveriesTarget)}/s`,
    `${results.deliveries.perCoreRatio.toFixed(2)}×`
  )
  row(`memory, ${number(memory.contacts)} contacts: heap`, mb(memory.heapBytes))
  row("  per contact", `${number(results.memory.bytesPerContact)} B`)
  row("  RSS growth", mb(memory.rssBytes))
  row(`  GET /contacts last page of ${number(memory.contacts)}`, `${memory.lastPageMs.toFixed(1)} ms`)
  if (failedDeliveries > 0 || apiReads.failed > 0 || writes.failed > 0) {
    console.log(`failures: ${failedDeliveries} deliveries, ${apiReads.failed} reads, ${writes.failed} writes`)
  }
}
process.exit(0)
