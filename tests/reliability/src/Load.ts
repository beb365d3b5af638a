/**
 * The load run: valid, signed deliveries of unique notifications plus Intercom-style redeliveries of
 * some of them (same notification id, `delivery_attempts` one higher, signed again), shuffled with a
 * fixed seed and sent at a fixed concurrency from a worker thread (src/LoadClient.ts). Bodies and
 * signatures are made before the clock starts, so the latencies are the bundle host's
 * acknowledgements over loopback, not the suite's signing.
 */
import { Worker } from "node:worker_threads"
import type * as Redacted from "effect/Redacted"
import fc from "fast-check"
import type { LoadClientInput, LoadClientOutput } from "./LoadClient.ts"
import { activatingTopics, envelope, signedHeaders } from "./Webhooks.ts"

export interface LoadDelivery {
  readonly notificationId: string
  readonly repeat: boolean
  readonly headers: Record<string, string>
  readonly body: Uint8Array
}

export const loadSeed = 4_242

const delivery = (
  secret: Redacted.Redacted<string>,
  topic: string,
  notificationId: string,
  attempt: number,
  repeat: boolean
): LoadDelivery => {
  const text = JSON.stringify({ ...envelope(topic, { id: notificationId }), delivery_attempts: attempt })
  return { notificationId, repeat, headers: signedHeaders(text, secret), body: Buffer.from(text) }
}

/** Unique deliveries that warm the host up (JIT, sockets) before the measured run; counted apart. */
export const makeWarmUp = (count: number, secret: Redacted.Redacted<string>): ReadonlyArray<LoadDelivery> =>
  Array.from({ length: count }, (_, index) =>
    delivery(secret, activatingTopics[index % activatingTopics.length]!, `notif_warmup_${index}`, 1, false)
  )

export const makeLoadDeliveries = (
  total: number,
  repeatShare: number,
  secret: Redacted.Redacted<string>
): ReadonlyArray<LoadDelivery> => {
  const repeats = Math.round(total * repeatShare)
  const uniques = total - repeats
  const [plan] = fc.sample(
    fc.record({
      topics: fc.array(fc.constantFrom(...activatingTopics), { minLength: uniques, maxLength: uniques }),
      repeatOf: fc.array(fc.nat({ max: uniques - 1 }), { minLength: repeats, maxLength: repeats }),
      order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: total, maxLength: total })
    }),
    { seed: loadSeed, numRuns: 1 }
  )
  if (plan === undefined) throw new Error("fast-check produced no load plan")
  const all = [
    ...plan.topics.map((topic, index) => delivery(secret, topic, `notif_load_${index}`, 1, false)),
    ...plan.repeatOf.map((index) => delivery(secret, plan.topics[index]!, `notif_load_${index}`, 2, true))
  ]
  // A seeded shuffle: repeats land anywhere, some of them while their first delivery is still in flight.
  return all
    .map((item, index) => ({ item, key: plan.order[index]! }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item)
}

/** Sends each phase in turn from a worker thread and returns every answer with its latency. */
export const runLoadClient = (input: LoadClientInput): Promise<LoadClientOutput> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./LoadClient.ts", import.meta.url), { workerData: input })
    worker.once("message", (message: { ok?: LoadClientOutput; error?: string }) => {
      if (message.ok !== undefined) resolve(message.ok)
      else reject(new Error(`the load client failed: ${message.error ?? "no answer"}`))
      void worker.terminate()
    })
    worker.once("error", reject)
  })
