/**
 * The local host: the bundle over HTTP, so people, the sandbox, tests and TaskJuice's runtime can
 * drive it. Two surfaces, on Effect's HTTP platform served by Node:
 *
 * - public (webhooks, the OAuth hand-off, health): what Intercom and browsers reach, optionally on a
 *   listener of its own (`publicPort`);
 * - the runtime API (actions, connections, activations, manifest, starting OAuth): behind the runtime
 *   token.
 *
 * Each listener bounds its connections and how long a request may take to arrive; each request's body
 * is bounded in bytes and its JSON in depth and members; every failure is answered from the error
 * table. The host adds no behaviour of its own: each route hands its request to the module that owns it.
 *
 * Everything it keeps lives in the state it is given (`@taskjuice/intercom-state`: memory, a SQLite
 * file, or Redis): connections, OAuth nonces, the activation inbox and the rate-limit windows. Hosts
 * started on one SQLite file or one Redis are workers of one integration: a delivery, an OAuth step or
 * an action may land on any of them, and a restarted host carries on where it stopped.
 */

import { randomBytes } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { RateLimiter } from "@taskjuice/intercom-core"
import {
  ActivationInbox,
  ConnectionStore,
  type InboxActivation,
  parseStateLocation,
  type ReadOptions,
  State,
  StateKeyError,
  type StateKeys,
  type StateLocation,
  StateLocationError,
  type StateServices,
  StoreUnavailable,
  stateKeysFromEnv
} from "@taskjuice/intercom-state"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpRouter from "effect/http/HttpRouter"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { execute } from "./ActionExecution.ts"
import { type ActivationListener, makeActivationListeners } from "./ActivationListeners.ts"
import { type Connection, type ConnectionStorePromises, connectionStorePromises } from "./Connection.ts"
import { HostContext } from "./http/HostContext.ts"
import { defaultLimits, type HostLimits } from "./http/Limits.ts"
import { notFoundRoute, oauthBeginPath, oauthCallbackPath, publicRoutes } from "./http/PublicRouter.ts"
import { guard } from "./http/Respond.ts"
import { runtimeRoutes } from "./http/RuntimeRouter.ts"
import { makeManifest, webhookPath } from "./Manifest.ts"
import { type AuthorizationRequest, OAuth } from "./OAuth.ts"
import type { StepError } from "./StepError.ts"
import type { TriggerSubscription } from "./WebhookEndpoint.ts"

export interface BundleHostOptions {
  /** TCP port of the runtime API (and of the public routes when `publicPort` is unset); 0 (the default) picks a free one. */
  readonly port?: number
  /** A listener of its own for the public routes; unset: they share `port`. */
  readonly publicPort?: number
  /** Interface to listen on (default 127.0.0.1). */
  readonly hostname?: string
  /** Where the public routes are reachable from a browser and from Intercom; defaults to their own address. */
  readonly publicUrl?: string
  /** Stand-in for both Intercom's consent page and its API, e.g. the simulator; unset for Intercom. */
  readonly intercomBaseUrl?: string
  /** TaskJuice's OAuth app in Intercom's Developer Hub. */
  readonly clientId: string
  /** The OAuth app's client secret: it also keys Intercom's webhook signatures. */
  readonly clientSecret: Redacted.Redacted<string>
  /** Previous client secrets still accepted on webhooks while a rotation settles. */
  readonly previousClientSecrets?: ReadonlyArray<Redacted.Redacted<string>>
  /** The bearer token every runtime API request must carry; a random one (see `runtimeToken`) when unset. */
  readonly runtimeToken?: Redacted.Redacted<string>
  /**
   * Where the state lives, as `--state` takes it: `memory` (the default here: this process only),
   * `sqlite:PATH` or `redis://HOST:PORT/DB`. `pnpm taskjuice serve` defaults to the SQLite file.
   */
  readonly state?: string | StateLocation
  /** The keys sealing tokens at rest on sqlite and redis (default: `TASKJUICE_STATE_KEY` and previous keys). */
  readonly stateKeys?: StateKeys
  /** How long a delivery's dedupe key is remembered (default: the core's 15 minutes). */
  readonly dedupeWindow?: Duration.Input
  /** Connections saved into the state at start (upserted by workspace and admin, like a connect). */
  readonly connections?: ReadonlyArray<Connection>
  /** Told of every activation this host accepted, after the delivery has been acknowledged. */
  readonly onActivation?: ActivationListener
  /** Where the JSON log lines go (default: standard output). */
  readonly writeLine?: (line: string) => void
  /** Any of the host's limits; the others keep their defaults (`defaultLimits`). */
  readonly limits?: Partial<HostLimits>
  /** Which triggers each connection listens on (default: every trigger, default options). */
  readonly subscriptions?: (connection: Connection) => ReadonlyArray<TriggerSubscription>
  /** How long one request to Intercom may take during an action (the core's default, 30 s, when unset). */
  readonly requestTimeout?: Duration.Input
}

/** An action step's result, as `POST /actions/{key}` answers it. */
export type StepResult = { readonly output: unknown } | { readonly error: StepError }

