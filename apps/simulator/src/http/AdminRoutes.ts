/**
 * The simulator's own HTTP API under `/_sim/`, which the CLI and the dashboard (`/`) talk to, behind
 * `AdminGuard` (same-origin JSON with the run's admin token). Errors are `{ error: { code, message } }`;
 * an unknown topic also lists the valid ones.
 *
 * `GET /_sim/stats` answers `TrafficStats`' snapshot: requests, 429s and injected faults per
 * 10-second window and per route.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { isObject } from "effect/Predicate"
import type * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import { dashboardPage, faviconResponse } from "../Dashboard.ts"
import type { WorkspaceStore } from "../domain/WorkspaceStore.ts"
import { type FaultPlan, FaultSyntaxError, formatFault, parseFault } from "../Faults.ts"
import { OverrideError } from "../Overrides.ts"
import { type SignatureMode, signatureModes } from "../SignatureMode.ts"
import type { Notifier, UnknownNotificationError, UnknownTopicError } from "../webhooks/Notifier.ts"
import type { DeliveryRecord, Subscription, WebhookDispatcher } from "../webhooks/WebhookDispatcher.ts"
import { type AdminGuardOptions, checkAdminRequest } from "./AdminGuard.ts"
import type { TrafficStats } from "./TrafficStats.ts"

/** A delivery attempt without its (possibly large) payload and answer. */
export type DeliverySummary = Omit<
  DeliveryRecord,
  "payload" | "responseBody" | "requestHeaders" | "responseHeaders"
> & {
  readonly payloadBytes: number
}

export const summarize = (delivery: DeliveryRecord): DeliverySummary => {
  const {
    payload,
    responseBody: _body,
    requestHeaders: _sent,
    responseHeaders: _answered,
    ...rest
  } = delivery
  return { ...rest, payloadBytes: Buffer.byteLength(payload) }
}

/** What the admin API reads and drives. */
export interface AdminContext {
  readonly guard: AdminGuardOptions
  readonly url: () => string
  readonly apiVersion: string
  readonly seed: number
  readonly rateLimitPerMinute: number
  readonly store: WorkspaceStore
  readonly dispatcher: WebhookDispatcher
  readonly notifier: Notifier
  readonly faults: FaultPlan
  readonly stats: TrafficStats
  /** Deliveries as they are recorded, for `/_sim/events`; shut down when the simulator closes. */
  readonly events: PubSub.PubSub<DeliveryRecord>
}

class AdminError extends Data.TaggedError("AdminError")<{
  readonly status: number
  readonly code: string
  readonly message: string
  readonly extra?: Record<string, unknown>
}> {}

const adminError = (status: number, code: string, message: string, extra?: Record<string, unknown>) =>
  new AdminError({ status, code, message, ...(extra === undefined ? {} : { extra }) })

interface AdminInput {
  readonly params: Readonly<Record<string, string | undefined>>
  readonly query: URLSearchParams
  readonly body: Record<string, unknown>
}

type Failure = AdminError | UnknownTopicError | UnknownNotificationError | OverrideError | FaultSyntaxError

const optionalString = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "string") throw adminError(400, "parameter_invalid", `${name} must be a string`)
  return value
}

const signatureOf = (body: Record<string, unknown>): SignatureMode | undefined => {
  const value = optionalString(body, "signature")
  if (value === undefined) return undefined
  if (!(signatureModes as ReadonlyArray<string>).includes(value)) {
    throw adminError(400, "parameter_invalid", `signature must be one of ${signatureModes.join(", ")}`)
  }
  return value as SignatureMode
}

const stringList = (body: Record<string, unknown>, name: string): ReadonlyArray<string> => {
  const value = body[name]
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    throw adminError(400, "parameter_invalid", `${name} must be a list of strings`)
  }
  return value as ReadonlyArray<string>
}

const json = (status: number, body: unknown) => HttpServerResponse.jsonUnsafe(body, { status })

const failureResponse = (failure: Failure) => {
  switch (failure._tag) {
    case "AdminError":
      return json(failure.status, {
        error: { code: failure.code, message: failure.message, ...failure.extra }
      })
    case "UnknownTopicError":
      return json(400, { error: { code: "unknown_topic", message: failure.message, topics: failure.topics } })
    case "UnknownNotificationError":
      return json(404, { error: { code: "not_found", message: failure.message } })
    default:
      return json(400, { error: { code: "bad_request", message: failure.message } })
  }
}

