/**
 * Actions benchmark, measured side by side in one run.
 *
 * Run: node bench/actions.bench.ts
 *   BENCH_CALLS=<measured calls per action and side, default 1500>
 *   BENCH_SERVER=process (default: the loopback server runs in a child process) | inline (in this one)
 *   BENCH_BURST=<create-contact calls, default 2000>   BENCH_BUDGET=<requests per window, default 200>
 *   BENCH_WINDOW_MS=<window length, a multiple of 1000, default 1000; Intercom's is 10000>
 *
 * 1. Per-call overhead: each action through `executeAction` (input decode, rate limiter, typed client,
 *    answer check) against a raw `fetch` + `response.json()` sending the same method, path, headers
 *    and body to the same local server (the target: ratio = action / raw fetch ≤ 1.15), and against
 *    the same exchange through undici's `request` + `body.json()`, undici's own request API on the
 *    global dispatcher the client's transport dispatches on (the target: ≤ 1.25, what our layers may
 *    cost over the bare transport). Actions run the way a host runs them
 *    (Effect.runPromiseWith over the services built once). The three sides run in turn, forwards then
 *    backwards, so each follows each other equally often (whichever call runs second pays for what
 *    the first left in the caches and the heap). Wall: median µs per call.
 *    Client CPU: this thread's CPU time per call, from alternating blocks of calls (the clock ticks in
 *    4 ms steps, so per-call readings would be noise), reported for information.
 *    Why the server runs in a child process: its parsing, serialising and GC then happen on another
 *    thread, not interleaved with the client's work on the one being measured, and the client's CPU
 *    per call can be read at all. Every side still waits for the same server, as a host would.
 * 2. Layers: get-contact and create-contact peeled one layer at a time, in one interleaved run (raw
 *    fetch; raw undici request; the two client designs below, each against the raw request;
 *    IntercomApi.call, which adds the Effect fiber, rate limiter, timeout, answer check and error
 *    mapping; the action's run; executeAction, which adds the input decode and retry wrapper).
 * 3. Burst: BENCH_BURST create-contact actions at once against a local server that enforces
 *    BENCH_BUDGET requests per fixed window and answers 429 beyond it. Reported: throughput over
 *    budget (target ≥ 0.95), failed actions (target 0) and 429s as a share of requests (target ≤ 1 %).
 *
 * The client, two designs (issue 15), measured on the 2-vCPU dev VM, which five other engineers load:
 * - A, openapi-fetch's public API for every call (`createClient` with a `fetch` over undici, and a
 *   middleware for the Intercom headers and the rate-limit reading; commit "client: built through
 *   openapi-fetch's public API only (design A)"): every action 0.91–1.11× raw fetch (within 1.15)
 *   but 1.44–1.78× raw undici request (target 1.25; the seam it replaced: 0.77–1.02× and 1.32–1.58×).
 *   The client layer alone adds 97–190 µs over the raw request: openapi-fetch builds a WHATWG Request
 *   per call (the body into a stream, read back out by the transport), awaits each middleware, and
 *   the transport builds a WHATWG Response (its Headers alone cost ~25 µs, as much as the Response).
 *   Measured alongside in every run as "IntercomClient via openapi-fetch": any middleware sends a
 *   call that way.
 * - B, what the client does now: a typed `call(operationId, …)` over the generated operations table
 *   (and openapi-fetch's method surface over the same path), going straight to undici with
 *   openapi-fetch's own serialisers and reading rules, plain prebuilt headers, and the Response built
 *   only when read; openapi-fetch's own client still serves middleware. Over five runs (loads 10–34):
 *   every action 0.52–0.93× raw fetch (within 1.15), and 1.16–1.41× raw undici request (the 1.25
 *   target met by 3 to 5 of the 8 actions per run). The client layer adds 1–16 µs over the raw
 *   request (design A, measured alongside: 115–239 µs). What is left over the
 *   transport's floor is IntercomApi.call (+44–60 µs: the Effect fiber ~18, the per-request timer and
 *   AbortController, whose signal undici follows, ~20, the compiled answer check ~13) and
 *   executeAction (+6–10 µs), not the client. (Those were design B's figures at its commit.)
 *
 * Then the per-call costs of design B were cut (issue 15's undici target), each step profiled
 * (`node --cpu-prof`, self time per function, against a raw request's profile) and kept only if it
 * helped. Before (one run, load 0.6–1.6): every action 0.68–0.94× raw fetch and 1.17–1.33× raw undici
 * request (layers: client direct +10–12 µs over the raw request, IntercomApi.call +44–55,
 * executeAction +21–24). After, four runs (two pairs in a row, loads 0.7–1.1): every action
 * 0.67–0.85× raw fetch and 1.02–1.12× raw undici request (layers: client direct 17–50 µs under the
 * raw request, IntercomApi.call +27–52, executeAction +10–16; the burst unchanged, 1.000 of the
 * budget, no 429).
 * What each step took off, in µs of client CPU per call (from A/B runs and the profiles' self time;
 * hot-loop figures, with no HTTP, marked so):
 * - the transport: undici's dispatcher with a handler that gathers the answer's chunks, instead of
 *   `request`, whose Readable body `body.arrayBuffer()` read back out (~30, which is why the client
 *   now costs less than the raw request); the origin split from the base URL once and each path
 *   template read once, not a regex and a replace over the whole URL and a URL parsed again (~5);
 *   Buffer's UTF-8 decoder, not TextDecoder, which wrapped every body in a new Buffer (~3);
 * - the timeout: one timer per IntercomApi for every request's deadline, not a timer set and cleared
 *   per request (hot: ~3–4 µs);
 * - IntercomApi.call: one step reading the limiter and the Clock from the fiber and one suspension
 *   resuming with the outcome, the limiter granting and learning at once when that needs no store
 *   round trip (`tryAcquireUnsafe`, `tryObserveUnsafe`), not a chain of Effects (hot: 5.1 → 3.0 µs);
 * - the answer check: a guard without the open rest of each Intercom object, which visited every
 *   unmodelled field (hot: 1.45 → 0.87 µs for a contact);
 * - the input decode: a value without excess keys through the lenient decoder (effect's strict
 *   decode builds a Set of covered keys per object per call; ~5, hot 0.7 → 0.25 µs).
 * What remains over the raw request is the Effect fiber each action runs on (runPromise, its
 * suspension's AsyncResource), the AbortController whose signal the transport follows (~4: Node's
 * EventTarget listener), the limiter's bookkeeping and the checks themselves.
 * Each step costs several times what it does in a hot loop: between two HTTP exchanges the caches
 * are cold.
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import {
  createIntercomClient,
  defaultUserAgent,
  type IntercomClient,
  rateLimitHeaders
} from "@taskjuice/intercom-client"
import {
  type Answer,
  json,
  median,
  microsOf,
  type RecordedRequest,
  startRecordingServer
} from "@taskjuice/intercom-testkit"
import {
  company,
  contact,
  contactId,
  contactList,
  conversation,
  intercomBudget,
  message,
  tagList
} from "@taskjuice/intercom-testkit/intercom"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { request } from "undici"
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
import { buildApiVersion, objectPath } from "../src/api/ApiVersion.ts"
import { IntercomApi } from "../src/api/IntercomApi.ts"
import { Contact } from "../src/api/IntercomObjects.ts"
import { RateLimiter } from "../src/api/RateLimiter.ts"

const calls = Number(process.env.BENCH_CALLS ?? 1500)
const burstSize = Number(process.env.BENCH_BURST ?? 2000)
const budget = Number(process.env.BENCH_BUDGET ?? 200)
const windowMillis = Number(process.env.BENCH_WINDOW_MS ?? 1000)
const token = "tok_bench_0123456789"
/** Run with this flag, the file only serves the overhead answers (the child process). */
const serveFlag = "--serve"

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
const overheadScript = (request: RecordedRequest): Answer => {
  const found = cases.find((c) => c.method === request.method && c.path.split("?")[0] === request.path)
  const resetAt = Math.floor(Date.now() / 1000) + 60
  return json(
    found === undefined ? 404 : 200,
    found?.reply ?? {},
    rateLimitHeaders({ limit: 100_000_000, remaining: 99_999_999, resetAt })
  )
}