export interface BundleHost {
  /** The runtime API's base URL, e.g. `http://127.0.0.1:4020`. */
  readonly url: string
  readonly port: number
  /** The public routes' base URL (the same as `url` without a public port). */
  readonly publicUrl: string
  /** The URL to register as the app's webhook endpoint in Intercom (or the simulator). */
  readonly webhookUrl: string
  /** The redirect URL to register on the OAuth app. */
  readonly redirectUri: string
  /** The bearer token the runtime API takes. */
  readonly runtimeToken: Redacted.Redacted<string>
  readonly limits: HostLimits
  /** The shared connection store, as promises. */
  readonly connections: ConnectionStorePromises
  readonly activations: {
    /** The inbox's activations after a cursor, as `GET /activations` answers them. */
    readonly read: (options?: ReadOptions) => Promise<ReadonlyArray<InboxActivation>>
    /** Commits the consumer's position, as `POST /activations/ack` does. */
    readonly ack: (cursor: string) => Promise<void>
    /** Listens to what this host accepts (after the answer); returns the unsubscribe function. */
    readonly subscribe: (listener: ActivationListener) => () => void
  }
  /** Runs an action step for a connection, as `POST /actions/{key}` does. */
  readonly execute: (key: string, input: unknown, connectionId: string) => Promise<StepResult>
  /** The manifest, as `GET /manifest` serves it. */
  readonly manifest: ReturnType<typeof makeManifest>
  /** The URL a browser opens to connect a workspace (what `POST /oauth/start` answers with). */
  readonly authorizationUrl: (request?: AuthorizationRequest) => Promise<string>
  readonly close: () => Promise<void>
}

/** The state errors a host can fail to start with; each message says what to fix, in one line. */
export type StateStartError = StateKeyError | StateLocationError | StoreUnavailable

export const isStateStartError = (error: unknown): error is StateStartError =>
  error instanceof StateKeyError || error instanceof StateLocationError || error instanceof StoreUnavailable

/** The state layer for the host's options: its location, its keys, its inbox bound. */
const stateLayer = (
  options: BundleHostOptions,
  limits: HostLimits
): Layer.Layer<StateServices, StateStartError> => {
  const location =
    typeof options.state === "object" ? options.state : parseStateLocation(options.state ?? "memory", "state")
  if (location instanceof StateLocationError)
    return Layer.effectContext(
      Effect.fail(location) as Effect.Effect<Context.Context<StateServices>, StateStartError>
    )
  return State.layer({
    location,
    keys: location._tag === "Memory" ? undefined : (options.stateKeys ?? stateKeysFromEnv()),
    limits: { maxBytes: limits.activationBytes },
    dedupeWindow: options.dedupeWindow
  })
}

/** A logged value as text: strings as they are, errors by name and message, never a stack or a value. */
const logText = (value: unknown): string =>
  typeof value === "string"
    ? value
    : value instanceof Error
      ? `${value.name}: ${value.message}`
      : typeof value

/**
 * Effect's logs (a store's connection warnings, the limiter's fallback, a payload that fails its typed
 * check) as the host's own JSON lines, one each, with no stack and no values.
 */
const hostLogger = (log: (entry: Record<string, unknown>) => void) =>
  Logger.layer([
    Logger.make(({ message, logLevel, cause }) => {
      const failure = cause.reasons.length === 0 ? undefined : Cause.squash(cause)
      log({
        event: "log",
        level: logLevel,
        message: (Array.isArray(message) ? message : [message]).map(logText).join(" "),
        ...(failure === undefined ? {} : { cause: logText(failure) })
      })
    })
  ])

/** `Authorization: Bearer <token>` for the runtime API. */
export const runtimeAuthorization = (
  token: Redacted.Redacted<string>
): { readonly authorization: string } => ({
  authorization: `Bearer ${Redacted.value(token)}`
})

const trimSlashes = (url: string) => url.replace(/\/+$/, "")

