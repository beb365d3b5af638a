/**
 * The simulator's benchmark, printed as figures and ratios to the targets in one run:
 *   - signed webhook deliveries per second to a local receiver (target ≥ 2,000/s): each is a state
 *     change (a contact created), its notification rendered, signed with sha1 and sha256, POSTed,
 *     answered; the receiver runs in its own process;
 *   - API requests per second (target ≥ 3,000/s), reads and writes, from a load generator in its own
 *     process with 64 keep-alive connections;
 *   - memory with 100,000 stored contacts, in a fresh process after a full GC.
 * `pnpm --filter @taskjuice/intercom-simulator bench [--json]`
 */
import { type ChildProcess, spawn } from "node:child_process"
import { availableParallelism } from "node:os"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import * as Redacted from "effect/Redacted"
import { startSimulator } from "../src/index.ts"

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const json = process.argv.includes("--json")
const deliveriesTarget = 2_000
const requestsTarget = 3_000
const deliveries = 20_000
const storedContacts = 100_000

const firstLine = (child: ChildProcess): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once("line", (line) => {
      lines.close()
      resolve(JSON.parse(line) as Record<string, unknown>)
    })
    child.once("exit", (code) => reject(new Error(`benchmark child exited with ${code}`)))
  })

const runChild = async (args: ReadonlyArray<string>): Promise<Record<string, unknown>> => {
  const child = spawn(process.execPath, [...args], { stdio: ["ignore", "pipe", "inherit"] })
  return firstLine(child)
}

// ── signed deliveries ──────────────────────────────────────────────────────────────────────
const receiver = spawn(process.execPath, [here("./Receiver.ts")], { stdio: ["pipe", "pipe", "inherit"] })
process.on("exit", () => receiver.kill())
const { url: receiverUrl } = (await firstLine(receiver)) as { url: string }
const sim = await startSimulator({
  clientSecret: "bench-client-secret",
  webhookUrls: [receiverUrl],
  rateLimitPerMinute: Number.POSITIVE_INFINITY,
  keepDeliveries: 2_000,
  seed: "bench"
})
await sim.trigger("contact.user.created", { count: 1_000 }) // warm-up: JIT, sockets
const deliveryStart = performance.now()
const batches = 10
for (let batch = 0; batch < batches; batch++) {
  await sim.trigger("contact.user.created", { count: deliveries / batches })
}
const deliverySeconds = (performance.now() - deliveryStart) / 1000
const failedDeliveries = sim.deliveries({ limit: 2_000 }).filter((delivery) => !delivery.ok).length
const deliveriesPerSecond = deliveries / deliverySeconds

// ── API requests ───────────────────────────────────────────────────────────────────────────
const token = Redacted.value(sim.accessToken)
const sample = sim.store.contacts.values().next().value?.id ?? ""
sim.dispatcher.subscriptions.length = 0 // API load only: no webhook traffic competing for the loop
const load = (mode: "read" | "write") =>
  runChild([here("./LoadGenerator.ts"), sim.url, token, mode, "4", "64", sample]) as Promise<{
    completed: number
    failed: number
    perSecond: number
    p50: number
    p99: number
  }>
await load("read") // warm-up
const reads = await load("read")
const writes = await load("write")
await sim.close()
receiver.kill()

// ── memory ─────────────────────────────────────────────────────────────────────────────────
const memory = (await runChild(["--expose-gc", here("./Memory.ts"), String(storedContacts)])) as {
  contacts: number
  heapBytes: number
  rssBytes: number
  fillSeconds: number
  lastPageMs: number
}

const results = {
  node: process.version,
  cpus: availableParallelism(),
  deliveries: {
    count: deliveries,
    seconds: deliverySeconds,
    perSecond: deliveriesPerSecond,
    failed: failedDeliveries,
    target: deliveriesTarget,
    ratio: deliveriesPerSecond / deliveriesTarget
  },
  apiReads: { ...reads, target: requestsTarget, ratio: reads.perSecond / requestsTarget },
  apiWrites: { ...writes, target: requestsTarget, ratio: writes.perSecond / requestsTarget },
  memory: { ...memory, bytesPerContact: memory.heapBytes / memory.contacts }
}

if (json) {
  console.log(JSON.stringify(results, null, 2))
} else {
  const number = (value: number) => Math.round(value).toLocaleString("en-US")
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  const row = (metric: string, measured: string, target: string, ratio: string) =>
    console.log(`${metric.padEnd(44)}${measured.padStart(16)}${target.padStart(12)}${ratio.padStart(10)}`)
  console.log(`Intercom simulator benchmark (node ${process.version}, ${results.cpus} CPUs)`)
  row("metric", "measured", "target", "ratio")
  row(
    `signed webhook deliveries (${number(deliveries)}, both sigs)`,
    `${number(deliveriesPerSecond)}/s`,
    `${number(deliveriesTarget)}/s`,
    `${results.deliveries.ratio.toFixed(2)}×`
  )
  row(
    `API GET /contacts/{id} (p50 ${reads.p50.toFixed(1)} ms, p99 ${reads.p99.toFixed(1)})`,
    `${number(reads.perSecond)}/s`,
    `${number(requestsTarget)}/s`,
    `${results.apiReads.ratio.toFixed(2)}×`
  )
  row(
    `API POST /contacts (p50 ${writes.p50.toFixed(1)} ms, p99 ${writes.p99.toFixed(1)})`,
    `${number(writes.perSecond)}/s`,
    `${number(requestsTarget)}/s`,
    `${results.apiWrites.ratio.toFixed(2)}×`
  )
  row(`memory, ${number(memory.contacts)} contacts: heap`, mb(memory.heapBytes), "—", "—")
  row("  per contact", `${number(results.memory.bytesPerContact)} B`, "—", "—")
  row("  RSS growth", mb(memory.rssBytes), "—", "—")
  row(
    `  GET /contacts last page of ${number(memory.contacts)}`,
    `${memory.lastPageMs.toFixed(1)} ms`,
    "—",
    "—"
  )
  if (failedDeliveries > 0 || reads.failed > 0 || writes.failed > 0) {
    console.log(`failures: ${failedDeliveries} deliveries, ${reads.failed} reads, ${writes.failed} writes`)
  }
}
