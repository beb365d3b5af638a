/**
 * Actions benchmark, measured side by side in one run.
 *
 * Run: node bench/actions.bench.ts
 *   BENCH_CALLS=<measured calls per action and side, default 1500>
 *   BENCH_BURST=<create-contact calls, default 2000>   BENCH_BUDGET=<requests per window, default 200>
 *   BENCH_WINDOW_MS=<window length, a multiple of 1000, default 1000; Intercom's is 10000>
 *
 * 1. Per-call overhead: each action through `executeAction` (input decode, rate limiter, typed client,
 *    output decode) against a raw `fetch` + `response.json()` of the same request to the same local
 *    server, run the way a host runs them (Effect.runPromiseWith over the services built once). Calls alternate one by one (raw, ours, raw, ours …) so that load from anything else on
 *    the machine hits both sides alike. Ratio = our median µs per call / raw median (target ≤ 1.15).
 * 2. Burst: BENCH_BURST create-contact actions at once against a local server that enforces
 *    BENCH_BUDGET requests per fixed window and answers 429 beyond it. Reported: throughput over
 *    budget (target ≥ 0.95), failed actions (target 0) and 429s as a share of requests (target ≤ 1 %).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { type AnyActionDefinition, executeAction } from "../src/actions/Action.ts"
import {
  CreateCompany,
  CreateContact,
  CreateConversation,
  GetContact,
  ListContacts,
  ListTags,
  ReplyConversation,
  UpdateContact
} from "../src/actions/index.ts"
import { buildApiVersion } from "../src/api/ApiVersion.ts"
import { IntercomApi } from "../src/api/IntercomApi.ts"
import { RateLimiter } from "../src/api/RateLimiter.ts"
import { startBudgetServer } from "../test/support/BudgetServer.ts"
import {
  company,
  contact,
  contactId,
  contactList,
  conversation,
  message,
  tagList
} from "../test/support/IntercomFixtures.ts"
import {
  json,
  type RecordedRequest,
  type Reply,
  startLoopbackServer
} from "../test/support/LoopbackServer.ts"

const calls = Number(process.env.BENCH_CALLS ?? 1500)
const burstSize = Number(process.env.BENCH_BURST ?? 2000)
const budget = Number(process.env.BENCH_BUDGET ?? 200)
const windowMillis = Number(process.env.BENCH_WINDOW_MS ?? 1000)
const token = "tok_bench_0123456789"

// ---------------------------------------------------------------------------------------------
// 1. Per-call overhead
// ---------------------------------------------------------------------------------------------

interface Case {
  readonly action: AnyActionDefinition
  readonly input: unknown
  readonly method: "GET" | "POST" | "PUT"
  readonly path: string
  /** The body a hand-written client would send (what the action sends). */
  readonly body?: unknown
  readonly reply: unknown
}

const tenContacts = contactList(
  Array.from({ length: 10 }, (_, index) => contact({ id: `c-${index}` })),
  { total: 1000, next: "c-9" }
)

const cases: ReadonlyArray<Case> = [
  {
    action: CreateContact,
    input: { role: "user", email: "ada@example.com", name: "Ada" },
    method: "POST",
    path: "/contacts",
    body: { role: "user", email: "ada@example.com", name: "Ada" },
    reply: contact()
  },
  {
    action: GetContact,
    input: { contact_id: contactId },
    method: "GET",
    path: `/contacts/${contactId}`,
    reply: contact()
  },
  {
    action: UpdateContact,
    input: { contact_id: contactId, name: "Ada King" },
    method: "PUT",
    path: `/contacts/${contactId}`,
    body: { name: "Ada King" },
    reply: contact()
  },
  {
    action: ListContacts,
    input: { per_page: 10 },
    method: "GET",
    path: "/contacts?per_page=10",
    reply: tenContacts
  },
  {
    action: CreateConversation,
    input: { from: { type: "user", id: contactId }, body: "Hello there" },
    method: "POST",
    path: "/conversations",
    body: { from: { type: "user", id: contactId }, body: "Hello there" },
    reply: message
  },
  {
    action: ReplyConversation,
    input: {
      conversation_id: "363",
      type: "admin",
      admin_id: "991267596",
      message_type: "comment",
      body: "On it"
    },
    method: "POST",
    path: "/conversations/363/reply",
    body: { type: "admin", admin_id: "991267596", message_type: "comment", body: "On it" },
    reply: conversation
  },
  {
    action: CreateCompany,
    input: { company_id: "acme-42", name: "Acme" },
    method: "POST",
    path: "/companies",
    body: { company_id: "acme-42", name: "Acme" },
    reply: company
  },
  { action: ListTags, input: {}, method: "GET", path: "/tags", reply: tagList }
]