const urlOf = (server: Server) => {
  const address = server.address() as AddressInfo
  return `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
}

const makeServer = (limits: HostLimits) => {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Checked this often, so a stalled request is cut close to its timeout.
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs, limits.requestTimeoutMs)
  })
  server.maxConnections = limits.connections
  return server
}

export const startBundleHost = async (options: BundleHostOptions): Promise<BundleHost> => {
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`))
  const log = (entry: Record<string, unknown>) => {
    try {
      writeLine(JSON.stringify(entry))
    } catch {
      // A log line that cannot be written is dropped; serving goes on.
    }
  }
  const limits: HostLimits = { ...defaultLimits, ...options.limits }
  const runtimeToken = options.runtimeToken ?? Redacted.make(randomBytes(32).toString("base64url"))
  const listeners = makeActivationListeners({
    writeLine,
    onFailure: (stage, error) =>
      log({
        event: "activation-hand-off-failed",
        stage,
        error: error instanceof Error ? `${error.name}: ${error.message}` : "non-error failure"
      })
  })
  if (options.onActivation !== undefined) listeners.subscribe(options.onActivation)

  const hostname = options.hostname ?? "127.0.0.1"
  const runtimeServer = makeServer(limits)
  const publicServer = options.publicPort === undefined ? undefined : makeServer(limits)
  const manifest = makeManifest()
  const listenOn = (server: Server, port: number) =>
    NodeHttpServer.make(() => server, { port, host: hostname, gracefulShutdownTimeout: "1 second" })
  const guarded = guard(log)
  const handlerFor = (routes: ReadonlyArray<HttpRouter.Route<unknown, unknown>>) =>
    HttpRouter.toHttpEffect(
      HttpRouter.addAll(
        [...routes, notFoundRoute].map((route) =>
          HttpRouter.route(route.method, route.path, guarded(route.handler), {
            uninterruptible: route.uninterruptible
          })
        )
      )
    )

  // Both listeners bind first, so the public URL (and the OAuth redirect) is known when the services are built.
  const start = Effect.gen(function* () {
    const runtimeHttp = yield* listenOn(runtimeServer, options.port ?? 0)
    const publicHttp =
      publicServer === undefined ? undefined : yield* listenOn(publicServer, options.publicPort ?? 0)
    const publicUrl = trimSlashes(options.publicUrl ?? urlOf(publicServer ?? runtimeServer))
    const redirectUri = `${publicUrl}${oauthCallbackPath}`
    const services = yield* Layer.build(
      Layer.mergeAll(
        Layer.succeed(HostContext)({
          limits,
          secrets: [options.clientSecret, ...(options.previousClientSecrets ?? [])],
          subscriptions: options.subscriptions,
          listeners,
          dedupeWindow: options.dedupeWindow,
          manifest,
          log,
          runtimeToken,
          publicUrl,
          requestTimeout: options.requestTimeout
        }),
        OAuth.layer({
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          redirectUri,
          intercomBaseUrl: options.intercomBaseUrl
        })
      ).pipe(
        // One budget per workspace for every worker on this state, through its rate-limit windows.
        Layer.provideMerge(Layer.provideMerge(RateLimiter.layerStore, stateLayer(options, limits))),
        Layer.provideMerge(hostLogger(log))
      )
    )
    const store = Context.get(services, ConnectionStore)
    for (const connection of options.connections ?? []) yield* store.save(connection)
    // Every route's needs are among `services`; the routes' types are erased in the list.
    const serve = (http: typeof runtimeHttp, routes: ReadonlyArray<HttpRouter.Route<unknown, unknown>>) =>
      Effect.flatMap(handlerFor(routes), (handler) => http.serve(handler)).pipe(
        Effect.provide(services)
      ) as Effect.Effect<void, never, Scope.Scope>
    if (publicHttp === undefined) yield* serve(runtimeHttp, [...publicRoutes, ...runtimeRoutes])
    else {
      yield* serve(publicHttp, publicRoutes)
      yield* serve(runtimeHttp, runtimeRoutes)
    }
    return { services, publicUrl, redirectUri }
  })
  const scope = Scope.makeUnsafe()
  const started = await Effect.runPromiseExit(Scope.provide(scope)(start))
  if (Exit.isFailure(started)) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    const error = Cause.squash(started.cause)
    // A state that cannot be opened is the operator's to fix, and its message says how.
    if (isStateStartError(error)) throw error
    throw new Error(`the bundle host could not start: ${Cause.pretty(started.cause)}`)
  }
  const { services, publicUrl, redirectUri } = started.value
  const url = urlOf(runtimeServer)
  const run = <A, E>(effect: Effect.Effect<A, E, ConnectionStore | OAuth | RateLimiter>) =>
    Effect.runPromiseExit(Effect.provide(effect, services))
  const store = Context.get(services, ConnectionStore)
  const inbox = Context.get(services, ActivationInbox)
  const oauth = Context.get(services, OAuth)

  const runStep = async (key: string, input: unknown, connectionId: string): Promise<StepResult> => {
    const exit = await run(execute(key, input, connectionId, { requestTimeout: options.requestTimeout }))
    if (Exit.isSuccess(exit)) return { output: exit.value }
    const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
    if (failure?._tag === "Fail") return { error: failure.error }
    throw new Error(`the action ${key} was interrupted`)
  }

  return {
    url,
    port: (runtimeServer.address() as AddressInfo).port,
    publicUrl,
    webhookUrl: `${publicUrl}${webhookPath}`,
    redirectUri,
    runtimeToken,
    limits,
    connections: connectionStorePromises(store),
    execute: runStep,
    manifest,
    activations: {
      read: (readOptions) => Effect.runPromise(inbox.read(readOptions)),
      ack: (cursor) => Effect.runPromise(inbox.ack(cursor)),
      subscribe: listeners.subscribe
    },
    authorizationUrl: (authorization) =>
      Effect.runPromise(
        Effect.map(oauth.ticket(authorization), (ticket) => {
          const begin = new URL(`${publicUrl}${oauthBeginPath}`)
          begin.searchParams.set("ticket", ticket)
          return begin.toString()
        })
      ),
    close: async () => {
      runtimeServer.closeAllConnections()
      publicServer?.closeAllConnections()
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }
}