/** The overhead server keeps no requests: a benchmark's thousands of them would only fill its heap. */
const startOverheadLoopback = () => startRecordingServer({ answer: overheadScript, maxRecorded: 0 })

const threadCpuMicros = (): number => {
  const usage = process.threadCpuUsage()
  return usage.user + usage.system
}

/** The overhead server, in a child process (default) or in this one. */
const startOverheadServer = async (): Promise<{
  readonly url: string
  readonly close: () => Promise<void>
}> => {
  if (process.env.BENCH_SERVER === "inline") return startOverheadLoopback()
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), serveFlag], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const [line] = (await once(child.stdout.setEncoding("utf8"), "data")) as [string]
  const url = line.trim()
  return {
    url,
    close: async () => {
      child.kill()
      await once(child, "exit")
    }
  }
}

/** What every Intercom request carries, exactly as the client sends it. */
const intercomHeaders = {
  authorization: `Bearer ${token}`,
  "intercom-version": buildApiVersion,
  accept: "application/json",
  "user-agent": defaultUserAgent
}

/** What a hand-written client sends for the case: method, headers and the JSON body, if any. */
const rawInit = (benchCase: Case) => ({
  method: benchCase.method,
  ...(benchCase.body === undefined
    ? { headers: intercomHeaders }
    : {
        headers: { ...intercomHeaders, "content-type": "application/json" },
        body: JSON.stringify(benchCase.body)
      })
})

