/**
 * The simulator: one node:http server that answers Intercom's API (at Intercom's paths), its OAuth,
 * the simulator's own admin API under `/_sim/` and the dashboard at `/`. `startSimulator` wires the
 * parts together and returns a handle to drive it from code (the sandbox, tests, the benchmark).
 *
 * A request to the API passes, in order: route → fault (if one is due) → Bearer token →
 * `Intercom-Version` → rate limit → JSON body → spec validation → handler → answer (which the
 * after-the-work faults, `malformed`, `drop-after` and `slow-after`, cut, lose or delay).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import { webhookFixture, webhookFixtureTopics } from "@taskjuice/intercom-core"
import * as Data from "effect/Data"
import * as Redacted from "effect/Redacted"
import { type AdminApi, adminApi } from "./AdminApi.ts"
import { isServableVersion, versionProfile } from "./ApiVersion.ts"
import { FaultPlan, type FaultRule, parseFault } from "./Faults.ts"
import { BodyTooLarge, readBody, sendJson, splitTarget } from "./Http.ts"
import { type ApiRoute, intercomRoutes } from "./IntercomApi.ts"
import { apiError, errorList, IntercomApiError, tokenRevoked, unauthorized } from "./IntercomError.ts"
import { authorize, exchangeCode, type OAuthApp } from "./OAuth.ts"
import { applyOverrides, type Override, parseOverride } from "./Overrides.ts"
import { makeRandom } from "./Random.ts"
import { type RateLimitDecision, RateLimiter, rateLimitHeaders } from "./RateLimiter.ts"
import { type OpenApiDocument, SpecSchemas } from "./SpecSchemas.ts"
import { openSqlitePersistence } from "./SqlitePersistence.ts"
import { type StateChange, type StateCounts, Store } from "./Store.ts"
import { causeTopic, topicsFor, triggerTopics } from "./Triggers.ts"
import { companyView, contactView, conversationView } from "./Views.ts"
import type { SignatureMode } from "./WebhookDelivery.ts"
import {
  type DeliveryRecord,
  type NotificationEnvelope,
  type NotificationRecord,
  type Subscription,
  WebhookDispatcher
} from "./WebhookDispatcher.ts"

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
  /** Webhook subscriptions, each to every topic. */
  readonly webhookUrls?: ReadonlyArray<string> | undefined
  /** Signature headers on deliveries (default `both`). */
  readonly signature?: SignatureMode | undefined
  /** Requests per minute per app (default 1,000, TaskJuice's figure), spread over 10-second windows. */
  readonly rateLimitPerMinute?: number | undefined
  /** Faults, as rules or in the CLI's `<route>:<kind>[=<arg>][@<p>]` syntax. */
  readonly faults?: ReadonlyArray<FaultRule | string> | undefined
  /** Seed for fault decisions and generated data; random when not given (see `seed` on the handle). */
  readonly seed?: number | string | undefined
  /** SQLite file that keeps the state across restarts; in memory when not given. */
  readonly stateFile?: string | undefined
  /** Multiplies Intercom's delivery delays (5 s timeout, 1 min retry); 0.01 makes the retry 600 ms. */
  readonly timeScale?: number | undefined
  /** The app's configured API version, used when a request sends no `Intercom-Version` and for webhooks. */
  readonly apiVersion?: string | undefined
  /** Where `GET /oauth` sends the browser when the request names no `redirect_uri`. */
  readonly oauthRedirectUri?: string | undefined
  /** The OpenAPI document to validate against (default: the one the client was generated from). */
  readonly spec?: OpenApiDocument | undefined
  /** How many notifications and delivery attempts to keep for `deliveries` (default 5,000). */
  readonly keepDeliveries?: number | undefined
}

export interface TriggerOptions {
  /** Path/value edits to the triggered topic's notification (`data.item.email=…`, `item.name=…`). */
  readonly overrides?: ReadonlyArray<string | Override> | undefined
  readonly signature?: SignatureMode | undefined
  /** Deliver to this URL instead of the subscriptions. */
  readonly forwardTo?: string | undefined
  /** How many times to trigger (default 1). */
  readonly count?: number | undefined
}

