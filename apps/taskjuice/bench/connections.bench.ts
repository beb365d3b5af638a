/**
 * 10,000 workspaces in one host, on the built runtime entry (`dist/runtime.js`), against a loopback
 * Intercom in a child process (as `packages/core/bench/actions.bench.ts` runs it, so the server's work
 * happens on another thread). Both measured in one run:
 *
 * 1. Memory per connection: the heap (after a full GC) and RSS taken up by BENCH_CONNECTIONS
 *    connections in the host's store, each with its kept client (the cache at its bound) and its
 *    rate-limiter window, after one action each; divided by the count. The baseline is a host that
 *    already served as many other connections (then removed and evicted). Target: ≤ 10 KB each.
 * 2. Action overhead: `intercom/list-tags` steps one after another, round-robin over every
 *    connection (each a distinct workspace and token) against the same steps for one connection,
 *    in alternating ABBA blocks. The ratio is the median over neighbouring pairs of blocks of
 *    round-robin's median µs per step over one's; target ≤ 1.05.
 *
 * Run: node --expose-gc bench/connections.bench.ts (it re-runs itself with the flag when missing)
 *   BENCH_CONNECTIONS=<default 10000>  BENCH_BLOCKS=<ABBA blocks per side, default 16>
 *   BENCH_BLOCK=<steps per block, default 250>
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { rateLimitHeaders } from "@taskjuice/intercom-client"
import { median } from "@taskjuice/intercom-testkit"
import * as Answers from "@taskjuice/intercom-testkit/intercom"
import type * as RuntimeEntry from "../src/runtime.ts"
import { builtEntry } from "../src/testing/BuiltEntry.ts"

const serveFlag = "--serve"
const connectionCount = Number(process.env.BENCH_CONNECTIONS ?? 10_000)
const blocks = Number(process.env.BENCH_BLOCKS ?? 16)
const blockSize = Number(process.env.BENCH_BLOCK ?? 250)

/** The loopback Intercom: `GET /tags` for any token, with a budget the run never reaches. */
const serve = async () => {
  const body = JSON.stringify(Answers.tagList)
  const server = createServer((request, response) => {
    request.resume()
    request.once("end", () => {
      response.writeHead(request.url === "/tags" ? 200 : 404, {
        "content-type": "application/json",
        ...rateLimitHeaders({
          limit: 100_000_000,
          remaining: 99_999_999,
          resetAt: Math.floor(Date.now() / 1000) + 60
        })
      })
      response.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`)
}

const startServer = async () => {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), serveFlag], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const [line] = (await once(child.stdout.setEncoding("utf8"), "data")) as [string]
  return {
    url: line.trim(),
    close: async () => {
      child.kill()
      await once(child, "exit")
    }
  }
}

const collect = () => {
  for (let pass = 0; pass < 3; pass++) globalThis.gc?.()
  return process.memoryUsage()
}

const measure = async () => {
  const server = await startServer()
  const runtime: typeof RuntimeEntry = await import(builtEntry("runtime"))
  const host = runtime.makeRuntime({
    clientSecret: runtime.Redacted.make("bench-client-secret"),
    clientCapacity: connectionCount
  })
  const ids = Array.from({ length: connectionCount }, (_, index) => `conn_${index}`)
  const step = async (connectionId: string) => {
    const result = await host.execute("intercom/list-tags", {}, connectionId)
    if ("error" in result) throw new Error(`${connectionId}: ${result.error.code} ${result.error.message}`)
  }
  // The baseline is a host that has already worked: as many other connections come, run an action
  // each and go (removed, their clients evicted), so the JIT, the connection pool and the heap's own
  // growth are behind it and the reading after holds only what the connections keep.
  const warm = ids.map((id) => `warm_${id}`)
  for (const id of warm) await host.connections.save(connectionFor(runtime, id, server.url))
  for (const id of warm) await step(id)
  for (const id of warm) {
    await host.connections.remove(id)
    host.evict(id)
  }

  const before = collect()
  for (const id of ids) await host.connections.save(connectionFor(runtime, id, server.url))
  for (const id of ids) await step(id)
  const after = collect()
  const heapPer = (after.heapUsed - before.heapUsed) / connectionCount
  const rssPer = (after.rss - before.rss) / connectionCount

  const one: Array<number> = []
  const roundRobin: Array<number> = []
  /** Per pair of neighbouring blocks, round-robin's median over one's: a load spike hits both of a pair. */
  const pairRatios: Array<number> = []
  let next = 0
  const timeBlock = async (into: Array<number>, pick: () => string) => {
    const times: Array<number> = []
    for (let index = 0; index < blockSize; index++) {
      const id = pick()
      const started = process.hrtime.bigint()
      await step(id)
      times.push(Number(process.hrtime.bigint() - started) / 1000)
    }
    into.push(...times)
    return median(times)
  }
  const single = () => timeBlock(one, () => "conn_0")
  const rotating = () =>
    timeBlock(roundRobin, () => {
      const id = ids[next]!
      next = (next + 1) % ids.length
      return id
    })
  for (let block = 0; block < blocks; block++) {
    if (block % 2 === 0) {
      const alone = await single()
      pairRatios.push((await rotating()) / alone)
    } else {
      const rotated = await rotating()
      pairRatios.push(rotated / (await single()))
    }
  }
  await server.close()

  const kib = (bytes: number) => (bytes / 1024).toFixed(2)
  console.log(`\n${connectionCount} connections in one host (the built runtime entry), one action each`)
  console.log(
    `memory per connection (its record in the store, its kept client, its limiter window; ${host.keptClients()} clients kept, the bound): heap ${kib(heapPer)} KiB  target ≤ 10 KB ${heapPer <= 10_000 ? "ok" : "OVER"}`
  )
  // For information: RSS also counts what V8 and the allocator keep mapped after a collection.
  console.log(`  RSS grew ${kib(rssPer)} KiB per connection`)
  const ratio = median(pairRatios)
  console.log(
    `\nAction overhead (${blocks} ABBA pairs of blocks of ${blockSize} steps; median µs per step)\none workspace ${median(one).toFixed(1)}  round-robin over ${connectionCount} workspaces ${median(roundRobin).toFixed(1)}`
  )
  console.log(
    `ratio round-robin / one (median over the pairs): ${ratio.toFixed(3)}  target ≤ 1.05 ${ratio <= 1.05 ? "ok" : "OVER"}  (of the overall medians: ${(median(roundRobin) / median(one)).toFixed(3)})`
  )
}

const connectionFor = (runtime: typeof RuntimeEntry, id: string, url: string) => ({
  id,
  workspaceId: `ws${id}`,
  workspaceName: `Workspace ${id}`,
  adminId: "1",
  adminEmail: `admin@${id}.example.com`,
  region: "us" as const,
  apiBaseUrl: url,
  accessToken: runtime.Redacted.make(`tok_${id}_0123456789abcdef`),
  status: "active" as const,
  connectedAt: new Date().toISOString()
})

if (process.argv.includes(serveFlag)) await serve()
else if (globalThis.gc === undefined) {
  // Heap figures need a full collection before each reading.
  const child = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url)], { stdio: "inherit" })
  const [code] = (await once(child, "exit")) as [number]
  process.exit(code)
} else await measure()
