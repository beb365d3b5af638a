/**
 * The simulator's benchmark, printed as figures and ratios to the targets in one run:
 *   - API reads, `GET /contacts/{id}` per second (target ≥ 10,000/s), from a load generator in its own
 *     process with 64 keep-alive connections, side by side with a bare `node:http` server answering
 *     the same bytes (the ceiling of this machine and load generator) and with the same answer from a
 *     one-route `effect/http` server (the floor of the stack the twin is built on), alternated
 *     A B C C B A so drift on a shared machine falls on all three: the twin's share of the ceiling is
 *     the ratio to watch;
 *   - API writes, `POST /contacts` per second;
 *   - signed webhook deliveries per second to a local receiver (target ≥ 2,000/s): each is a state
 *     change (a contact created), its notification rendered, signed with sha1 and sha256, POSTed,
 *     answered; the receiver runs in its own process;
 *   - memory with 100,000 stored contacts, in a fresh process after a full GC.
 * `pnpm --filter @taskjuice/intercom-simulator bench [--json]`
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import * as Redacted from "effect/Redacted"
import { startSimulator } from "../src/index.ts"

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const json = process.argv.includes("--json")
const readsTarget = 10_000
const deliveriesTarget = 2_000
const deliveries = 20_000
const storedContacts = 100_000
const loadSeconds = "4"
const concurrency = "64"

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

/** A child that serves until the benchmark ends (it exits when its stdin closes). */
const serving = async (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [...args], { stdio: ["pipe", "pipe", "inherit"] })
  process.on("exit", () => child.kill())
  return { child, ...(await firstLine(child)) } as { child: ChildProcess; url: string }
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

// ── the twin, and the bare server answering the same bytes ─────────────────────────────────
const sim = await startSimulator({
  clientSecret: "bench-client-secret",
  rateLimitPerMinute: Number.POSITIVE_INFINITY,
  keepDeliveries: 2_000,
  seed: "bench"
})
const token = Redacted.value(sim.accessToken)
const created = await fetch(`${sim.url}/contacts`, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({ email: "bench@bench.example", name: "Bench", custom_attributes: { plan: "growth" } })
})
const contact = (await created.json()) as { id: string }
const sampleBody = await (
  await fetch(`${sim.url}/contacts/${contact.id}`, { headers: { authorization: `Bearer ${token}` } })
).text()
const scratch = mkdtempSync(join(tmpdir(), "intercom-sim-bench-"))
writeFileSync(join(scratch, "contact.json"), sampleBody)
const bare = await serving([here("./BareServer.ts"), join(scratch, "contact.json")])
const floor = await serving([here("./EffectFloorServer.ts"), join(scratch, "contact.json")])

const servers = { twin: sim.url, bare: bare.url, floor: floor.url }
const reads: Record<keyof typeof servers, Array<LoadResult>> = { twin: [], bare: [], floor: [] }
for (const url of Object.values(servers)) await load(url, token, "read", contact.id) // warm-up: JIT, sockets
for (const target of ["twin", "bare", "floor", "floor", "bare", "twin"] as const) {
  reads[target].push(await load(servers[target], token, "read", contact.id))
}
const twinReads = reads.twin
const bareReads = reads.bare
const mean = (results: ReadonlyArray<LoadResult>, key: "perSecond" | "p50" | "p99") =>
  results.reduce((sum, result) => sum + result[key], 0) / results.length
const writes = await load(sim.url, token, "write", contact.id)
bare.child.stdin?.end()
floor.child.stdin?.end()
rmSync(scratch, { recursive: true, force: true })
await sim.close()

// ── signed deliveries ──────────────────────────────────────────────────────────────────────
const receiver = await serving([here("./Receiver.ts")])
const hooks = await startSimulator({
  clientSecret: "bench-client-secret",
  webhookUrls: [receiver.url],
  rateLimitPerMinute: Number.POSITIVE_INFINITY,
  keepDeliveries: 2_000,
  seed: "bench"
})
await hooks.trigger("contact.user.created", { count: 1_000 }) // warm-up: JIT, sockets
const deliveryStart = performance.now()
const batches = 10
for (let batch = 0; batch < batches; batch++) {
  await hooks.trigger("contact.user.created", { count: deliveries / batches })
}
const deliverySeconds = (performance.now() - deliveryStart) / 1000
const failedDeliveries = hooks.deliveries({ limit: 2_000 }).filter((delivery) => !delivery.ok).length
const deliveriesPerSecond = deliveries / deliverySeconds
await hooks.close()
receiver.child.stdin?.end()

