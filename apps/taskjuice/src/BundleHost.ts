/**
 * The local host: the bundle over HTTP, so people, the sandbox and tests can drive it the way
 * TaskJuice's runtime would. It adds no behaviour of its own: every route hands its request to the
 * module that owns it (OAuth, the webhook endpoint, action execution, the manifest) and maps the
 * outcome to a status code.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { NotificationDedupe, RateLimiter, webhookBodyLimitBytes } from "@taskjuice/intercom-core"
import type * as Duration from "effect/Duration"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Redacted from "effect/Redacted"
import { execute } from "./ActionExecution.ts"
import type { Activation } from "./Activation.ts"
import { type ActivationListener, makeActivationLog } from "./ActivationLog.ts"
import { type Connection, summarizeConnection } from "./Connection.ts"
import { Connections, type ConnectionsShape } from "./Connections.ts"
import { readBody, sendEmpty, sendJson } from "./internal/http.ts"
import { makeManifest, webhookPath } from "./Manifest.ts"
import { type AuthorizationRequest, OAuth, OAuthError } from "./OAuth.ts"
import type { StepError, StepErrorCode } from "./StepError.ts"
import { receiveWebhook, type TriggerSubscription, type WebhookReceipt } from "./WebhookEndpoint.ts"

export interface BundleHostOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number
  /** Interface to listen on (default 127.0.0.1). */
  readonly hostname?: string
  /** Where the host is reachable from a browser and from Intercom; defaults to its own address. */
  readonly publicUrl?: string
  /** Stand-in for both Intercom's consent page and its API, e.g. the simulator; unset for Intercom. */
  readonly intercomBaseUrl?: string
  /** TaskJuice's OAuth app in Intercom's Developer Hub. */
  readonly clientId: string
  /** The OAuth app's client secret: it also keys Intercom's webhook signatures. */
  readonly clientSecret: Redacted.Redacted<string>
  /** Previous client secrets still accepted on webhooks while a rotation settles. */
  readonly previousClientSecrets?: ReadonlyArray<Redacted.Redacted<string>>
  /** Connections to start with (e.g. restored from elsewhere). */
  readonly connections?: ReadonlyArray<Connection>
  /** Called for every activation, after the delivery has been acknowledged. */
  readonly onActivation?: ActivationListener
  /** Where the JSON log lines go (default: standard output). */
  readonly writeLine?: (line: string) => void
  /** How many activations `GET /activations` keeps (default 200). */
  readonly activationCapacity?: number
  /** Which triggers each connection listens on (default: every trigger, default options). */
  readonly subscriptions?: (connection: Connection) => ReadonlyArray<TriggerSubscription>
  /** How long one request to Intercom may take during an action (the core's default, 30 s, when unset). */
  readonly requestTimeout?: Duration.Input
}

/** An action step's result, as `POST /actions/{key}` answers it. */
export type StepResult = { readonly output: unknown } | { readonly error: StepError }

/** The host's status for each step error code; the body always carries the step error itself. */
export const stepErrorHttpStatus: Readonly<Record<StepErrorCode, number>> = {
  RATE_LIMITED: 429,
  AUTH_REVOKED: 401,
  AUTH_MISSING: 401,
  FORBIDDEN: 403,
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  VERSION_UNSUPPORTED: 422,
  UPSTREAM_UNAVAILABLE: 502,
  TIMEOUT: 504,
  UPSTREAM_RESPONSE_INVALID: 502,
  UNKNOWN_ACTION: 404,
  INTERNAL: 500
}

export interface BundleHost {
  /** The base URL, e.g. `http://127.0.0.1:4100`. */
  readonly url: string
  readonly port: number
  /** The URL to register as the app's webhook endpoint in Intercom (or the simulator). */
  readonly webhookUrl: string
  /** The redirect URL to register on the OAuth app. */
  readonly redirectUri: string
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
  /** The URL that starts connecting a workspace (what `GET /oauth/start` redirects to). */
  readonly authorizationUrl: (request?: AuthorizationRequest) => Promise<string>
  readonly close: () => Promise<void>
}

const trimSlashes = (url: string) => url.replace(/\/+$/, "")