const subscriptionView = (subscription: Subscription) => ({ ...subscription })

export const adminRoutes = (context: AdminContext): ReadonlyArray<HttpRouter.Route<never, never>> => {
  const route = (
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: `/${string}`,
    handle: (input: AdminInput) => Effect.Effect<unknown, Failure> | unknown
  ) =>
    HttpRouter.route(
      method,
      path,
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const { params } = yield* HttpRouter.RouteContext
        const pathOnly = request.url.split("?")[0] ?? request.url
        const refused = checkAdminRequest(context.guard, request, pathOnly)
        if (refused !== undefined) {
          return json(refused.status, { error: { code: refused.code, message: refused.message } })
        }
        const query = new URLSearchParams(
          request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : ""
        )
        let body: Record<string, unknown> = {}
        if (method !== "GET") {
          const text = yield* Effect.orElseSucceed(request.text, () => "")
          if (text.trim() !== "") {
            let parsed: unknown
            try {
              parsed = JSON.parse(text)
            } catch (error) {
              return json(400, {
                error: { code: "bad_request", message: `The body is not JSON: ${(error as Error).message}` }
              })
            }
            if (!isObject(parsed)) {
              return json(400, { error: { code: "bad_request", message: "The body must be a JSON object" } })
            }
            body = parsed
          }
        }
        let result: unknown
        try {
          result = handle({ params, query, body })
        } catch (error) {
          // Handlers refuse bad input by throwing these (see optionalString); anything else is a defect.
          if (
            error instanceof AdminError ||
            error instanceof FaultSyntaxError ||
            error instanceof OverrideError
          ) {
            return failureResponse(error)
          }
          throw error
        }
        if (HttpServerResponse.isHttpServerResponse(result)) return result
        if (!Effect.isEffect(result)) return json(200, result)
        const outcome = yield* Effect.result(result as Effect.Effect<unknown, Failure>)
        if (outcome._tag === "Failure") return failureResponse(outcome.failure)
        return HttpServerResponse.isHttpServerResponse(outcome.success)
          ? outcome.success
          : json(200, outcome.success)
      }).pipe(Effect.orDie)
    )

  const state = () => ({
    url: context.url(),
    workspace: context.store.workspace,
    apiVersion: context.apiVersion,
    seed: context.seed,
    rateLimitPerMinute: context.rateLimitPerMinute,
    counts: context.store.counts(),
    subscriptions: context.dispatcher.subscriptions.map(subscriptionView),
    faults: context.faults.current.map(formatFault),
    topics: context.notifier.topics,
    deliveryAttempts: context.dispatcher.totalAttempts
  })

  const stateFrame = () => `event: state\ndata: ${JSON.stringify(context.store.counts())}\n\n`

  return [
    HttpRouter.route(
      "GET",
      "/",
      Effect.succeed(
        // The admin token goes into the page the dashboard's buttons run in, and nowhere else.
        HttpServerResponse.html(dashboardPage({ adminToken: context.guard.token })).pipe(
          HttpServerResponse.setHeader("cache-control", "no-store")
        )
      )
    ),
    HttpRouter.route("GET", "/favicon.ico", Effect.succeed(faviconResponse)),
    route("GET", "/_sim/health", () => ({ ok: true, url: context.url(), apiVersion: context.apiVersion })),
    route("GET", "/_sim/state", state),
    route("GET", "/_sim/topics", () => ({ topics: context.notifier.topics })),
    route("GET", "/_sim/stats", () => context.stats.snapshot()),
    route("POST", "/_sim/trigger", ({ body }) => {
      const topic = optionalString(body, "topic")
      if (topic === undefined) throw adminError(400, "parameter_not_found", "topic is required")
      const count = body.count === undefined ? 1 : Number(body.count)
      if (!Number.isInteger(count) || count < 1 || count > 10_000) {
        throw adminError(400, "parameter_invalid", "count must be an integer from 1 to 10000")
      }
      return Effect.map(
        context.notifier.trigger(topic, {
          overrides: stringList(body, "overrides"),
          signature: signatureOf(body),
          forwardTo: optionalString(body, "forwardTo"),
          count
        }),
        (notifications) => ({
          notifications: notifications.map((n) => ({ ...n, deliveries: n.deliveries.map(summarize) }))
        })
      )
    }),
    route("POST", "/_sim/ping", () =>
      Effect.map(context.notifier.ping(), (notification) => ({
        notifications: [{ ...notification, deliveries: notification.deliveries.map(summarize) }]
      }))
    ),
    route("POST", "/_sim/notifications/:id/resend", ({ params, body }) => {
      const id = params.id ?? ""
      return Effect.map(
        context.notifier.resend(id, {
          forwardTo: optionalString(body, "forwardTo"),
          signature: signatureOf(body)
        }),
        (deliveries) => ({ notificationId: id, deliveries: deliveries.map(summarize) })
      )
    }),
    route("GET", "/_sim/notifications/:id", ({ params }) => {
      const notification = context.dispatcher.notification(params.id ?? "")
      if (notification === undefined)
        throw adminError(404, "not_found", `No notification with id "${params.id}"`)
      return notification
    }),
    route("GET", "/_sim/deliveries", ({ query }) => {
      const limit = query.get("limit") === null ? 50 : Number(query.get("limit"))
      if (!Number.isInteger(limit) || limit < 1)
        throw adminError(400, "parameter_invalid", "limit must be a positive integer")
      const topic = query.get("topic") ?? undefined
      return {
        deliveries: context.dispatcher
          .deliveries({ limit, ...(topic === undefined ? {} : { topic }) })
          .map(summarize),
        total: context.dispatcher.totalAttempts
      }
    }),
    route("GET", "/_sim/deliveries/:id", ({ params }) => {
      const delivery = context.dispatcher.delivery(params.id ?? "")
      if (delivery === undefined) throw adminError(404, "not_found", `No delivery with id "${params.id}"`)
      return delivery
    }),
    route("GET", "/_sim/subscriptions", () => ({
      subscriptions: context.dispatcher.subscriptions.map(subscriptionView)
    })),
    route("POST", "/_sim/subscriptions", ({ body }) => {
      const url = optionalString(body, "url")
      if (url === undefined) throw adminError(400, "parameter_not_found", "url is required")
      const topics = body.topics === undefined ? "*" : stringList(body, "topics")
      try {
        return subscriptionView(context.dispatcher.subscribe(url, topics))
      } catch {
        throw adminError(400, "parameter_invalid", `url "${url}" is not an absolute URL`)
      }
    }),
    route("DELETE", "/_sim/subscriptions/:id", ({ params }) => {
      const id = params.id ?? ""
      if (!context.dispatcher.unsubscribe(id))
        throw adminError(404, "not_found", `No subscription with id "${id}"`)
      return { removed: id }
    }),
    route("GET", "/_sim/faults", () => ({ faults: context.faults.current.map(formatFault) })),
    route("PUT", "/_sim/faults", ({ body }) => {
      const rules = stringList(body, "faults").map(parseFault)
      context.faults.replace(rules)
      return { faults: rules.map(formatFault) }
    }),
    route("POST", "/_sim/tokens/revoke", ({ body }) => {
      const token = optionalString(body, "token")
      if (token === undefined) throw adminError(400, "parameter_not_found", "token is required")
      if (!context.store.tokens.revoke(token)) throw adminError(404, "not_found", "No such token")
      return { revoked: true }
    }),
    route("GET", "/_sim/events", () => {
      const frames = Stream.concat(
        Stream.succeed(stateFrame()),
        Stream.merge(
          Stream.fromPubSub(context.events).pipe(
            Stream.map((delivery) => `event: delivery\ndata: ${JSON.stringify(summarize(delivery))}\n\n`)
          ),
          Stream.tick("250 millis").pipe(Stream.map(stateFrame), Stream.changes)
        )
      )
      return HttpServerResponse.stream(Stream.encodeText(frames), {
        contentType: "text/event-stream",
        headers: { "cache-control": "no-store", connection: "keep-alive" }
      })
    }),
    route("GET", "/_sim/*", ({ params }) => {
      throw adminError(404, "not_found", `No GET /_sim/${params["*"] ?? ""}`)
    }),
    route("POST", "/_sim/*", ({ params }) => {
      throw adminError(404, "not_found", `No POST /_sim/${params["*"] ?? ""}`)
    }),
    route("DELETE", "/_sim/*", ({ params }) => {
      throw adminError(404, "not_found", `No DELETE /_sim/${params["*"] ?? ""}`)
    })
  ]
}
