/**
 * Crash under load (issue 12): three hosts share one Redis and receive signed deliveries, 20 % of them
 * repeats of an earlier notification sent to a different host than its first copy. Midway, one host is
 * killed with `kill -9`. A delivery that gets no 200 is sent again to another host, as Intercom retries.
 * Meanwhile a runtime consumes the activations through one host's cursor API, acknowledging as it goes.
 * Every notification that got a 200 is activated exactly once, and none is lost: not the ones in flight
 * on the killed host, whose 200 never came back, nor their repeats.
 *
 * `./dev test` sends 2,000 deliveries; `RELIABILITY_FULL=1` the full 10,000.
 */
import { Agent } from "node:http"
import type { InboxActivation } from "@taskjuice/intercom-bundle"
import { type SpawnedHost, stopAll } from "@taskjuice/intercom-bundle/testing"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { consumeActivations, type HostSetup, makeRuntimeToken, startHosts } from "../src/HostProcesses.ts"
import { pool, send } from "../src/Http.ts"
import { makeLoadDeliveries } from "../src/Load.ts"
import { redisState, type SharedState } from "../src/SharedState.ts"
import { suiteSize } from "../src/SuiteSize.ts"
import { connectedWorkspaceId } from "../src/Webhooks.ts"

const size = suiteSize()
const deliveries = size.name === "full" ? 10_000 : 2_000
const workerCount = 3
const concurrency = 24
const maxAttempts = 6
const clientSecret = Redacted.make("crash-under-load-secret")
const token = makeRuntimeToken()

let state: SharedState
let hosts: Array<SpawnedHost>

beforeAll(async () => {
  state = await redisState()
  // The workspace every delivery names, connected once, in the state all three hosts read.
  await state.save({
    id: "conn_crash",
    workspaceId: connectedWorkspaceId,
    workspaceName: "Crash under load",
    adminId: "1",
    adminEmail: null,
    region: "us",
    apiBaseUrl: "http://127.0.0.1:9",
    accessToken: Redacted.make("crash-under-load-token"),
    status: "active",
    connectedAt: new Date().toISOString()
  })
  const setup: HostSetup = {
    state,
    intercomUrl: "http://127.0.0.1:9",
    clientId: "crash-under-load",
    clientSecret,
    runtimeToken: token
  }
  hosts = await startHosts(setup, workerCount)
})
afterEach(stopAll)
afterAll(async () => {
  await stopAll()
  await state?.close()
})

describe(`crash under load (${size.name}: ${deliveries} deliveries over ${workerCount} hosts on one Redis)`, () => {
  it("activates every notification that got a 200 exactly once, with a host killed midway", async () => {
    const plan = makeLoadDeliveries(deliveries, 0.2, clientSecret)
    // First copies go round the hosts; a repeat goes to the host after the one its first copy went to.
    const firstHost = new Map<string, number>()
    const assigned = plan.map((delivery, index) => {
      if (!delivery.repeat) {
        firstHost.set(delivery.notificationId, index % workerCount)
        return index % workerCount
      }
      return ((firstHost.get(delivery.notificationId) ?? 0) + 1) % workerCount
    })
    const agents = hosts.map(() => new Agent({ keepAlive: true, maxSockets: concurrency }))
    const victim = workerCount - 1
    const consumer = 0
    let killed: Promise<void> | undefined
    let started = 0
    let failedAttempts = 0
    const acknowledged = new Set<string>()

    // The runtime reads through the first host (never killed) while the load runs.
    let loading = true
    const consumed: Array<InboxActivation> = []
    const consuming = (async () => {
      while (loading) consumed.push(...(await consumeActivations(hosts[consumer]!, token, { waitMs: 500 })))
      consumed.push(...(await consumeActivations(hosts[consumer]!, token, { waitMs: 500 })))
    })()

    try {
      await pool(plan, concurrency, async (delivery, index) => {
        if (++started === Math.floor(plan.length / 2)) killed = hosts[victim]!.kill("SIGKILL")
        const tried = new Set<number>()
        let target = assigned[index]!
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
          tried.add(target)
          const answer = await send(agents[target]!, hosts[target]!.webhookUrl, {
            method: "POST",
            headers: delivery.headers,
            body: delivery.body,
            timeoutMs: 15_000
          }).catch(() => undefined)
          if (answer?.status === 200) {
            acknowledged.add(delivery.notificationId)
            return
          }
          failedAttempts++
          // Intercom retries; the load balancer sends the retry to another host.
          target = hosts.findIndex((_, other) => !tried.has(other) && other !== victim)
          if (target === -1) target = consumer
        }
        throw new Error(`${delivery.notificationId} got no 200 in ${maxAttempts} attempts`)
      })
      await killed
    } finally {
      loading = false
      await consuming
      for (const agent of agents) agent.destroy()
    }

    const uniques = new Set(plan.map((delivery) => delivery.notificationId))
    const perKey = new Map<string, number>()
    for (const activation of consumed)
      perKey.set(activation.dedupeKey, (perKey.get(activation.dedupeKey) ?? 0) + 1)
    const twice = [...perKey].filter(([, count]) => count > 1)
    const activated = new Set(consumed.map((activation) => activation.notificationId))
    const lost = [...acknowledged].filter((id) => !activated.has(id))
    console.log(
      `\nCrash under load: ${plan.length} deliveries (${uniques.size} unique) over ${workerCount} hosts, one killed after ${Math.floor(plan.length / 2)}; ${failedAttempts} attempts failed and were sent again; ${consumed.length} activations read through the cursor API\n`
    )

    expect(hosts[victim]!.alive()).toBe(false)
    // The kill struck while deliveries were under way: some had to be sent again.
    expect(failedAttempts).toBeGreaterThan(0)
    expect(acknowledged.size).toBe(uniques.size)
    expect(lost).toEqual([])
    expect(twice).toEqual([])
    expect(consumed).toHaveLength(uniques.size)
    expect([...activated].sort()).toEqual([...uniques].sort())
  })
})