export const startBundleHost = async (options: BundleHostOptions): Promise<BundleHost> => {
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`))
  const activationLog = makeActivationLog({
    ...(options.activationCapacity === undefined ? {} : { capacity: options.activationCapacity }),
    writeLine,
    onListenerError: (error) =>
      writeLine(JSON.stringify({ event: "activation-listener-failed", error: String(error) }))
  })
  if (options.onActivation !== undefined) activationLog.subscribe(options.onActivation)

  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.hostname ?? "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
  const publicUrl = trimSlashes(options.publicUrl ?? url)
  const redirectUri = `${publicUrl}/oauth/callback`

  const connectionsLayer = Connections.layerMemory(options.connections ?? [])
  const runtime = ManagedRuntime.make(
    OAuth.layer({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri,
      intercomBaseUrl: options.intercomBaseUrl
    }).pipe(Layer.provideMerge(Layer.mergeAll(connectionsLayer, NotificationDedupe.layer, RateLimiter.layer)))
  )
  const manifest = makeManifest()
  const secrets = [options.clientSecret, ...(options.previousClientSecrets ?? [])] as const

  const runStep = async (key: string, input: unknown, connectionId: unknown): Promise<StepResult> => {
    const exit = await runtime.runPromiseExit(
      execute(key, input, typeof connectionId === "string" ? connectionId : undefined, {
        requestTimeout: options.requestTimeout
      })
    )
    if (Exit.isSuccess(exit)) return { output: exit.value }
    const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
    if (failure?._tag === "Fail") return { error: failure.error }
    throw new Error(`the action ${key} was interrupted`)
  }

  const webhook = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request, webhookBodyLimitBytes)
    if (body._tag === "TooLarge") {
      return sendJson(response, 413, {
        error: { message: `The body is over ${webhookBodyLimitBytes} bytes.` }
      })
    }
    const receipt: WebhookReceipt = await runtime.runPromise(
      receiveWebhook(body.bytes, request.headers, {
        secrets,
        ...(options.subscriptions === undefined ? {} : { subscriptions: options.subscriptions })
      })
    )
    switch (receipt._tag) {
      case "Accepted":
        activationLog.record(receipt.activations)
        return sendJson(response, 200, { received: "accepted", activations: receipt.activations.length })
      case "Ping":
        return sendJson(response, 200, { received: "ping" })
      case "Duplicate":
        return sendJson(response, 200, { received: "duplicate", notificationId: receipt.notificationId })
      case "UnknownTopic":
        return sendJson(response, 200, { received: "ignored", topic: receipt.topic })
      case "UnknownWorkspace":
        return sendJson(response, 200, { received: "ignored", workspaceId: receipt.workspaceId })
      case "Unauthenticated":
        return sendJson(response, 401, {
          error: { reason: receipt.error.reason._tag, message: receipt.error.message }
        })
      case "Unreadable":
        return sendJson(response, 400, {
          error: { reason: receipt.error.reason._tag, message: receipt.error.message }
        })
      case "Unavailable":
        return sendJson(response, 503, { error: { message: "The notification seen-store is unavailable." } })
    }
  }

  const action = async (request: IncomingMessage, response: ServerResponse, key: string) => {
    const body = await readBody(request, webhookBodyLimitBytes)
    if (body._tag === "TooLarge") {
      return sendJson(response, 413, {
        error: { message: `The body is over ${webhookBodyLimitBytes} bytes.` }
      })
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(body.bytes.toString("utf8"))
    } catch {
      parsed = undefined
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      const error: StepError = {
        code: "VALIDATION_FAILED",
        message: 'The request body must be a JSON object {"connection": "<id>", "input": {...}}.',
        providerStatus: null,
        retryable: false,
        detail: { field: "", issues: [{ field: "", message: "expected a JSON object" }] }
      }
      return sendJson(response, 400, { error })
    }
    const { connection, input } = parsed as { readonly connection?: unknown; readonly input?: unknown }
    const result = await runStep(key, input ?? {}, connection)
    if ("output" in result) return sendJson(response, 200, result)
    const retryAfter = result.error.detail.retryAfterSeconds
    return sendJson(
      response,
      stepErrorHttpStatus[result.error.code],
      result,
      typeof retryAfter === "number" ? { "retry-after": String(retryAfter) } : {}
    )
  }
  const connections = await runtime.runPromise(Connections)
  const oauth = await runtime.runPromise(OAuth)

  const oauthStart = async (response: ServerResponse, query: URLSearchParams) => {
    const region = query.get("region")
    if (region !== null && region !== "us" && region !== "eu" && region !== "au") {
      return sendJson(response, 400, { error: { field: "region", message: "region must be us, eu or au" } })
    }
    const location = await runtime.runPromise(
      oauth.authorizationUrl({
        region: region ?? undefined,
        connectionId: query.get("connection") ?? undefined,
        context: query.get("context") ?? undefined
      })
    )
    sendEmpty(response, 302, { location, "cache-control": "no-store" })
  }

  const oauthCallback = async (response: ServerResponse, query: URLSearchParams) => {
    const exit = await runtime.runPromiseExit(
      oauth.complete({ code: query.get("code"), state: query.get("state"), error: query.get("error") })
    )
    if (Exit.isSuccess(exit)) {
      const { connection, reconnected, context } = exit.value
      writeLine(
        JSON.stringify({
          event: reconnected ? "reconnected" : "connected",
          connection: summarizeConnection(connection)
        })
      )
      return sendJson(response, 200, {
        connection: summarizeConnection(connection),
        reconnected,
        ...(context === undefined ? {} : { context })
      })
    }
    const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
    const error = failure?._tag === "Fail" ? failure.error : undefined
    if (error instanceof OAuthError) {
      writeLine(
        JSON.stringify({ event: "connect-failed", reason: error.reason._tag, message: error.message })
      )
      return sendJson(response, error.httpStatus, {
        error: { reason: error.reason._tag, message: error.message }
      })
    }
    throw new Error("the OAuth callback failed unexpectedly")
  }

  const routes = async (request: IncomingMessage, response: ServerResponse) => {
    const target = new URL(request.url ?? "/", "http://host")
    const method = request.method ?? "GET"
    const path = target.pathname
    const only = (allowed: ReadonlyArray<string>) => {
      if (allowed.includes(method)) return true
      sendJson(
        response,
        405,
        { error: { message: `${method} is not allowed here` } },
        { allow: allowed.join(", ") }
      )
      return false
    }
    if (path === webhookPath) {
      if (method === "HEAD") return sendEmpty(response, 200)
      if (only(["POST", "HEAD"])) await webhook(request, response)
      return
    }
    if (path.startsWith("/actions/")) {
      if (only(["POST"])) await action(request, response, decodeURIComponent(path.slice("/actions/".length)))
      return
    }
    if (path === "/manifest") {
      if (only(["GET"])) sendJson(response, 200, manifest)
      return
    }
    if (path === "/oauth/start") {
      if (only(["GET"])) await oauthStart(response, target.searchParams)
      return
    }
    if (path === "/oauth/callback") {
      if (only(["GET"])) await oauthCallback(response, target.searchParams)
      return
    }
    if (path === "/activations") {
      if (only(["GET"])) sendJson(response, 200, { activations: activationLog.recent() })
      return
    }
    if (path === "/connections") {
      if (only(["GET"])) sendJson(response, 200, { connections: connections.list().map(summarizeConnection) })
      return
    }
    sendJson(response, 404, { error: { message: `No route for ${path}` } })
  }

  server.on("request", (request, response) => {
    routes(request, response).catch((error: unknown) => {
      writeLine(
        JSON.stringify({ event: "request-failed", path: request.url?.split("?")[0], error: String(error) })
      )
      if (!response.headersSent) sendJson(response, 500, { error: { message: "internal error" } })
      else response.destroy()
    })
  })

  return {
    url,
    port: address.port,
    webhookUrl: `${publicUrl}/webhooks/intercom`,
    redirectUri,
    connections,
    execute: runStep,
    manifest,
    activations: { recent: activationLog.recent, subscribe: activationLog.subscribe },
    authorizationUrl: (authorization) => runtime.runPromise(oauth.authorizationUrl(authorization)),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await runtime.dispose()
    }
  }
}