/** Answers like Intercom, rate-limit headers included (with a budget that is never reached here). */
const overheadScript = (request: RecordedRequest): Reply => {
  const found = cases.find((c) => c.method === request.method && c.path.split("?")[0] === request.path)
  const resetAt = Math.floor(Date.now() / 1000) + 60
  return json(found === undefined ? 404 : 200, found?.reply ?? {}, {
    "x-ratelimit-limit": "100000000",
    "x-ratelimit-remaining": "99999999",
    "x-ratelimit-reset": String(resetAt)
  })
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const microsOf = async (call: () => Promise<unknown>): Promise<number> => {
  const started = process.hrtime.bigint()
  await call()
  return Number(process.hrtime.bigint() - started) / 1000
}

const perCallOverhead = async () => {
  const server = await startLoopbackServer(overheadScript)
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      IntercomApi.layer({ accessToken: Redacted.make(token), baseUrl: server.url }),
      RateLimiter.layer
    )
  )
  // A host runs actions with the services built once: the layers' context, reused by every call.
  const runPromise = Effect.runPromiseWith(await runtime.context())
  const headers = {
    authorization: `Bearer ${token}`,
    "intercom-version": buildApiVersion,
    accept: "application/json",
    "content-type": "application/json"
  }
  console.log(`\nPer-call overhead (${calls} calls per side, alternating raw and action; medians)`)
  console.log("action                          raw fetch µs   action µs   ratio   target ≤ 1.15")
  const rows: Array<{ key: string; ratio: number }> = []
  for (const benchCase of cases) {
    const raw = async () => {
      const response = await fetch(`${server.url}${benchCase.path}`, {
        method: benchCase.method,
        headers,
        ...(benchCase.body === undefined ? {} : { body: JSON.stringify(benchCase.body) })
      })
      return response.json()
    }
    const ours = () => runPromise(executeAction(benchCase.action, benchCase.input))
    // Warm up both paths (JIT, connection pool) before measuring.
    for (let index = 0; index < 200; index++) {
      await raw()
      await ours()
    }
    const rawTimes: Array<number> = []
    const ourTimes: Array<number> = []
    for (let index = 0; index < calls; index++) {
      rawTimes.push(await microsOf(raw))
      ourTimes.push(await microsOf(ours))
    }
    const ratio = median(ourTimes) / median(rawTimes)
    rows.push({ key: benchCase.action.key, ratio })
    console.log(
      `${benchCase.action.key.padEnd(32)}${median(rawTimes).toFixed(1).padStart(12)}${median(ourTimes).toFixed(1).padStart(12)}${ratio.toFixed(3).padStart(8)}   ${ratio <= 1.15 ? "ok" : "OVER"}`
    )
  }
  await runtime.dispose()
  await server.close()
  return rows
}

// ---------------------------------------------------------------------------------------------
// 2. Burst against a budget in fixed windows
// ---------------------------------------------------------------------------------------------

const burst = async () => {
  const budgetServer = await startBudgetServer({ budget, windowMillis })
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      IntercomApi.layer({ accessToken: Redacted.make(token), baseUrl: budgetServer.server.url }),
      RateLimiter.layer
    )
  )
  // Start on a window boundary so every window the burst touches is a whole one.
  await new Promise((resolve) => setTimeout(resolve, windowMillis - (Date.now() % windowMillis) + 1))
  const started = Date.now()
  const outcomes = await runtime.runPromise(
    Effect.forEach(
      Array.from({ length: burstSize }, (_, index) => index),
      (index) => Effect.exit(executeAction(CreateContact, { email: `burst-${index}@example.com` })),
      { concurrency: "unbounded" }
    )
  )
  const elapsed = Date.now() - started
  await runtime.dispose()
  await budgetServer.server.close()

  const failed = outcomes.filter((exit) => exit._tag === "Failure").length
  const served = budgetServer.served()
  const limited = budgetServer.rateLimited()
  const requests = served + limited
  const windows = budgetServer.servedPerWindow()
  const fills = [...windows.values()]
  const fullWindows = Math.ceil(served / budget)
  // Share of the budget spent in the windows the burst used (the last window may be partial by design).
  const throughputOverBudget = served / (budget * Math.max(fullWindows, windows.size))
  const wallClockRate = served / (elapsed / 1000) / (budget / (windowMillis / 1000))
  console.log(
    `\nBurst: ${burstSize} create-contact actions at once; budget ${budget} requests per ${windowMillis} ms window`
  )
  console.log(`windows used ${windows.size} (minimum ${fullWindows}); served per window: ${fills.join(", ")}`)
  console.log(
    `throughput / budget            ${throughputOverBudget.toFixed(3)}   target ≥ 0.95   ${throughputOverBudget >= 0.95 ? "ok" : "UNDER"}`
  )
  console.log(
    `  (wall clock: ${(served / (elapsed / 1000)).toFixed(1)} req/s vs budget ${(budget / (windowMillis / 1000)).toFixed(1)} req/s = ${wallClockRate.toFixed(3)}; the last window ends early)`
  )
  console.log(
    `failed actions                 ${failed}        target 0        ${failed === 0 ? "ok" : "FAILED"}`
  )
  console.log(
    `429s / requests                ${limited} / ${requests} = ${((limited / requests) * 100).toFixed(2)} %   target ≤ 1 %   ${limited / requests <= 0.01 ? "ok" : "OVER"}`
  )
  console.log(`elapsed                        ${(elapsed / 1000).toFixed(1)} s`)
}

console.log(`Intercom actions benchmark (API ${buildApiVersion}, Node ${process.version})`)
await perCallOverhead()
await burst()
