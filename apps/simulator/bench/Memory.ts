/**
 * Memory with stored contacts, measured in a fresh process (run with --expose-gc):
 * `node --expose-gc Memory.ts <contacts>` prints heap and RSS growth as one JSON line.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { startSimulator } from "../src/index.ts"

const contacts = Number(process.argv[2] ?? 100_000)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")

const sim = await startSimulator({
  clientSecret: "bench",
  rateLimitPerMinute: Number.POSITIVE_INFINITY,
  seed: 1
})
gc()
const before = process.memoryUsage()
const started = performance.now()
for (let i = 0; i < contacts; i++) {
  Effect.runSync(
    sim.store.contacts.create({
      role: i % 4 === 0 ? "lead" : "user",
      ...(i % 4 === 0 ? {} : { email: `contact-${i}@bench.example`, external_id: `ext-${i}` }),
      name: `Contact ${i}`,
      custom_attributes: { plan: "growth", seats: i % 50 }
    })
  )
}
const fillSeconds = (performance.now() - started) / 1000
gc()
const after = process.memoryUsage()
// One realistic read over the full store: the last page of GET /contacts.
const token = Redacted.value(sim.accessToken)
const pageStarted = performance.now()
const page = await fetch(`${sim.url}/contacts?per_page=150&page=${Math.ceil(contacts / 150)}`, {
  headers: { authorization: `Bearer ${token}` }
})
await page.json()
const pageMs = performance.now() - pageStarted
console.log(
  JSON.stringify({
    contacts: sim.counts().contacts,
    heapBytes: after.heapUsed - before.heapUsed,
    rssBytes: after.rss - before.rss,
    fillSeconds,
    lastPageMs: pageMs
  })
)
await sim.close()
