/**
 * Action overhead per state backend, measured side by side in one run.
 *
 * Run: node bench/actions.bench.ts (or `pnpm bench`)   BENCH_CALLS=<measured calls per action and side, default 800>
 *
 * Each action runs through the core's `executeAction` with the `RateLimiter` over each backend's
 * `RateLimitStore` (memory: the in-process store, one synchronous step; SQLite: a `BEGIN IMMEDIATE`
 * transaction on a file; Redis: one compare-and-set script on this run's own redis-server), against one
 * loopback server in a child process that answers like Intercom, rate-limit headers included. The three
 * sides run in turn, forwards then backwards (each follows each other equally often). Reported: the
 * median µs per call and the ratio to memory per action (target for Redis: ≤ 1.3). Over a shared store
 * the limiter leases up to 16 permits per reserve (1 % of the budget), so most actions here make no store
 * round trip; the last line is what one that does pays: one reserve on each store by itself.
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { rateLimitHeaders } from "@taskjuice/intercom-client"
import {
  type AnyActionDefinition,
  CreateContact,
  executeAction,
  GetContact,
  IntercomApi,
  ListTags,
  RateLimiter,
  RateLimitStore,
  ReplyConversation,
  UpdateContact,
  webhookFixtureUrl
} from "@taskjuice/intercom-core"
import {
  interleaved,
  json,
  median,
  startRecordingServer,
  startRedisServer
} from "@taskjuice/intercom-testkit"
import { errorList } from "@taskjuice/intercom-testkit/intercom"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { generateStateKey, parseStateKeys, State, type StateLocation } from "../src/index.ts"

const calls = Number(process.env.BENCH_CALLS ?? 800)
const serveFlag = "--serve"

const itemOf = (topic: string): unknown =>
  (JSON.parse(readFileSync(webhookFixtureUrl(topic), "utf8")) as { data: { item: unknown } }).data.item
const contact = itemOf("contact.user.created") as { id: string }
const conversation = itemOf("conversation.user.replied") as { id: string }

interface Case {
  readonly action: AnyActionDefinition
  readonly input: unknown
  readonly method: string
  readonly path: string
  readonly reply: unknown
}

const cases: ReadonlyArray<Case> = [
  {
    action: CreateContact,
    input: { role: "user", email: "ada@example.com" },
    method: "POST",
    path: "/contacts",
    reply: contact
  },
  {
    action: GetContact,
    input: { contact_id: contact.id },
    method: "GET",
    path: `/contacts/${contact.id}`,
    reply: contact
  },
  {
    action: UpdateContact,
    input: { contact_id: contact.id, name: "Ada King" },
    method: "PUT",
    path: `/contacts/${contact.id}`,
    reply: contact
  },
  {
    action: ReplyConversation,
    input: {
      conversation_id: conversation.id,
      type: "admin",
      admin_id: "991267596",
      message_type: "comment",
      body: "On it"
    },
    method: "POST",
    path: `/conversations/${conversation.id}/reply`,
    reply: conversation
  },
  {
    action: ListTags,
    input: {},
    method: "GET",
    path: "/tags",
    reply: { type: "list", data: [{ type: "tag", id: "17513", name: "vip" }] }
  }
]

/** The child process: answers every case like Intercom, with a budget never reached here. */
const serve = async () => {
  const server = await startRecordingServer({
    maxRecorded: 0,
    answer: (request) => {
      const found = cases.find((c) => c.method === request.method && c.path === request.path)
      const headers = rateLimitHeaders({
        limit: 100_000_000,
        remaining: 99_999_999,
        resetAt: Math.floor(Date.now() / 1000) + 60
      })
      return found === undefined
        ? json(404, errorList("not_found", "Resource Not Found"), headers)
        : json(200, found.reply, headers)
    }
  })
  process.stdout.write(`${server.url}\n`)
}

const fixed = (value: number, width: number, digits = 1) => value.toFixed(digits).padStart(width)

const main = async () => {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), serveFlag], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const [line] = (await once(child.stdout.setEncoding("utf8"), "data")) as [string]
  const url = line.trim()
  const redis = await startRedisServer()
  const dir = await mkdtemp(join(tmpdir(), "taskjuice-state-bench-"))
  const keys = parseStateKeys(generateStateKey())
  const backends: ReadonlyArray<readonly [string, StateLocation]> = [
    ["memory", { _tag: "Memory" }],
    ["sqlite", { _tag: "Sqlite", path: join(dir, "state.sqlite") }],
    ["redis", { _tag: "Redis", host: redis.host, port: redis.port, database: 0 }]
  ]
  const runtimes = backends.map(([, location]) =>
    ManagedRuntime.make(
      Layer.mergeAll(
        IntercomApi.layer({ accessToken: Redacted.make("tok_bench_0123456789"), baseUrl: url }),
        RateLimiter.layerStore.pipe(Layer.provide(State.layer({ location, keys })))
      )
    )
  )
  const disposals: Array<() => Promise<void>> = []
  try {
    const runners = await Promise.all(
      runtimes.map(async (runtime) => Effect.runPromiseWith(await runtime.context()))
    )
    console.log(
      `\nAction overhead per state backend (${calls} calls per action and side, ABBA; server: child process)`
    )
    console.log("action                         memory µs  sqlite µs  ratio │  redis µs  ratio  target ≤ 1.3")
    for (const benchCase of cases) {
      const sides = runners.map((run) => () => run(executeAction(benchCase.action, benchCase.input)))
      await interleaved(sides, 150)
      const [memory = [], sqlite = [], redisTimes = []] = await interleaved(sides, calls)
      const base = median(memory)
      const redisRatio = median(redisTimes) / base
      console.log(
        `${benchCase.action.key.padEnd(30)}${fixed(base, 10)}${fixed(median(sqlite), 11)}${fixed(median(sqlite) / base, 7, 3)} │${fixed(median(redisTimes), 10)}${fixed(redisRatio, 7, 3)}  ${redisRatio <= 1.3 ? "ok" : "OVER"}`
      )
    }
    // What a request costs when it cannot spend a lease (a window under 200 requests, or its first
    // requests): one atomic reserve on the store itself.
    const reserve = Effect.flatMap(Effect.service(RateLimitStore), (store) =>
      store.modify("bench-reserve", (window) => [
        undefined,
        { remaining: (window?.remaining ?? 1e9) - 1, resetAtMillis: Date.now() + 60_000, windowBudget: 1e9 }
      ])
    )
    const stores = await Promise.all(
      backends.map(async ([, location]) => {
        const runtime = ManagedRuntime.make(State.layer({ location, keys }))
        disposals.push(() => runtime.dispose())
        const run = Effect.runPromiseWith(await runtime.context())
        return () => run(reserve)
      })
    )
    await interleaved(stores, 200)
    const [memory = [], sqlite = [], redisTimes = []] = await interleaved(stores, calls)
    console.log(
      `\nOne reserve without a lease (RateLimitStore.modify), median µs: memory ${median(memory).toFixed(1)}, sqlite ${median(sqlite).toFixed(1)}, redis ${median(redisTimes).toFixed(1)}`
    )
  } finally {
    await Promise.all([
      ...runtimes.map((runtime) => runtime.dispose()),
      ...disposals.map((dispose) => dispose())
    ])
    await redis.stop()
    await rm(dir, { recursive: true, force: true })
    child.kill()
    await once(child, "exit")
  }
}

if (process.argv.includes(serveFlag)) await serve()
else await main()