export interface TriggeredNotification {
  readonly id: string
  readonly topic: string
  /** The first attempt of each delivery (retries, if any, follow later). */
  readonly deliveries: ReadonlyArray<DeliveryRecord>
}

export interface Simulator {
  /** Base URL of the API, the OAuth endpoints, the admin API (`/_sim/…`) and the dashboard (`/`). */
  readonly url: string
  readonly port: number
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** A token valid from the start (`Authorization: Bearer …`). */
  readonly accessToken: Redacted.Redacted<string>
  /** The seed in use: pass it back to reproduce a run's faults and data. */
  readonly seed: number
  readonly apiVersion: string
  readonly rateLimitPerMinute: number
  readonly store: Store
  readonly schemas: SpecSchemas
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
    readonly limit?: number
  }) => ReadonlyArray<DeliveryRecord>
  readonly notification: (id: string) => NotificationRecord | undefined
  readonly subscribe: (url: string, topics?: ReadonlyArray<string> | "*") => Subscription
  readonly faults: () => ReadonlyArray<FaultRule>
  readonly setFaults: (faults: ReadonlyArray<FaultRule | string>) => void
  readonly revokeToken: (token: string) => boolean
  readonly counts: () => StateCounts
  /** Resolves when every delivery attempt under way has finished. */
  readonly settle: () => Promise<void>
  readonly close: () => Promise<void>
}

/** A trigger for a topic the simulator cannot send; the message lists the valid topics. */
export class UnknownTopicError extends Data.TaggedError("UnknownTopicError")<{
  readonly topic: string
  readonly topics: ReadonlyArray<string>
  readonly reason: "NotRetryable"
}> {
  override get message(): string {
    return `Unknown topic "${this.topic}". Valid topics: ${this.topics.join(", ")}`
  }
}

const defaultRateLimitPerMinute = 1000
const pingItem = { type: "ping", message: "something something interzen" }

const bearer = (request: IncomingMessage): string | undefined => {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/** Query values arrive as text; convert the ones the spec types as numbers or booleans. */
const queryValue = (schema: unknown, value: string): unknown => {
  const type = typeof schema === "object" && schema !== null ? (schema as { type?: unknown }).type : undefined
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value)) return Number(value)
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true"
  return value
}