const rawCall = (url: string, benchCase: Case) => async () => {
  const response = await fetch(`${url}${benchCase.path}`, rawInit(benchCase))
  return response.json()
}

/** The same exchange through undici's `request` (on the dispatcher the client uses) + `body.json()`. */
const rawRequestCall = (url: string, benchCase: Case) => async () => {
  const { body } = await request(`${url}${benchCase.path}`, rawInit(benchCase))
  return body.json()
}

/** Runs the calls in `order` then in reverse, `rounds` times: each follows each of its neighbours alike. */
const interleaved = async (
  calls: ReadonlyArray<() => Promise<unknown>>,
  rounds: number
): Promise<ReadonlyArray<ReadonlyArray<number>>> => {
  const times = calls.map((): Array<number> => [])
  const order = calls.map((_, index) => index)
  for (let round = 0; round < rounds; round++)
    for (const index of round % 2 === 0 ? order : [...order].reverse())
      times[index]?.push(await microsOf(calls[index] ?? (() => Promise.resolve())))
  return times
}

/** Client-thread CPU µs per call, from alternating blocks of `block` calls of each. */
const cpuPerCall = async (
  calls: ReadonlyArray<() => Promise<unknown>>,
  total: number,
  block = 25
): Promise<ReadonlyArray<number>> => {
  const spent = calls.map(() => 0)
  for (let done = 0; done < total; done += block)
    for (const [index, call] of calls.entries()) {
      const started = threadCpuMicros()
      for (let step = 0; step < block; step++) await call()
      spent[index] = (spent[index] ?? 0) + threadCpuMicros() - started
    }
  return spent.map((micros) => micros / (Math.ceil(total / block) * block))
}

const fixed = (value: number, width: number, digits = 1) => value.toFixed(digits).padStart(width)

const perCallOverhead = async (server: { readonly url: string }) => {
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      IntercomApi.layer({ accessToken: Redacted.make(token), baseUrl: server.url }),
      RateLimiter.layer
    )
  )
  // A host runs actions with the services built once: the layers' context, reused by every call.
  const runPromise = Effect.runPromiseWith(await runtime.context())
  console.log(
    `\nPer-call overhead (${calls} calls per side, raw/action alternating ABBA; server: ${process.env.BENCH_SERVER === "inline" ? "in this process" : "child process"})`
  )
  console.log(
    "action                        fetch µs  action µs  ratio  target ≤ 1.15 │ request µs  ratio │ client CPU µs: fetch  request  action  ratio"
  )
  for (const benchCase of cases) {
    const raw = rawCall(server.url, benchCase)
    const rawRequest = rawRequestCall(server.url, benchCase)
    const ours = () => runPromise(executeAction(benchCase.action, benchCase.input))
    const sides = [raw, rawRequest, ours]
    // Warm up every path (JIT, connection pool) before measuring.
    await interleaved(sides, 200)
    const [rawTimes = [], requestTimes = [], ourTimes = []] = await interleaved(sides, calls)
    const [rawCpu = Number.NaN, requestCpu = Number.NaN, ourCpu = Number.NaN] = await cpuPerCall(sides, calls)
    const ratio = median(ourTimes) / median(rawTimes)
    console.log(
      `${benchCase.action.key.padEnd(30)}${fixed(median(rawTimes), 8)}${fixed(median(ourTimes), 11)}${fixed(ratio, 7, 3)}  ${ratio <= 1.15 ? "ok  " : "OVER"}           │${fixed(median(requestTimes), 11)}${fixed(median(ourTimes) / median(requestTimes), 7, 3)} │${fixed(rawCpu, 22)}${fixed(requestCpu, 9)}${fixed(ourCpu, 8)}${fixed(ourCpu / rawCpu, 7, 3)}`
    )
  }
  await runtime.dispose()
}

