import { setTimeout as sleep } from "node:timers/promises"
import { webhookBodyLimitBytes } from "@taskjuice/intercom-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { suiteSize } from "../src/SuiteSize.ts"
import { type FuzzClass, fuzzCases, fuzzClasses, fuzzSeed } from "../src/WebhookFuzz.ts"
import { envelope, pool, send, signedHeaders, watchedReceiver } from "../src/Webhooks.ts"

const size = suiteSize()
const suite = watchedReceiver()
const { canaries, watch } = suite

beforeAll(suite.start)
afterAll(suite.close)

const formatCounts = (counts: Map<FuzzClass, Map<number, number>>, expected: Map<FuzzClass, number>) => {
  const statuses = [...new Set([...counts.values()].flatMap((byStatus) => [...byStatus.keys()]))].sort()
  const width = Math.max(...fuzzClasses().map((c) => c.length))
  const header = `| ${"class".padEnd(width)} | expected | ${statuses.map((s) => String(s).padStart(5)).join(" | ")} | total |`
  const rows = fuzzClasses().map((fuzzClass) => {
    const byStatus = counts.get(fuzzClass) ?? new Map<number, number>()
    const total = [...byStatus.values()].reduce((a, b) => a + b, 0)
    return `| ${fuzzClass.padEnd(width)} | ${String(expected.get(fuzzClass) ?? "-").padStart(8)} | ${statuses
      .map((s) => String(byStatus.get(s) ?? 0).padStart(5))
      .join(" | ")} | ${String(total).padStart(5)} |`
  })
  return [header, `|${"-".repeat(header.length - 2)}|`, ...rows].join("\n")
}

describe(`webhook fuzzing (${size.name}: ${size.fuzzCases} requests, fast-check seed ${fuzzSeed})`, () => {
  it("no activation from unsigned, altered or unreadable input, no crash, the right status every time", async () => {
    const { receiver } = suite
    const cases = fuzzCases(size.fuzzCases)
    const counts = new Map<FuzzClass, Map<number, number>>()
    const expected = new Map<FuzzClass, number>()
    const wrong: Array<string> = []
    await pool(cases, 16, async (fuzzCase, index) => {
      const request = fuzzCase.build(canaries.clientSecret)
      const answer = await send(receiver.agent, receiver.bundle.webhookUrl, request)
      watch.inspect(`webhook answer (${fuzzCase.class})`, answer.body)
      const byStatus = counts.get(fuzzCase.class) ?? new Map<number, number>()
      byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1)
      counts.set(fuzzCase.class, byStatus)
      expected.set(fuzzCase.class, fuzzCase.expectedStatus)
      if (answer.status !== fuzzCase.expectedStatus && wrong.length < 20) {
        wrong.push(
          `#${index} ${fuzzCase.class}: HTTP ${answer.status} (expected ${fuzzCase.expectedStatus}) ${answer.body.slice(0, 200)}`
        )
      }
    })
    // Activations are announced on a later turn of the event loop.
    await sleep(50)
    const table = formatCounts(counts, expected)
    watch.inspect("fuzz report", table)
    console.log(`\nWebhook fuzzing: ${cases.length} requests, seed ${fuzzSeed}\n${table}\n`)

    expect(wrong).toEqual([])
    expect(receiver.activations).toEqual([])
    expect(await receiver.bundle.activations.read({ limit: 1000 })).toEqual([])
    expect(watch.lines().filter((line) => line.includes("request-failed"))).toEqual([])
    // Every class was generated, so none of them went untested.
    expect([...counts.keys()].sort()).toEqual([...fuzzClasses()].sort())
    expect(watch.leaks()).toEqual([])
  })

  it("draws the size limit at exactly 1 MiB: a signed body of the limit is read, one byte more is 413", async () => {
    const { receiver } = suite
    const base = JSON.stringify({ ...envelope("ping", { id: null }), padding: "" })
    const sized = (bytes: number) =>
      Buffer.from(base.replace('"padding":""', `"padding":"${"x".repeat(bytes - Buffer.byteLength(base))}"`))
    const statuses: Array<number> = []
    for (const body of [sized(webhookBodyLimitBytes), sized(webhookBodyLimitBytes + 1)]) {
      expect(body.byteLength).toBeGreaterThanOrEqual(webhookBodyLimitBytes)
      const answer = await send(receiver.agent, receiver.bundle.webhookUrl, {
        method: "POST",
        headers: signedHeaders(body, canaries.clientSecret),
        body
      })
      statuses.push(answer.status)
    }
    expect(statuses).toEqual([200, 413])
  })

  it("still accepts a valid delivery afterwards, exactly once (the run above could have activated)", async () => {
    const { receiver } = suite
    const body = JSON.stringify(envelope("contact.user.created", { id: "notif_fuzz-control" }))
    const first = await send(receiver.agent, receiver.bundle.webhookUrl, {
      method: "POST",
      headers: signedHeaders(body, canaries.clientSecret),
      body: Buffer.from(body)
    })
    const repeat = await send(receiver.agent, receiver.bundle.webhookUrl, {
      method: "POST",
      headers: signedHeaders(body, canaries.clientSecret),
      body: Buffer.from(body)
    })
    await sleep(50)
    expect([first.status, repeat.status]).toEqual([200, 200])
    expect(receiver.activations.map((a) => a.notificationId)).toEqual(["notif_fuzz-control"])
    expect(watch.leaks()).toEqual([])
  })
})