// ── memory ─────────────────────────────────────────────────────────────────────────────────
const memory = (await runChild(["--expose-gc", here("./Memory.ts"), String(storedContacts)])) as {
  contacts: number
  heapBytes: number
  rssBytes: number
  fillSeconds: number
  lastPageMs: number
}

const twinPerSecond = mean(twinReads, "perSecond")
const barePerSecond = mean(bareReads, "perSecond")
const results = {
  node: process.version,
  cpus: availableParallelism(),
  apiReads: {
    perSecond: twinPerSecond,
    p50: mean(twinReads, "p50"),
    p99: mean(twinReads, "p99"),
    failed: twinReads.reduce((sum, result) => sum + result.failed, 0),
    target: readsTarget,
    ratio: twinPerSecond / readsTarget,
    bare: { perSecond: barePerSecond, p50: mean(bareReads, "p50"), p99: mean(bareReads, "p99") },
    ofBare: twinPerSecond / barePerSecond,
    effectFloor: {
      perSecond: mean(reads.floor, "perSecond"),
      ofBare: mean(reads.floor, "perSecond") / barePerSecond
    }
  },
  apiWrites: { ...writes },
  deliveries: {
    count: deliveries,
    seconds: deliverySeconds,
    perSecond: deliveriesPerSecond,
    failed: failedDeliveries,
    target: deliveriesTarget,
    ratio: deliveriesPerSecond / deliveriesTarget
  },
  memory: { ...memory, bytesPerContact: memory.heapBytes / memory.contacts }
}

if (json) {
  console.log(JSON.stringify(results, null, 2))
} else {
  const number = (value: number) => Math.round(value).toLocaleString("en-US")
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  const row = (metric: string, measured: string, target: string, ratio: string) =>
    console.log(`${metric.padEnd(52)}${measured.padStart(14)}${target.padStart(12)}${ratio.padStart(10)}`)
  const { apiReads } = results
  console.log(`Intercom simulator benchmark (node ${process.version}, ${results.cpus} CPUs)`)
  row("metric", "measured", "target", "ratio")
  row(
    `API GET /contacts/{id} (p50 ${apiReads.p50.toFixed(1)} ms, p99 ${apiReads.p99.toFixed(1)})`,
    `${number(apiReads.perSecond)}/s`,
    `${number(readsTarget)}/s`,
    `${apiReads.ratio.toFixed(2)}×`
  )
  row(
    `  bare node:http, same bytes (p50 ${apiReads.bare.p50.toFixed(1)} ms, p99 ${apiReads.bare.p99.toFixed(1)})`,
    `${number(apiReads.bare.perSecond)}/s`,
    "—",
    "—"
  )
  row("  one-route effect/http server, same bytes", `${number(apiReads.effectFloor.perSecond)}/s`, "—", "—")
  row("  twin / bare (same load generator, A B C C B A)", `${apiReads.ofBare.toFixed(2)}×`, "—", "—")
  row("  effect/http floor / bare", `${apiReads.effectFloor.ofBare.toFixed(2)}×`, "—", "—")
  row(
    `API POST /contacts (p50 ${writes.p50.toFixed(1)} ms, p99 ${writes.p99.toFixed(1)})`,
    `${number(writes.perSecond)}/s`,
    "—",
    "—"
  )
  row(
    `signed webhook deliveries (${number(deliveries)}, both sigs)`,
    `${number(deliveriesPerSecond)}/s`,
    `${number(deliveriesTarget)}/s`,
    `${results.deliveries.ratio.toFixed(2)}×`
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
  if (failedDeliveries > 0 || apiReads.failed > 0 || writes.failed > 0) {
    console.log(`failures: ${failedDeliveries} deliveries, ${apiReads.failed} reads, ${writes.failed} writes`)
  }
}
