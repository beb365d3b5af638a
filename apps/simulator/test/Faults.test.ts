import { expect, it } from "@effect/vitest"
import { readRateLimit, windowAllowance } from "@taskjuice/intercom-client"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { afterEach, describe, vi } from "vitest"
import {
  FaultSyntaxError,
  formatFault,
  IntercomSimulator,
  parseFault,
  type Simulator,
  startSimulator
} from "../src/index.ts"
import { api, simulatorLayer, watchedFault } from "./support/Clocked.ts"

let sims: Array<Simulator> = []
afterEach(async () => {
  await Promise.all(sims.map((sim) => sim.close()))
  sims = []
})

const start = async (faults: ReadonlyArray<string>, seed: number | string = 7) => {
  const sim = await startSimulator({ clientSecret: "s", faults, seed, rateLimitPerMinute: 1_000_000 })
  sims.push(sim)
  return sim
}

const call = (sim: Simulator, method = "GET", path = "/tags", body?: unknown, signal?: AbortSignal) =>
  fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${Redacted.value(sim.accessToken)}`,
      "content-type": "application/json"
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal === undefined ? {} : { signal })
  })

describe("fault syntax", () => {
  it("reads route, kind, argument and probability, and prints them back", () => {
    expect(parseFault("POST /contacts:503@0.2")).toEqual({
      route: "POST /contacts",
      kind: "error",
      status: 503,
      probability: 0.2
    })
    expect(parseFault("*:slow=1500")).toEqual({ route: "*", kind: "slow", delayMs: 1500, probability: 1 })
    expect(parseFault("timeout")).toEqual({ route: "*", kind: "timeout", probability: 1 })
    expect(formatFault(parseFault("ShowContact:drop@0.5"))).toBe("ShowContact:drop@0.5")
    expect(parseFault("POST /contacts:drop-after")).toEqual({
      route: "POST /contacts",
      kind: "drop-after",
      probability: 1
    })
    expect(parseFault("CreateContact:slow-after=800@0.5")).toEqual({
      route: "CreateContact",
      kind: "slow-after",
      delayMs: 800,
      probability: 0.5
    })
    expect(formatFault(parseFault("POST /contacts:drop-after@0.25"))).toBe("POST /contacts:drop-after@0.25")
    expect(formatFault(parseFault("*:slow-after=300"))).toBe("*:slow-after=300")
  })

  it("explains a fault it cannot read", () => {
    expect(() => parseFault("*:explode")).toThrow(FaultSyntaxError)
    expect(() => parseFault("*:explode")).toThrow(/"explode" is not a fault kind.*Expected <route>:<kind>/)
    expect(() => parseFault("*:503@2")).toThrow(/probability must be a number from 0 to 1/)
    expect(() => parseFault("*:slow-after=soon")).toThrow(/slow-after takes a delay in milliseconds/)
    expect(() => parseFault("*:error=404")).toThrow(/error takes a 5xx status, e.g. error=503/)
    expect(() => parseFault("*:5xx=soon")).toThrow(/5xx takes a 5xx status/)
    expect(parseFault("*:error=502")).toEqual({ route: "*", kind: "error", status: 502, probability: 1 })
  })
})

describe("faults over HTTP", () => {
  it("5xx: answers the status with an error.list, and the rate-limit headers of the token's window", async () => {
    const sim = await start(["*:503"])
    const answer = await call(sim)
    expect(answer.status).toBe(503)
    const body = (await answer.json()) as { errors: Array<{ code: string }> }
    expect(sim.schemas.componentErrors("error", body)).toEqual([])
    expect(body.errors[0]?.code).toBe("service_unavailable")
    expect(readRateLimit(answer.headers)).toMatchObject({ limit: windowAllowance(1_000_000) })
    // Without a token there is no window to state.
    const anonymous = await fetch(`${sim.url}/tags`)
    expect(anonymous.status).toBe(503)
    expect(readRateLimit(anonymous.headers)).toBeUndefined()
    expect(sim.stats().windows.at(-1)).toMatchObject({
      requests: 2,
      faults: 2,
      byRoute: { listTags: { faults: 2 } }
    })
  })

  it.effect("slow: answers correctly, but late (on TestClock)", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      const slow = watchedFault({ route: "GET /tags", kind: "slow", delayMs: 300 })
      sim.setFaults([slow.rule])
      const answer = yield* Effect.forkChild(api(sim, "GET", "/tags"))
      yield* slow.reached
      yield* TestClock.adjust("299 millis")
      expect(answer.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(answer)).status).toBe(200)
    }).pipe(Effect.provide(simulatorLayer()))
  )

  it("timeout: never answers", async () => {
    const sim = await start(["*:timeout"])
    await expect(call(sim, "GET", "/tags", undefined, AbortSignal.timeout(400))).rejects.toThrow(
      /abort|timeout/i
    )
  })

  it("drop: closes the connection without an answer", async () => {
    const sim = await start(["*:drop"])
    await expect(call(sim)).rejects.toThrow(/fetch failed/)
  })

  it("malformed: answers 200 with JSON cut short, after doing the work", async () => {
    const sim = await start(["POST /contacts:malformed"])
    const answer = await call(sim, "POST", "/contacts", { email: "half@example.com" })
    expect(answer.status).toBe(200)
    const text = await answer.text()
    expect(() => JSON.parse(text)).toThrow()
    expect(sim.counts().contacts).toBe(1)
  })

  it("drop-after: does the work, then closes the connection without an answer", async () => {
    const sim = await start(["POST /contacts:drop-after"])
    await expect(call(sim, "POST", "/contacts", { email: "lost@example.com" })).rejects.toThrow(
      /fetch failed/
    )
    expect(sim.counts().contacts).toBe(1)
    sim.setFaults([])
    // The answer was lost, not the contact: creating it again is Intercom's 409.
    const again = await call(sim, "POST", "/contacts", { email: "lost@example.com" })
    expect(again.status).toBe(409)
  })

  it("drop-after: loses refusals too, and leaves other routes alone", async () => {
    const sim = await start(["CreateContact:drop-after"])
    await expect(call(sim, "POST", "/contacts", { email: 42 })).rejects.toThrow(/fetch failed/)
    expect(sim.counts().contacts).toBe(0)
    expect((await call(sim, "GET", "/contacts")).status).toBe(200)
  })

  it.effect("slow-after: the work is done at once, the answer leaves late (on TestClock)", () =>
    Effect.gen(function* () {
      const sim = yield* IntercomSimulator
      const late = watchedFault({ route: "POST /contacts", kind: "slow-after", delayMs: 400 })
      sim.setFaults([late.rule])
      const answer = yield* Effect.forkChild(api(sim, "POST", "/contacts", { email: "late@example.com" }))
      yield* late.reached
      // The clock has not moved: the contact is there before any of the 400 ms passes.
      yield* Effect.promise(() => vi.waitUntil(() => sim.counts().contacts === 1, { timeout: 10_000 }))
      yield* TestClock.adjust("399 millis")
      expect(answer.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      const done = yield* Fiber.join(answer)
      expect(done.status).toBe(200)
      expect(done.body.email).toBe("late@example.com")
    }).pipe(Effect.provide(simulatorLayer()))
  )

  it("slow-after: a client that gives up first still leaves the change behind", async () => {
    const sim = await start(["POST /contacts:slow-after=2000"])
    await expect(
      call(sim, "POST", "/contacts", { email: "gone@example.com" }, AbortSignal.timeout(300))
    ).rejects.toThrow(/abort|timeout/i)
    expect(sim.counts().contacts).toBe(1)
  })

  it("revoked: revokes the token, which then stays revoked", async () => {
    const sim = await start(["GET /me:revoked"])
    const revoked = await call(sim, "GET", "/me")
    expect(revoked.status).toBe(401)
    expect(((await revoked.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe(
      "token_revoked"
    )
    sim.setFaults([])
    expect((await call(sim, "GET", "/tags")).status).toBe(401)
  })

  it("applies per route (method + path template or operationId), leaving other routes alone", async () => {
    const sim = await start(["POST /contacts:500", "ShowContact:502"])
    expect((await call(sim, "POST", "/contacts", { email: "a@example.com" })).status).toBe(500)
    expect((await call(sim, "GET", "/contacts/0123456789abcdef01234567")).status).toBe(502)
    expect((await call(sim, "GET", "/tags")).status).toBe(200)
    expect((await call(sim, "GET", "/contacts")).status).toBe(200)
  })

  it("fires with the given probability, the same way for the same seed", async () => {
    const pattern = async (seed: number | string) => {
      const sim = await start(["*:503@0.5"], seed)
      const statuses: Array<number> = []
      for (let i = 0; i < 40; i++) statuses.push((await call(sim)).status)
      return statuses
    }
    const first = await pattern(42)
    const again = await pattern(42)
    const other = await pattern(43)
    expect(again).toEqual(first)
    expect(other).not.toEqual(first)
    const failures = first.filter((status) => status === 503).length
    expect(failures).toBeGreaterThan(8)
    expect(failures).toBeLessThan(32)
  })
})
