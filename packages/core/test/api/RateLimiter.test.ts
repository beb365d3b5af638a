import { assert, describe, it } from "@effect/vitest"
import { inOrder, json, recordingServer, silence } from "@taskjuice/intercom-testkit"
import { contact, contactId, contactList, intercomBudget } from "@taskjuice/intercom-testkit/intercom"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { executeAction } from "../../src/actions/Action.ts"
import { CreateContact } from "../../src/actions/CreateContact.ts"
import { GetContact } from "../../src/actions/GetContact.ts"
import { IntercomApi } from "../../src/api/IntercomApi.ts"
import {
  decide,
  decideLease,
  forget,
  learn,
  maxLease,
  RateLimiter,
  resetGuardMillis
} from "../../src/api/RateLimiter.ts"
import { RateLimitStore, type RateLimitWindow } from "../../src/api/RateLimitStore.ts"

const window = (
  remaining: number,
  resetAtMillis: number | undefined,
  windowBudget: number
): RateLimitWindow => ({
  remaining,
  resetAtMillis,
  windowBudget
})

describe("RateLimiter decisions", () => {
  it("lets the first request go alone, then paces from the answer", () => {
    const [first, probing] = decide(undefined, 0)
    assert.strictEqual(first._tag, "Granted")
    assert.strictEqual(decide(probing, 0)[0]._tag, "Wait")
    const known = learn(probing, { limit: 100, remaining: 99, resetAt: 10 }, false, 1)
    assert.deepStrictEqual(known, window(99, 10_000, 100))
  })

  it("waits for the reset once the window's budget is spent, then grants a fresh window", () => {
    const spent = window(0, 10_000, 100)
    const [wait] = decide(spent, 4_000)
    assert.deepStrictEqual(wait, { _tag: "Wait", millis: 6_002 })
    const [granted, next] = decide(spent, 10_002)
    assert.strictEqual(granted._tag, "Granted")
    assert.deepStrictEqual(next, window(99, undefined, 100))
  })

  it("grants nothing just before a reset, where a request could land in the next window", () => {
    const open = window(5, 10_000, 100)
    assert.strictEqual(decide(open, 10_000 - resetGuardMillis - 1)[0]._tag, "Granted")
    assert.deepStrictEqual(decide(open, 10_000 - resetGuardMillis)[0], {
      _tag: "Wait",
      millis: resetGuardMillis + 2
    })
  })

  it("sends another probe when the probe's answer comes from a window that has ended", () => {
    const [, probing] = decide(undefined, 0)
    const stale = learn(probing, { limit: 100, remaining: 99, resetAt: 10 }, false, 10_001)
    assert.strictEqual(decide(stale, 10_001)[0]._tag, "Granted")
  })

  it("takes the lower of its own count and the server's (another worker may share the budget)", () => {
    assert.strictEqual(
      learn(window(50, 10_000, 100), { limit: 100, remaining: 20, resetAt: 10 }, false, 1).remaining,
      20
    )
    assert.strictEqual(
      learn(window(20, 10_000, 100), { limit: 100, remaining: 50, resetAt: 10 }, false, 1).remaining,
      20
    )
  })

  it("ignores answers from windows that have ended", () => {
    const current = window(40, 20_000, 100)
    assert.strictEqual(learn(current, { limit: 100, remaining: 0, resetAt: 10 }, false, 15_000), current)
  })

  it("a 429 stops everything until its reset", () => {
    assert.deepStrictEqual(
      learn(window(40, 10_000, 100), { limit: 100, remaining: 0, resetAt: 20 }, true, 11_000),
      window(0, 20_000, 100)
    )
  })

  it("a probe that got no answer frees its slot", () => {
    assert.deepStrictEqual(forget(window(0, undefined, 1)), window(1, undefined, 1))
    assert.deepStrictEqual(forget(window(0, 10_000, 100)), window(0, 10_000, 100))
  })

  it("without rate-limit headers nothing is held back", () => {
    const [, probing] = decide(undefined, 0)
    const open = learn(probing, undefined, false, 1)
    assert.strictEqual(decide(open, 2)[0]._tag, "Granted")
    assert.strictEqual(decide(decide(open, 2)[1], 3)[0]._tag, "Granted")
  })
})

