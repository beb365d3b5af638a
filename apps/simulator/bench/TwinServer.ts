/**
 * The twin as the benchmark measures it: a simulator in its own process (like the bare and floor
 * servers, so each one's CPU time is its own), with no rate limit and one contact to read.
 * `node TwinServer.ts` prints `{ url, token, contactId }` as one JSON line, then answers the CPU
 * measure on stdin (`Measured.ts`).
 */
import * as Redacted from "effect/Redacted"
import { startSimulator } from "../src/index.ts"
import { serveMeasured } from "./Measured.ts"

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
serveMeasured({ url: sim.url, token, contactId: contact.id }, () => sim.close())
