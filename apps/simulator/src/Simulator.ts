/**
 * The simulator: Intercom's API (every pinned version at once, at Intercom's paths), its OAuth, the
 * simulator's own admin API under `/_sim/` and the dashboard at `/`, served on `effect/http`'s
 * `HttpRouter` by `@effect/platform-node`'s `NodeHttpServer`. `makeSimulator` wires the parts in a
 * scope (`IntercomSimulator.layer` provides it as a service); `startSimulator` does the same for
 * callers without Effect. Either way the handle drives it from code (the sandbox, tests, the benchmark).
 */
import { randomBytes } from "node:crypto"
import { chmodSync, mkdirSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import {
  apiVersion as buildVersion,
  isPinnedVersion,
  pinnedVersions,
  RateLimitWindow
} from "@taskjuice/intercom-client"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as HttpRouter from "effect/http/HttpRouter"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { memoryPersistence, openStateFile, StateFileError } from "./domain/StateFile.ts"
import { Workspace } from "./domain/Workspace.ts"
import { type StateCounts, WorkspaceStore } from "./domain/WorkspaceStore.ts"
import { FaultPlan, type FaultRule, parseFault } from "./Faults.ts"
import { adminRoutes } from "./http/AdminRoutes.ts"
import { apiHandlers, apiRoutes } from "./http/ApiRoutes.ts"
import { oauthRoutes } from "./http/OAuthRoutes.ts"
import { TrafficStats, type TrafficStatsSnapshot } from "./http/TrafficStats.ts"
import { makeRandom } from "./Random.ts"
import type { SignatureMode } from "./SignatureMode.ts"
import { Descriptions } from "./spec/Descriptions.ts"
import type { SpecSchemas } from "./spec/SpecSchemas.ts"
import { deliveryRules } from "./webhooks/DeliveryRules.ts"
import { Notifier, type TriggeredNotification, type TriggerOptions } from "./webhooks/Notifier.ts"
import {
  type DeliveryRecord,
  type NotificationRecord,
  type Subscription,
  WebhookDispatcher
} from "./webhooks/WebhookDispatcher.ts"

export interface SimulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number | undefined
  /** Interface to bind; loopback by default. */
  readonly host?: string | undefined
  /** The OAuth app's client id (default `sim_client_id`). */
  readonly clientId?: string | undefined
  /** The OAuth app's client secret: it signs every webhook and authenticates the code exchange. */
  readonly clientSecret: Redacted.Redacted<string> | string
  /** An access token valid from the start, for callers that skip OAuth (one is made up otherwise). */
  readonly accessToken?: Redacted.Redacted<string> | string | undefined
  /** The admin API's token (one is made up per run otherwise). */
  readonly adminToken?: Redacted.Redacted<string> | string | undefined
  /** Where the run keeps what its CLI needs (`admin-token`, mode 0600); nothing is written without it. */
  readonly stateDir?: string | undefined
  /** Webhook subscriptions, each to every topic. */
  readonly webhookUrls?: ReadonlyArray<string> | undefined
  /** The redirect URIs the OAuth app registered; `/oauth` redirects to these only. */
  readonly redirectUris?: ReadonlyArray<string> | undefined
  /** Signature headers on deliveries (default `both`). */
  readonly signature?: SignatureMode | undefined
  /** Requests per minute per app (default 1,000, TaskJuice's figure), spread over 10-second windows. */
  readonly rateLimitPerMinute?: number | undefined
  /** Faults, as rules or in the CLI's `<route>:<kind>[=<arg>][@<p>]` syntax. */
  readonly faults?: ReadonlyArray<FaultRule | string> | undefined
  /** Seed for fault decisions and generated data; random when not given (see `seed` on the handle). */
  readonly seed?: number | string | undefined
  /** SQLite file that keeps the state across restarts (held under an exclusive lock); in memory when not given. */
  readonly stateFile?: string | undefined
  /** Multiplies Intercom's delivery delays (5 s timeout, 1 min retry); 0.01 makes the retry 600 ms. */
  readonly timeScale?: number | undefined
  /**
   * The app's configured API version (the default: the build's): what a request without
   * `Intercom-Version` gets, and what webhooks show. Requests choose any pinned version by the header.
   */
  readonly apiVersion?: string | undefined
  /** How many notifications and delivery attempts to keep for `deliveries` (default 5,000). */
  readonly keepDeliveries?: number | undefined
}

