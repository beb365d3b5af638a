/**
 * A load generator in its own process (so it does not share the simulator's event loop):
 * `node LoadGenerator.ts <url> <token> <read|write> <seconds> <concurrency> [contactId]`.
 * Keeps `concurrency` keep-alive requests in flight for `seconds` and prints one JSON line.
 */
import { Agent, request } from "node:http"

const [url = "", token = "", mode = "read", seconds = "4", concurrency = "64", contactId = ""] =
  process.argv.slice(2)
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) })
const target = new URL(url)
const deadline = performance.now() + Number(seconds) * 1000
let completed = 0
let failed = 0
const latencies: Array<number> = []
let sequence = 0

const once = (): Promise<void> =>
  new Promise((resolve) => {
    const started = performance.now()
    const write = mode === "write"
    const body = write
      ? JSON.stringify({ email: `load-${process.pid}-${sequence++}@bench.example`, name: "Load" })
      : undefined
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        agent,
        method: write ? "POST" : "GET",
        path: write ? "/contacts" : `/contacts/${contactId}`,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) })
        }
      },
      (res) => {
        res.resume()
        res.on("end", () => {
          if (res.statusCode === 200) completed++
          else failed++
          latencies.push(performance.now() - started)
          resolve()
        })
      }
    )
    req.on("error", () => {
      failed++
      resolve()
    })
    req.end(body)
  })

const worker = async () => {
  while (performance.now() < deadline) await once()
}

const started = performance.now()
await Promise.all(Array.from({ length: Number(concurrency) }, worker))
const elapsed = (performance.now() - started) / 1000
latencies.sort((a, b) => a - b)
const percentile = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0
console.log(
  JSON.stringify({
    mode,
    completed,
    failed,
    seconds: elapsed,
    perSecond: completed / elapsed,
    p50: percentile(0.5),
    p99: percentile(0.99)
  })
)
agent.destroy()