/**
 * A loopback Intercom keeping Intercom's budget in one-second windows, answering a create-contact (and
 * the search a retried one makes first).
 */
const budgetedIntercom = (allowance: number) => {
  const budget = intercomBudget({ allowance, windowMillis: 1000 })
  return recordingServer({
    gate: budget,
    answer: json(200, contact()),
    routes: { "POST /contacts/search": json(200, contactList([])) }
  }).pipe(Effect.map((server) => ({ server, budget })))
}

describe("RateLimiter against a budget server", () => {
  it.live("a burst spends the budget window by window without a 429", () =>
    Effect.gen(function* () {
      const { server, budget } = yield* budgetedIntercom(15)
      const layer = Layer.mergeAll(
        IntercomApi.layer({ accessToken: Redacted.make("tok_budget"), baseUrl: server.url }),
        RateLimiter.layer
      )
      const calls = Array.from({ length: 40 }, (_, index) => ({ email: `p${index}@example.com` }))
      yield* Effect.forEach(calls, (input) => executeAction(CreateContact, input), {
        concurrency: "unbounded"
      }).pipe(Effect.provide(layer))
      yield* Effect.promise(() => server.close())
      assert.strictEqual(budget.rateLimited(), 0)
      assert.strictEqual(budget.served(), 40)
      const fills = [...budget.servedPerWindow().values()]
      assert.isTrue(fills.every((count) => count <= 15))
      // The first window is partial (the burst starts anywhere in it, and the limiter sends nothing
      // in its last moments); every window after it is spent in full until the burst runs out.
      assert.isTrue(
        fills.slice(1, -1).every((count) => count === 15),
        `fills ${fills.join(", ")}`
      )
      assert.isAtLeast(fills.length, 3)
    })
  )

  it.live("workspaces (tokens) have separate budgets", () =>
    Effect.gen(function* () {
      const { server, budget } = yield* budgetedIntercom(5)
      const memory = RateLimitStore.makeMemory()
      const windows = new Map<string, RateLimitWindow>()
      const recording = Layer.succeed(RateLimitStore, {
        modify: (key, f) =>
          memory.modify(key, (current) => {
            const [result, next] = f(current)
            windows.set(key, next)
            return [result, next] as const
          })
      })
      const run = (token: string) =>
        Effect.forEach(Array.from({ length: 5 }), () => executeAction(CreateContact, { email: "a@b.co" }), {
          concurrency: "unbounded"
        }).pipe(Effect.provide(IntercomApi.layer({ accessToken: Redacted.make(token), baseUrl: server.url })))
      yield* Effect.all([run("tok_a"), run("tok_b")], { concurrency: "unbounded" }).pipe(
        Effect.provide(RateLimiter.layerStore.pipe(Layer.provide(recording)))
      )
      yield* Effect.promise(() => server.close())
      assert.strictEqual(budget.served(), 10)
      assert.strictEqual(budget.rateLimited(), 0)
      // One window per workspace, each learning a budget of 5 from its own answers: had they shared
      // one key, ten requests would have competed for five permits.
      assert.strictEqual(windows.size, 2)
      assert.deepStrictEqual(
        [...windows.values()].map((window) => window.windowBudget),
        [5, 5]
      )
    })
  )

  it.live("a request interrupted or timed out frees its reservation: the next one still goes out", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer({
        answer: inOrder(silence, silence, json(200, contact()))
      })
      const getContact = executeAction(GetContact, { contact_id: contactId })
      // One limiter for all three: the first request is the window's probe, which goes out alone, so
      // a reservation kept by either unanswered one would hold the next request back for good.
      const api = Layer.mergeAll(
        IntercomApi.layer({
          accessToken: Redacted.make("tok_release"),
          baseUrl: server.url,
          requestTimeout: Duration.millis(200)
        }),
        RateLimiter.layer
      )
      const result = yield* Effect.gen(function* () {
        const interrupted = yield* Effect.forkChild(getContact)
        while (server.requests.length === 0) yield* Effect.sleep(5)
        yield* Fiber.interrupt(interrupted)
        const timedOut = yield* GetContact.run({ contact_id: contactId }, { attempt: 0 }).pipe(Effect.flip)
        assert.deepInclude(timedOut.reason, { _tag: "Transport", kind: "timeout" })
        return yield* getContact
        // A reservation kept would hold a request back for good: bounded, so that fails, not hangs.
      }).pipe(Effect.provide(api), Effect.timeout("10 seconds"))
      assert.strictEqual(result.id, contactId)
      assert.strictEqual(server.requests.length, 3)
    })
  )

  it.live("a shared window is asked once per lease, and not told of answers that change nothing", () =>
    Effect.gen(function* () {
      const { server } = yield* budgetedIntercom(1000)
      let roundTrips = 0
      const memory = RateLimitStore.makeMemory()
      // A store without `modifyUnsafe`: the limiter over a shared store, whose every call is counted.
      const counting = Layer.succeed(RateLimitStore, {
        modify: (key, f) =>
          Effect.andThen(
            Effect.sync(() => roundTrips++),
            memory.modify(key, f)
          )
      })
      const calls = Array.from({ length: 41 }, (_, index) => ({ email: `l${index}@example.com` }))
      yield* Effect.forEach(calls, (input) => executeAction(CreateContact, input)).pipe(
        Effect.provide(IntercomApi.layer({ accessToken: Redacted.make("tok_lease"), baseUrl: server.url })),
        Effect.provide(RateLimiter.layerStore.pipe(Layer.provide(counting)))
      )
      // The probe and its answer, then a lease of 10 (1 % of 1,000) per ten requests, and only the
      // first answer of each lease written back: about 2 per 10, a round trip each would be 82.
      assert.isAtMost(roundTrips, 2 + 4 * 2 + 2)
      assert.isAtLeast(roundTrips, 2 + 4)
    })
  )

  it.effect("the state sits behind RateLimitStore, so another store can be plugged in", () =>
    Effect.gen(function* () {
      const keys: Array<string> = []
      const memory = RateLimitStore.makeMemory()
      const recording = Layer.succeed(RateLimitStore, {
        modify: (key, f) => {
          keys.push(key)
          return memory.modify(key, f)
        }
      })
      const limiter = yield* Effect.service(RateLimiter).pipe(
        Effect.provide(RateLimiter.layerStore.pipe(Layer.provide(recording)))
      )
      yield* limiter.acquire("workspace-1")
      yield* limiter.observe("workspace-1", { limit: 10, remaining: 9, resetAt: 10 }, false)
      assert.deepStrictEqual(keys, ["workspace-1", "workspace-1"])
    })
  )

  describe("leases from a shared window", () => {
    const now = 1_000_000
    const window = (remaining: number, windowBudget = 1000): RateLimitWindow => ({
      remaining,
      resetAtMillis: now + 5000,
      windowBudget
    })

    it("the probe goes out alone; a known window leases at most 1 % of its budget, capped", () => {
      const [[probe, probePermits]] = decideLease(undefined, now)
      assert.strictEqual(probe._tag, "Granted")
      assert.strictEqual(probePermits, 1)
      const [[granted, permits, next]] = decideLease(window(500), now)
      assert.strictEqual(granted._tag, "Granted")
      assert.strictEqual(permits, 10)
      assert.strictEqual(next.remaining, 490)
      assert.strictEqual(decideLease(window(500, 100_000), now)[0][1], maxLease)
      assert.strictEqual(decideLease(window(5, 50), now)[0][1], 1)
    })

    it("never leases more than the window has, and nothing inside the reset guard", () => {
      const [[, permits, next]] = decideLease(window(3), now)
      assert.strictEqual(permits, 3)
      assert.strictEqual(next.remaining, 0)
      assert.strictEqual(decideLease(window(0), now)[0][0]._tag, "Wait")
      assert.strictEqual(decideLease(window(500), now + 5000 - resetGuardMillis)[0][0]._tag, "Wait")
      const rolledOver = { remaining: 1000, resetAtMillis: undefined, windowBudget: 1000 }
      assert.strictEqual(
        decideLease(rolledOver, now)[0][1],
        1,
        "one at a time until the new window is learned"
      )
    })
  })
})