export interface Simulator {
  /** Base URL of the API, the OAuth endpoints, the admin API (`/_sim/…`) and the dashboard (`/`). */
  readonly url: string
  readonly port: number
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** A token valid from the start (`Authorization: Bearer …`). */
  readonly accessToken: Redacted.Redacted<string>
  /** The admin API's token (`X-Sim-Admin-Token`); the handle's own methods need none. */
  readonly adminToken: Redacted.Redacted<string>
  /** The seed in use: pass it back to reproduce a run's faults and data. */
  readonly seed: number
  readonly apiVersion: string
  readonly rateLimitPerMinute: number
  readonly store: WorkspaceStore
  /** The app's version's validators (`descriptions.get(v).schemas` for another). */
  readonly schemas: SpecSchemas
  readonly descriptions: Descriptions
  readonly dispatcher: WebhookDispatcher
  /** The topics `trigger` knows. */
  readonly topics: ReadonlyArray<string>
  /** Makes the change behind `topic` and sends the notifications it causes. */
  readonly trigger: (topic: string, options?: TriggerOptions) => Promise<ReadonlyArray<TriggeredNotification>>
  readonly resend: (
    notificationId: string,
    options?: { readonly forwardTo?: string; readonly signature?: SignatureMode }
  ) => Promise<ReadonlyArray<DeliveryRecord>>
  readonly ping: () => Promise<TriggeredNotification>
  /** Delivery attempts, newest first. */
  readonly deliveries: (filter?: {
    readonly topic?: string
    readonly notificationId?: string
    readonly limit?: number
  }) => ReadonlyArray<DeliveryRecord>
  readonly notification: (id: string) => NotificationRecord | undefined
  readonly subscribe: (url: string, topics?: ReadonlyArray<string> | "*") => Subscription
  /** Registers another OAuth redirect URI (e.g. a bundle started after the simulator). */
  readonly registerRedirectUri: (uri: string) => void
  readonly faults: () => ReadonlyArray<FaultRule>
  readonly setFaults: (faults: ReadonlyArray<FaultRule | string>) => void
  readonly revokeToken: (token: string) => boolean
  readonly counts: () => StateCounts
  /** Requests, 429s and faults per 10-second window (what `GET /_sim/stats` answers). */
  readonly stats: () => TrafficStatsSnapshot
  /** Resolves when every delivery attempt under way has finished. */
  readonly settle: () => Promise<void>
  readonly close: () => Promise<void>
}

/** The simulator could not start (port taken, state file in use or unreadable, bad options). */
export class SimulatorStartError extends Data.TaggedError("SimulatorStartError")<{
  readonly message: string
  /** The system's code when one applies (`EADDRINUSE`, `ERR_SQLITE_BUSY`). */
  readonly code?: string | undefined
  readonly reason: "NotRetryable"
}> {}

const defaultRateLimitPerMinute = 1000

const startError = (message: string, code?: string) =>
  new SimulatorStartError({ message, code, reason: "NotRetryable" })

const redacted = (value: Redacted.Redacted<string> | string): Redacted.Redacted<string> =>
  typeof value === "string" ? Redacted.make(value) : value

/** Keeps the admin token where the run's CLI finds it, readable by its owner only. */
const writeAdminToken = (stateDir: string, token: Redacted.Redacted<string>) =>
  Effect.try({
    try: () => {
      mkdirSync(stateDir, { recursive: true })
      const file = join(stateDir, "admin-token")
      writeFileSync(file, Redacted.value(token), { mode: 0o600 })
      chmodSync(file, 0o600)
    },
    catch: (error) => startError(`Cannot write the admin token to ${stateDir}: ${(error as Error).message}`)
  })