export const startSimulator = async (options: SimulatorOptions): Promise<Simulator> => {
  const random = makeRandom(options.seed)
  // Separate streams, so generating data never shifts which requests fail.
  const dataRandom = makeRandom(`${random.seed}:data`)
  const faultRandom = makeRandom(`${random.seed}:faults`)
  const clientSecret =
    typeof options.clientSecret === "string" ? Redacted.make(options.clientSecret) : options.clientSecret
  if (Redacted.value(clientSecret) === "") throw new Error("clientSecret must not be empty")
  const schemas = new SpecSchemas(options.spec)
  const apiVersion = options.apiVersion ?? schemas.defaultVersion
  const webhookProfile = versionProfile(apiVersion)
  const store = new Store(
    dataRandom,
    options.stateFile === undefined ? undefined : openSqlitePersistence(options.stateFile)
  )
  const app: OAuthApp = {
    clientId: options.clientId ?? "sim_client_id",
    clientSecret,
    defaultRedirectUri: options.oauthRedirectUri
  }
  const accessTokenText =
    options.accessToken === undefined
      ? `sim_${dataRandom.hex(32)}`
      : typeof options.accessToken === "string"
        ? options.accessToken
        : Redacted.value(options.accessToken)
  if (store.token(accessTokenText) === undefined) store.issueToken(app.clientId, accessTokenText)

  const limiter = new RateLimiter(options.rateLimitPerMinute ?? defaultRateLimitPerMinute)
  const toRule = (fault: FaultRule | string) => (typeof fault === "string" ? parseFault(fault) : fault)
  const faults = new FaultPlan((options.faults ?? []).map(toRule), faultRandom)
  const dispatcher = new WebhookDispatcher({
    clientSecret,
    signature: options.signature ?? "both",
    timeScale: options.timeScale ?? 1,
    keep: options.keepDeliveries ?? 5_000
  })
  for (const url of options.webhookUrls ?? []) dispatcher.subscribe(url)
  const api = intercomRoutes(store, schemas)

  // ── state changes become notifications ─────────────────────────────────────────────────────
  const itemFor = (change: StateChange): unknown => {
    switch (change.type) {
      case "contact.created":
      case "contact.updated":
        return contactView(store, webhookProfile, change.contact)
      case "conversation.created":
      case "conversation.replied":
        return conversationView(store, webhookProfile, change.conversation)
      case "company.created":
        return companyView(store, change.company)
    }
  }
  /** While a trigger runs, its notifications are held so overrides can be applied before sending. */
  let held: Array<NotificationEnvelope> | undefined
  store.onChange((change) => {
    const item = itemFor(change)
    for (const topic of topicsFor(change)) {
      const envelope = WebhookDispatcher.envelope(topic, item, store.workspace.id_code)
      if (held !== undefined) held.push(envelope)
      else void dispatcher.dispatch(envelope)
    }
  })

  const fixtureEnvelope = (topic: string): NotificationEnvelope => {
    const fixture = webhookFixture(topic) as unknown as Record<string, unknown>
    const fresh = WebhookDispatcher.envelope(topic, undefined, store.workspace.id_code)
    return { ...fixture, ...fresh, data: fixture.data }
  }

  const allTopics = [...new Set([...triggerTopics, ...webhookFixtureTopics()])].sort()

  const trigger: Simulator["trigger"] = async (topic, triggerOptions = {}) => {
    if (!allTopics.includes(topic))
      throw new UnknownTopicError({ topic, topics: allTopics, reason: "NotRetryable" })
    const overrides = (triggerOptions.overrides ?? []).map((o) =>
      typeof o === "string" ? parseOverride(o) : o
    )
    const count = triggerOptions.count ?? 1
    const sent: Array<{
      notification: NotificationRecord
      firstAttempts: Promise<ReadonlyArray<DeliveryRecord>>
    }> = []
    for (let i = 0; i < count; i++) {
      held = []
      let envelopes: Array<NotificationEnvelope>
      try {
        const caused = causeTopic(store, dataRandom, topic)
        envelopes = held
        if (topic === "ping") {
          envelopes.push(WebhookDispatcher.envelope("ping", pingItem, store.workspace.id_code))
        } else if (!caused) {
          envelopes.push(fixtureEnvelope(topic))
        }
      } finally {
        held = undefined
      }
      for (const envelope of envelopes) {
        const edited = envelope.topic === topic ? applyOverrides(envelope, overrides) : envelope
        // Only the asked-for topic goes to --forward-to; what else the change caused goes to subscribers.
        const forwardTo = envelope.topic === topic ? triggerOptions.forwardTo : undefined
        sent.push(dispatcher.dispatch(edited, { forwardTo, signature: triggerOptions.signature }))
      }
    }
    const results: Array<TriggeredNotification> = []
    for (const { notification, firstAttempts } of sent) {
      results.push({ id: notification.id, topic: notification.topic, deliveries: await firstAttempts })
    }
    return results
  }

  const resend: Simulator["resend"] = async (notificationId, resendOptions = {}) => {
    const attempts = dispatcher.resend(notificationId, resendOptions)
    if (attempts === undefined) throw new Error(`No notification with id "${notificationId}"`)
    return attempts
  }

  // ── HTTP ───────────────────────────────────────────────────────────────────────────────────
  const respondError = (
    response: ServerResponse,
    error: IntercomApiError,
    headers: Record<string, string> = {}
  ) => sendJson(response, error.status, errorList(error), headers)

  const parseJson = (text: string): unknown => {
    if (text.trim() === "") return {}
    try {
      return JSON.parse(text)
    } catch (error) {
      throw apiError(400, "bad_request", `The body is not valid JSON: ${(error as Error).message}`)
    }
  }

  const validateParameters = (operationId: string, query: URLSearchParams): void => {
    for (const parameter of schemas.parameters(operationId)) {
      if (parameter.in !== "query") continue
      const raw = query.get(parameter.name)
      if (raw === null) {
        if (parameter.required) {
          throw apiError(400, "parameter_not_found", `${parameter.name} is required`, parameter.name)
        }
        continue
      }
      const validate = schemas.parameterValidator(operationId, parameter)
      if (!validate(queryValue(parameter.schema, raw))) {
        const reason = validate.errors?.[0]?.message ?? "is invalid"
        throw apiError(400, "parameter_invalid", `${parameter.name} ${reason}`, parameter.name)
      }
    }
  }

  /** Holds a timed-out request open until the client or `close` gives up on it. */
  const heldOpen = new Set<ServerResponse>()

  const handleApi = async (
    request: IncomingMessage,
    response: ServerResponse,
    route: ApiRoute,
    template: string,
    params: Readonly<Record<string, string>>,
    query: URLSearchParams
  ): Promise<void> => {
    const method = request.method ?? "GET"
    const fault = faults.decide({ method, template, operationId: route.operationId })
    let malformed = false
    if (fault !== undefined) {
      switch (fault.kind) {
        case "drop":
          request.socket.destroy()
          return
        case "timeout":
          heldOpen.add(response)
          response.on("close", () => heldOpen.delete(response))
          request.resume()
          return
        case "error":
          request.resume()
          return respondError(
            response,
            apiError(
              fault.status ?? 500,
              serverErrorCode(fault.status ?? 500),
              "The simulator injected this failure"
            )
          )
        case "slow":
          await sleep(fault.delayMs ?? 2000)
          break
        case "revoked": {
          const token = bearer(request)
          if (token !== undefined) store.revokeToken(token)
          break
        }
        case "malformed":
          malformed = true
          break
        case "drop-after":
        case "slow-after":
          // Struck once the request has been handled, whatever its answer (see `answer`).
          break
      }
    }

    /**
     * Every answer from here on leaves through this: the request has been handled (or refused), so
     * `drop-after` loses the answer and `slow-after` holds it back, after the state changed.
     */
    const answer = async (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      cutShort = false
    ): Promise<void> => {
      if (fault?.kind === "drop-after") {
        request.socket.destroy()
        return
      }
      if (fault?.kind === "slow-after") {
        await sleep(fault.delayMs ?? 2000)
        // The client gave up meanwhile: the answer has nowhere to go.
        if (request.socket.destroyed) return
      }
      if (!cutShort) return sendJson(response, status, body, headers)
      // A body cut short mid-object: what a proxy that drops a connection can leave behind.
      const text = JSON.stringify(body)
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers })
      response.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))))
    }
    const answerError = (error: IntercomApiError, headers: Record<string, string> = {}) =>
      answer(error.status, errorList(error), headers)

    const token = bearer(request)
    const tokenRecord = token === undefined ? undefined : store.token(token)
    if (token === undefined || tokenRecord === undefined) {
      request.resume()
      return answerError(unauthorized())
    }
    if (tokenRecord.revoked) {
      request.resume()
      return answerError(tokenRevoked())
    }

    const versionHeader = request.headers["intercom-version"]
    const version = typeof versionHeader === "string" && versionHeader !== "" ? versionHeader : apiVersion
    if (!isServableVersion(version, schemas.knownVersions)) {
      request.resume()
      return answerError(
        apiError(
          400,
          "intercom_version_invalid",
          "Requested resource is not available in current API version.",
          "Intercom-Version"
        )
      )
    }

    const decision: RateLimitDecision = limiter.take(token)
    const limitHeaders = rateLimitHeaders(decision)
    if (!decision.allowed) {
      request.resume()
      return answerError(
        apiError(
          429,
          "rate_limit_exceeded",
          `Exceeded rate limit of ${decision.limit} requests per 10 seconds`
        ),
        limitHeaders
      )
    }

    let result: { readonly status: number; readonly body: unknown }
    try {
      const hasBody = method !== "GET" && method !== "HEAD" && method !== "DELETE"
      const body = hasBody ? parseJson(await readBody(request)) : undefined
      validateParameters(route.operationId, query)
      if (hasBody && route.validatesBody) {
        const problem = schemas.validateRequestBody(route.operationId, body)
        if (problem !== undefined) throw apiError(400, problem.code, problem.message, problem.field)
      }
      result = route.handle({ params, query, body, profile: versionProfile(version) })
    } catch (error) {
      if (error instanceof IntercomApiError) return answerError(error, limitHeaders)
      if (error instanceof BodyTooLarge) {
        return answerError(apiError(413, "request_too_large", error.message), limitHeaders)
      }
      throw error
    }
    return answer(result.status, result.body, limitHeaders, malformed)
  }

  const handleOAuth = async (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams
  ): Promise<boolean> => {
    if (path === "/oauth" && request.method === "GET") {
      const result = authorize(store, app, query)
      if (result instanceof IntercomApiError) respondError(response, result)
      else {
        response.writeHead(302, { location: result.toString(), "content-length": "0" })
        response.end()
      }
      return true
    }
    if (path === "/auth/eagle/token" && request.method === "POST") {
      const text = await readBody(request)
      const type = request.headers["content-type"] ?? ""
      let fields: Record<string, unknown>
      if (type.includes("application/x-www-form-urlencoded")) {
        fields = Object.fromEntries(new URLSearchParams(text))
      } else {
        const parsed = parseJson(text)
        fields = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {}
      }
      const result = exchangeCode(store, app, fields)
      if (result instanceof IntercomApiError) respondError(response, result)
      else sendJson(response, 200, result, { "cache-control": "no-store" })
      return true
    }
    return false
  }

  let admin: AdminApi | undefined

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const { path, query } = splitTarget(request.url ?? "/")
    if (path === "/" || path.startsWith("/_sim/") || path === "/_sim") {
      return admin?.handle(request, response, path, query)
    }
    if (await handleOAuth(request, response, path, query)) return
    const match = api.match(request.method ?? "GET", path)
    if (match._tag === "Found") {
      return handleApi(request, response, match.route.handler, match.route.template, match.params, query)
    }
    request.resume()
    if (match._tag === "MethodNotAllowed") {
      return respondError(
        response,
        apiError(405, "method_not_allowed", `Use ${match.allowed.join(" or ")}`),
        {
          allow: match.allowed.join(", ")
        }
      )
    }
    return respondError(response, apiError(404, "not_found", "Resource Not Found"))
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy()
        return
      }
      const message = error instanceof Error ? error.message : String(error)
      respondError(response, apiError(500, "server_error", `The simulator failed: ${message}`))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = options.host === undefined || options.host === "0.0.0.0" ? "127.0.0.1" : options.host
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

  const simulator: Simulator = {
    url,
    port,
    clientId: app.clientId,
    clientSecret,
    accessToken: Redacted.make(accessTokenText),
    seed: random.seed,
    apiVersion,
    rateLimitPerMinute: options.rateLimitPerMinute ?? defaultRateLimitPerMinute,
    store,
    schemas,
    dispatcher,
    topics: allTopics,
    trigger,
    resend,
    ping: async () => {
      const [result] = await trigger("ping")
      return result!
    },
    deliveries: (filter) => dispatcher.deliveries(filter),
    notification: (id) => dispatcher.notification(id),
    subscribe: (target, topics) => dispatcher.subscribe(target, topics),
    faults: () => faults.current,
    setFaults: (rules) => faults.replace(rules.map(toRule)),
    revokeToken: (token) => store.revokeToken(token),
    counts: () => store.counts(),
    settle: () => dispatcher.settle(),
    close: async () => {
      dispatcher.close()
      admin?.close()
      for (const response of heldOpen) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await dispatcher.settle()
      store.close()
    }
  }
  admin = adminApi(simulator)
  return simulator
}

const serverErrorCode = (status: number): string =>
  status === 503
    ? "service_unavailable"
    : status === 502
      ? "bad_gateway"
      : status === 504
        ? "gateway_timeout"
        : "server_error"
