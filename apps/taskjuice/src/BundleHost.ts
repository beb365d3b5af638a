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
 */

import { randomBytes } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { NotificationDedupe, RateLimiter } from "@taskjuice/intercom-core"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpRouter from "effect/http/HttpRouter"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { execute } from "./ActionExecution.ts"
import type { Activation } from "./Activation.ts"
import { type ActivationListener, makeActivationLog } from "./ActivationLog.ts"
import type { Connection } from "./Connection.ts"
import { Connections, type ConnectionsShape } from "./Connections.ts"
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
  /** Connections to start with (e.g. restored from elsewhere). */
  readonly connections?: ReadonlyArray<Connection>
  /** Called for every activation, after the delivery has been acknowledged. */
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
  /** The runtime API's base URL, e.g. `http://127.0.0.1:4100`. */
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
  readonly connections: ConnectionsShape
  readonly activations: {
    readonly recent: () => ReadonlyArray<Activation>
    /** Returns the unsubscribe function. */
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
  const activationLog = makeActivationLog({
    capacityBytes: limits.activationBytes,
    writeLine,
    onFailure: (stage, error) =>
      log({
        event: "activation-hand-off-failed",
        stage,
        error: error instanceof Error ? `${error.name}: ${error.message}` : "non-error failure"
      })
  })
  if (options.onActivation !== undefined) activationLog.subscribe(options.onActivation)

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
          activations: activationLog,
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
        Layer.provideMerge(
          Layer.mergeAll(
            Connections.layerMemory(options.connections ?? []),
            NotificationDedupe.layer,
            RateLimiter.layer
          )
        )
      )
    )
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
    throw new Error(`the bundle host could not start: ${Cause.pretty(started.cause)}`)
  }
  const { services, publicUrl, redirectUri } = started.value
  const url = urlOf(runtimeServer)
  const run = <A, E>(effect: Effect.Effect<A, E, Connections | OAuth | RateLimiter>) =>
    Effect.runPromiseExit(Effect.provide(effect, services))
  const connections = Context.get(services, Connections)
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
    connections,
    execute: runStep,
    manifest,
    activations: { recent: activationLog.recent, subscribe: activationLog.subscribe },
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