const layerBreakdown = async (server: { readonly url: string }) => {
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      IntercomApi.layer({ accessToken: Redacted.make(token), baseUrl: server.url }),
      RateLimiter.layer
    )
  )
  const context = await runtime.context()
  const runPromise = Effect.runPromiseWith(context)
  const api = Context.get(context, IntercomApi)
  const client = createIntercomClient({ accessToken: token, baseUrl: server.url })
  // Any middleware sends every call through openapi-fetch's own client (createClient, its fetch over
  // the same undici transport, our headers as middleware): the public-API design, measured alongside.
  const viaOpenapiFetch = createIntercomClient({
    accessToken: token,
    baseUrl: server.url,
    middleware: [{ onRequest: () => undefined }]
  })
  const getContact = cases.find((c) => c.action === GetContact)
  const createContact = cases.find((c) => c.action === CreateContact)
  const layerCases = [
    {
      benchCase: getContact,
      send: (client: IntercomClient, signal: AbortSignal) => {
        const path = objectPath("ShowContact", contactId)
        return client.GET(path.url, { params: { path: path.parameters }, signal })
      }
    },
    {
      benchCase: createContact,
      send: (client: IntercomClient, signal: AbortSignal) =>
        client.POST("/contacts", { body: { role: "user", email: "ada@example.com", name: "Ada" }, signal })
    }
  ]
  console.log(`\nLayers (${calls} calls each, interleaved; median µs and the step each layer adds)`)
  for (const { benchCase, send } of layerCases) {
    if (benchCase === undefined) continue
    const operation = { operation: "ShowContact", idempotent: true, answer: Contact } as const
    const layers: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
      ["raw fetch + json()", rawCall(server.url, benchCase)],
      ["raw undici request + json()", rawRequestCall(server.url, benchCase)],
      [
        "IntercomClient via openapi-fetch (public API)",
        () => send(viaOpenapiFetch, new AbortController().signal)
      ],
      ["IntercomClient direct (call, undici)", () => send(client, new AbortController().signal)],
      ["IntercomApi.call (fiber, limiter, timeout, check)", () => runPromise(api.call(operation, send))],
      ["action run", () => runPromise(benchCase.action.run(benchCase.input, { attempt: 0 }))],
      [
        "executeAction (+ input decode, retry)",
        () => runPromise(executeAction(benchCase.action, benchCase.input))
      ]
    ]
    const layerCalls = layers.map(([, call]) => call)
    await interleaved(layerCalls, 200)
    const times = (await interleaved(layerCalls, calls)).map(median)
    const base = times[0] ?? Number.NaN
    console.log(`${benchCase.action.key}`)
    for (const [index, [name]] of layers.entries()) {
      const time = times[index] ?? Number.NaN
      // Raw request against raw fetch; the two client designs against the raw request; every later
      // layer against the one before it.
      const previous = index === 0 ? undefined : index === 1 ? 0 : index <= 3 ? 1 : index - 1
      const step = previous === undefined ? Number.NaN : time - (times[previous] ?? Number.NaN)
      console.log(
        `  ${name.padEnd(50)}${fixed(time, 8)}${fixed(time / base, 7, 3)}${Number.isNaN(step) ? "" : `  ${step >= 0 ? "+" : ""}${step.toFixed(1)} µs`}`
      )
    }
  }
  await runtime.dispose()
}

// ---------------------------------------------------------------------------------------------
// 2. Burst against a budget in fixed windows
// ---------------------------------------------------------------------------------------------

const burst = async () => {
  const windowBudget = intercomBudget({ allowance: budget, windowMillis })
  const budgetServer = await startRecordingServer({
    gate: windowBudget,
    answer: json(200, contact()),
    routes: { "POST /contacts/search": json(200, contactList([])) },
    maxRecorded: 0
  })
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      IntercomApi.layer({ accessToken: Redacted.make(token), baseUrl: budgetServer.url }),
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
  await budgetServer.close()

  const failed = outcomes.filter((exit) => exit._tag === "Failure").length
  const served = windowBudget.served()
  const limited = windowBudget.rateLimited()
  const requests = served + limited
  const windows = windowBudget.servedPerWindow()
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

if (process.argv.includes(serveFlag)) {
  const server = await startOverheadLoopback()
  console.log(server.url)
} else {
  console.log(`Intercom actions benchmark (API ${buildApiVersion}, Node ${process.version})`)
  const server = await startOverheadServer()
  await perCallOverhead(server)
  await layerBreakdown(server)
  await server.close()
  await burst()
}
