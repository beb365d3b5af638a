import { availableParallelism, loadavg } from "node:os"
import { setTimeout as sleep } from "node:timers/promises"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { percentiles } from "../src/Http.ts"
import { loadSeed, makeLoadDeliveries, makeWarmUp, runLoadClient } from "../src/Load.ts"
import { suiteSize } from "../src/SuiteSize.ts"
import { envelope, pool, send, signedHeaders, watchedReceiver } from "../src/Webhooks.ts"

const size = suiteSize()
const concurrency = 50
const repeatShare = 0.2
const warmUpCount = 500
const suite = watchedReceiver()
const { canaries, watch } = suite

beforeAll(suite.start)
afterAll(suite.close)

describe(`load (${size.name}: ${size.loadDeliveries} deliveries, ${repeatShare * 100} % repeats, concurrency ${concurrency})`, () => {
  it("activates exactly once per unique notification, loses none, and reports acknowledgement latency", async () => {
    const { receiver } = suite
    const warmUp = makeWarmUp(warmUpCount, canaries.clientSecret)
    const deliveries = makeLoadDeliveries(size.loadDeliveries, repeatShare, canaries.clientSecret)
    const uniques = new Set(deliveries.map((d) => d.notificationId))
    const strip = (list: typeof deliveries) => list.map(({ headers, body }) => ({ headers, body }))
    const output = await runLoadClient({
      url: receiver.bundle.webhookUrl,
      concurrency,
      phases: [strip(warmUp), strip(deliveries)]
    })
    // Activations are announced on a later turn of the event loop.
    await sleep(100)
    const answers = output.phases[1] ?? []
    const seconds = output.seconds[1] ?? Number.NaN

    const latency = percentiles(answers.map((a) => a.millis))
    const perNotification = new Map<string, number>()
    for (const activation of receiver.activations) {
      perNotification.set(
        activation.notificationId,
        (perNotification.get(activation.notificationId) ?? 0) + 1
      )
    }
    const count = (received: string) => answers.filter((a) => a.received === received).length
    const report = [
      `Load: ${deliveries.length} deliveries (${uniques.size} unique, ${deliveries.length - uniques.size} repeats), concurrency ${concurrency}, seed ${loadSeed}, after ${warmUp.length} warm-up deliveries`,
      `  answers: ${answers.filter((a) => a.status === 200).length} × 200; accepted ${count("accepted")}, duplicate ${count("duplicate")}`,
      `  activations: ${receiver.activations.length - warmUp.length} for ${uniques.size} unique notifications`,
      `  acknowledgement latency (ms): p50 ${latency.p50.toFixed(2)}  p90 ${latency.p90.toFixed(2)}  p99 ${latency.p99.toFixed(2)}  max ${latency.max.toFixed(2)}  (target p99 < 50)`,
      `  throughput: ${(deliveries.length / seconds).toFixed(0)} deliveries/s over ${seconds.toFixed(2)} s`,
      // Latency on a shared machine says as much about the neighbours as about the host: show them.
      `  machine: ${availableParallelism()} cores, load average ${loadavg()
        .map((value) => value.toFixed(2))
        .join(" ")}`
    ].join("\n")
    watch.inspect("load report", report)
    console.log(`\n${report}\n`)

    expect(output.phases[0]?.every((a) => a.status === 200 && a.received === "accepted")).toBe(true)
    expect(answers).toHaveLength(deliveries.length)
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(count("accepted")).toBe(uniques.size)
    expect(count("duplicate")).toBe(deliveries.length - uniques.size)
    // Exactly one activation per unique notification: none lost, none twice.
    const ids = [...uniques, ...warmUp.map((d) => d.notificationId)]
    expect(ids.filter((id) => perNotification.get(id) !== 1)).toEqual([])
    expect(receiver.activations).toHaveLength(ids.length)
    expect(new Set(receiver.activations.map((a) => a.dedupeKey)).size).toBe(ids.length)
    expect(watch.leaks()).toEqual([])
  })
  it("recognises redeliveries of notifications that carry no id (Intercom documents it as optional)", async () => {
    const { receiver } = suite
    const before = receiver.activations.length
    const notifications = Array.from({ length: 200 }, (_, index) => {
      const base = envelope("contact.user.created")
      const { id: _id, ...withoutId } = base
      const data = base.data as { item: Record<string, unknown> }
      return { ...withoutId, data: { ...data, item: { ...data.item, id: `no-id-contact-${index}` } } }
    })
    // Each one twice: the redelivery differs only in delivery_attempts, as Intercom's does.
    const deliveries = notifications.flatMap((notification) =>
      [1, 2].map((attempt) => Buffer.from(JSON.stringify({ ...notification, delivery_attempts: attempt })))
    )
    const answers = await pool(deliveries, 10, (body) =>
      send(receiver.agent, receiver.bundle.webhookUrl, {
        method: "POST",
        headers: signedHeaders(body, canaries.clientSecret),
        body
      })
    )
    await sleep(100)
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    expect(receiver.activations.length - before).toBe(notifications.length)
    expect(watch.leaks()).toEqual([])
  })
})