/** Starts the simulator in the current scope; it stops when the scope closes (or `close` is called). */
export const makeSimulator = (
  options: SimulatorOptions
): Effect.Effect<Simulator, SimulatorStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const clientSecret = redacted(options.clientSecret)
    if (Redacted.value(clientSecret) === "") return yield* startError("clientSecret must not be empty")
    const apiVersion = options.apiVersion ?? buildVersion
    if (!isPinnedVersion(apiVersion)) {
      return yield* startError(
        `apiVersion "${apiVersion}" is not simulated; use one of ${pinnedVersions.join(", ")}`
      )
    }
    const rateLimitPerMinute = options.rateLimitPerMinute ?? defaultRateLimitPerMinute
    const parent = yield* Effect.scope
    const scope = yield* Scope.fork(parent)
    const inScope = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Scope.provide(effect, scope)

    const clock = yield* Clock.Clock
    const nowMillis = () => clock.currentTimeMillisUnsafe()
    const random = makeRandom(options.seed)
    // Separate streams, so generating data never shifts which requests fail.
    const dataRandom = makeRandom(`${random.seed}:data`)
    const faultRandom = makeRandom(`${random.seed}:faults`)

    const stateFile = options.stateFile
    const persistence =
      stateFile === undefined
        ? memoryPersistence
        : yield* inScope(
            Effect.acquireRelease(
              Effect.try({
                try: () => openStateFile(stateFile),
                catch: (error) =>
                  error instanceof StateFileError
                    ? startError(error.message, error.reason === "InUse" ? "ERR_SQLITE_BUSY" : "ERR_SQLITE")
                    : startError(String(error))
              }),
              (opened) => Effect.sync(() => opened.close())
            )
          )
    const store = new WorkspaceStore(new Workspace({ random: dataRandom, now: nowMillis, persistence }))
    const descriptions = yield* Effect.try({
      try: () => new Descriptions(),
      catch: (error) => startError((error as Error).message)
    })
    const appSpec = descriptions.get(apiVersion)
    const clientId = options.clientId ?? "sim_client_id"
    const accessToken =
      options.accessToken === undefined
        ? Redacted.make(`sim_${dataRandom.hex(32)}`)
        : redacted(options.accessToken)
    if (store.tokens.find(Redacted.value(accessToken)) === undefined)
      store.tokens.issue(clientId, Redacted.value(accessToken))
    const adminToken =
      options.adminToken === undefined
        ? Redacted.make(randomBytes(24).toString("base64url"))
        : redacted(options.adminToken)
    if (options.stateDir !== undefined) yield* writeAdminToken(options.stateDir, adminToken)

    const toRule = (fault: FaultRule | string) => (typeof fault === "string" ? parseFault(fault) : fault)
    const faults = yield* Effect.try({
      try: () => new FaultPlan((options.faults ?? []).map(toRule), faultRandom),
      catch: (error) => startError((error as Error).message)
    })
    const budget = RateLimitWindow.perMinute(rateLimitPerMinute)
    const stats = new TrafficStats({ allowance: budget.allowance })
    const fork = yield* inScope(FiberSet.makeRuntime<never, void, never>())
    const dispatcher = new WebhookDispatcher({
      clientSecret,
      signature: options.signature ?? "both",
      rules: deliveryRules(options.timeScale ?? 1),
      keep: options.keepDeliveries ?? 5_000,
      nowMillis,
      fork: (delivery) => void fork(delivery)
    })
    for (const url of options.webhookUrls ?? []) dispatcher.subscribe(url)
    const notifier = new Notifier({
      store,
      dispatcher,
      random: dataRandom,
      spec: appSpec,
      nowMillis
    })
    const events = yield* inScope(Effect.acquireRelease(PubSub.unbounded<DeliveryRecord>(), PubSub.shutdown))
    dispatcher.onDelivery((delivery) => {
      PubSub.publishUnsafe(events, delivery)
    })

    const host = options.host ?? "127.0.0.1"
    const server = createServer({ keepAliveTimeout: 65_000 })
    const port = () => (server.address() as AddressInfo | null)?.port ?? 0
    const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host
    const url = () => `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port()}`
    const redirectUris = [...(options.redirectUris ?? [])]
    const app = HttpRouter.addAll([
      ...adminRoutes({
        guard: { token: adminToken, port, host },
        url,
        apiVersion,
        seed: random.seed,
        rateLimitPerMinute,
        store,
        dispatcher,
        notifier,
        faults,
        stats,
        events
      }),
      ...oauthRoutes(store, { clientId, clientSecret, redirectUris }),
      ...apiRoutes(descriptions.operations, {
        store,
        descriptions,
        defaultVersion: apiVersion,
        budget,
        faults,
        stats,
        handlers: apiHandlers(store),
        nowMillis
      })
    ])
    yield* inScope(
      Layer.build(
        HttpRouter.serve(app, { disableLogger: true, disableListenLog: true }).pipe(
          Layer.provide(
            NodeHttpServer.layer(() => server, {
              port: options.port ?? 0,
              host,
              gracefulShutdownTimeout: "1 second"
            })
          )
        )
      ).pipe(
        Effect.mapError((error) => {
          const cause = (error as { cause?: { code?: string; message?: string } }).cause
          return cause?.code === "EADDRINUSE"
            ? startError(`Port ${options.port} is in use: pass --port 0 or another port`, "EADDRINUSE")
            : startError(
                `The simulator could not listen on ${host}:${options.port ?? 0}: ${cause?.message ?? String(error)}`,
                cause?.code
              )
        })
      )
    )
    // Runs before the server's own shutdown: requests held open (the timeout fault) and event streams
    // would otherwise keep it waiting.
    yield* Scope.addFinalizer(
      scope,
      Effect.sync(() => server.closeAllConnections())
    )

    const context = yield* Effect.context<never>()
    const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromiseWith(context)(effect)

    const simulator: Simulator = {
      url: url(),
      port: port(),
      clientId,
      clientSecret,
      accessToken,
      adminToken,
      seed: random.seed,
      apiVersion,
      rateLimitPerMinute,
      store,
      schemas: appSpec.schemas,
      descriptions,
      dispatcher,
      topics: notifier.topics,
      trigger: (topic, triggerOptions) => run(notifier.trigger(topic, triggerOptions)),
      resend: (id, resendOptions) => run(notifier.resend(id, resendOptions)),
      ping: () => run(notifier.ping()),
      deliveries: (filter) => dispatcher.deliveries(filter),
      notification: (id) => dispatcher.notification(id),
      subscribe: (target, topics) => dispatcher.subscribe(target, topics),
      registerRedirectUri: (uri) => {
        new URL(uri) // throws on a malformed URI before it is registered
        if (!redirectUris.includes(uri)) redirectUris.push(uri)
      },
      faults: () => faults.current,
      setFaults: (rules) => faults.replace(rules.map(toRule)),
      revokeToken: (token) => store.tokens.revoke(token),
      counts: () => store.counts(),
      stats: () => stats.snapshot(),
      settle: () => run(dispatcher.settle),
      close: () => run(Scope.close(scope, Exit.void))
    }
    return simulator
  })

/** Starts the simulator without Effect; `close` stops it. */
export const startSimulator = (options: SimulatorOptions): Promise<Simulator> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const exit = yield* Effect.exit(Scope.provide(makeSimulator(options), scope))
      if (Exit.isFailure(exit)) yield* Scope.close(scope, exit)
      return yield* exit
    })
  )
