/**
 * One rate-limit budget per workspace, spent by every worker together (issue 12): three hosts on one
 * state run create-contact actions on one connection against the simulator at 1,000 requests a minute
 * (167 per 10-second window). A recording proxy in front of the simulator sees what Intercom would;
 * the simulator's own 429s say whether the hosts together asked for more than one budget (the proxy's
 * clock, a hop before the simulator's, puts a request near a window's edge on either side of it).
 * Required: no action fails, at most 1 % of the requests are 429s, and the throughput over the windows
 * the run spans in full is at least 95 % of their allowance.
 *
 * Redis runs issue 12's figure, 700 actions per host (about 2 minutes), in every run: the 1 % is of the
 * whole run, and a smaller run made it a bound on the start alone (the first window, entered part-way
 * with a budget not yet spent, can pass a few requests granted before its reset to the next one:
 * 7–9 of 367 at 120 per host in CI-like runs). The SQLite default runs 120 per host, 700 under
 * `RELIABILITY_FULL=1`.
 */
import { type SpawnedHost, stopAll } from "@taskjuice/intercom-bundle/testing"
import { windowAllowance } from "@taskjuice/intercom-client"
import { type Simulator, startSimulator } from "@taskjuice/intercom-simulator"
import * as Redacted from "effect/Redacted"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  connectThroughOAuth,
  type HostSetup,
  makeRuntimeToken,
  runtimeCall,
  startHosts
} from "../src/HostProcesses.ts"
import { pool } from "../src/Http.ts"
import { type RecordingProxy, startRecordingProxy } from "../src/RecordingProxy.ts"
import { redisState, type SharedState, sqliteState } from "../src/SharedState.ts"
import { suiteSize } from "../src/SuiteSize.ts"

const size = suiteSize()
const issueFigure = 700
const hostCount = 3
const perMinute = 1_000
const windowMillis = 10_000
const allowance = windowAllowance(perMinute)
const concurrencyPerHost = 10
const backends = [
  ["redis", redisState, issueFigure],
  ["sqlite", sqliteState, size.name === "full" ? issueFigure : 120]
] as const

afterEach(stopAll)

describe.each(backends)(
  `a shared budget (${hostCount} hosts on one connection, ${perMinute}/min) on %s`,
  (backend, makeState, perHost) => {
    const clientSecret = Redacted.make("shared-budget-secret")
    const token = makeRuntimeToken()
    let state: SharedState
    let sim: Simulator
    let proxy: RecordingProxy
    let hosts: Array<SpawnedHost>

    beforeAll(async () => {
      state = await makeState()
      sim = await startSimulator({ clientSecret, seed: `budget-${backend}`, rateLimitPerMinute: perMinute })
      proxy = await startRecordingProxy(sim.url)
      const setup: HostSetup = {
        state,
        intercomUrl: proxy.url,
        clientId: sim.clientId,
        clientSecret,
        runtimeToken: token
      }
      hosts = await startHosts(setup, hostCount)
      sim.registerRedirectUri(hosts[0]!.redirectUri)
    })
    afterAll(async () => {
      await stopAll()
      await proxy?.close()
      await sim?.close()
      await state?.close()
    })

    it(`${perHost} create-contact per host: fails no action, meets at most 1 % 429s and ≥ 0.95 of the budget`, {
      timeout: 600_000
    }, async () => {
      const { connection } = await connectThroughOAuth(hosts[0]!, token)
      const runStarted = Date.now()
      const outcomes = await Promise.all(
        hosts.map((host, hostIndex) =>
          pool(
            Array.from({ length: perHost }, (_, index) => index),
            concurrencyPerHost,
            async (index) => {
              const answer = await runtimeCall<{ output?: unknown; error?: { code: string } }>(
                host,
                token,
                "/actions/intercom%2Fcreate-contact",
                {
                  connection: connection.id,
                  input: { role: "user", email: `budget-${backend}-${hostIndex}-${index}@example.com` }
                }
              )
              return answer.status === 200 ? "ok" : (answer.body.error?.code ?? `HTTP ${answer.status}`)
            }
          )
        )
      )
      const seconds = (Date.now() - runStarted) / 1000
      const failed = outcomes.flat().filter((outcome) => outcome !== "ok")
      const creates = proxy.exchanges.filter(
        (exchange) => exchange.method === "POST" && exchange.path === "/contacts" && exchange.at >= runStarted
      )
      const limited = creates.filter((exchange) => exchange.status === 429)
      const created = creates.filter((exchange) => exchange.status === 200)
      // The simulator's windows are wall-clock multiples of 10 s; those strictly inside the run are full.
      const windows = new Map<number, number>()
      for (const exchange of created) {
        const window = Math.floor(exchange.at / windowMillis)
        windows.set(window, (windows.get(window) ?? 0) + 1)
      }
      const spanned = [...windows.keys()].sort((a, b) => a - b)
      const full = spanned.slice(1, -1)
      const inFull = full.reduce((sum, window) => sum + (windows.get(window) ?? 0), 0)
      const throughput = inFull / (full.length * allowance)
      const perMinuteAchieved = (created.length / seconds) * 60
      console.log(
        `\nShared budget on ${backend}: ${created.length} created in ${seconds.toFixed(1)} s by ${hostCount} hosts (${perMinuteAchieved.toFixed(0)}/min against ${perMinute}/min); ${limited.length} of ${creates.length} requests were 429s (${((100 * limited.length) / Math.max(1, creates.length)).toFixed(2)} %); per window: ${spanned.map((window) => windows.get(window)).join(", ")} (allowance ${allowance}); throughput over the ${full.length} full windows ${(100 * throughput).toFixed(1)} % of the allowance\n`
      )

      expect(failed).toEqual([])
      expect(created).toHaveLength(hostCount * perHost)
      expect(limited.length).toBeLessThanOrEqual(0.01 * creates.length)
      expect(full.length).toBeGreaterThan(0)
      expect(throughput).toBeGreaterThanOrEqual(0.95)
    })
  }
)
