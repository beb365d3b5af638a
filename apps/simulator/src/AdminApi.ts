/**
 * The simulator's own HTTP API under `/_sim/`, which the CLI (`trigger`, `resend`, `deliveries`) and
 * the dashboard (`/`) talk to. Local and unauthenticated by design: it is a development tool bound to
 * loopback. Errors are `{ error: { code, message } }`; an unknown topic also lists the valid ones.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { dashboardHtml } from "./Dashboard.ts"
import { FaultSyntaxError, formatFault, parseFault } from "./Faults.ts"
import { readBody, sendJson, sendText } from "./Http.ts"
import { OverrideError } from "./Overrides.ts"
import { Router } from "./Router.ts"
import type { Simulator } from "./Simulator.ts"
import { UnknownTopicError } from "./Simulator.ts"
import { type SignatureMode, signatureModes } from "./WebhookDelivery.ts"
import type { DeliveryRecord, Subscription } from "./WebhookDispatcher.ts"

/** A delivery attempt without its (possibly large) payload and answer. */
export type DeliverySummary = Omit<DeliveryRecord, "payload" | "responseBody"> & {
  readonly payloadBytes: number
}

export const summarize = (delivery: DeliveryRecord): DeliverySummary => {
  const { payload, responseBody: _responseBody, ...rest } = delivery
  return { ...rest, payloadBytes: Buffer.byteLength(payload) }
}

const subscriptionView = (subscription: Subscription) => ({ ...subscription })

class AdminError extends Error {
  readonly status: number
  readonly code: string
  readonly extra: Record<string, unknown>
  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message)
    this.status = status
    this.code = code
    this.extra = extra
  }
}

interface AdminRequest {
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly body: Record<string, unknown>
  readonly request: IncomingMessage
  readonly response: ServerResponse
}

/** `undefined` means the handler answered itself (the event stream). */
type AdminHandler = (request: AdminRequest) => Promise<unknown> | unknown

export interface AdminApi {
  readonly handle: (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams
  ) => Promise<void>
  readonly close: () => void
}

const optionalString = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "string") throw new AdminError(400, "parameter_invalid", `${name} must be a string`)
  return value
}

const signatureOf = (body: Record<string, unknown>): SignatureMode | undefined => {
  const value = optionalString(body, "signature")
  if (value === undefined) return undefined
  if (!(signatureModes as ReadonlyArray<string>).includes(value)) {
    throw new AdminError(400, "parameter_invalid", `signature must be one of ${signatureModes.join(", ")}`)
  }
  return value as SignatureMode
}

const stringList = (body: Record<string, unknown>, name: string): ReadonlyArray<string> => {
  const value = body[name]
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    throw new AdminError(400, "parameter_invalid", `${name} must be a list of strings`)
  }
  return value as ReadonlyArray<string>
}

export const adminApi = (simulator: Simulator): AdminApi => {
  const streams = new Set<ServerResponse>()
  const unsubscribe = simulator.dispatcher.onDelivery((delivery) => {
    if (streams.size === 0) return
    const frame = `event: delivery\ndata: ${JSON.stringify(summarize(delivery))}\n\n`
    for (const stream of streams) stream.write(frame)
  })
  let lastCounts = ""
  const stateTimer = setInterval(() => {
    if (streams.size === 0) return
    const counts = JSON.stringify(simulator.counts())
    if (counts === lastCounts) return
    lastCounts = counts
    for (const stream of streams) stream.write(`event: state\ndata: ${counts}\n\n`)
  }, 250)
  stateTimer.unref()

  const state = () => ({
    url: simulator.url,
    workspace: simulator.store.workspace,
    apiVersion: simulator.apiVersion,
    seed: simulator.seed,
    rateLimitPerMinute: simulator.rateLimitPerMinute,
    counts: simulator.counts(),
    subscriptions: simulator.dispatcher.subscriptions.map(subscriptionView),
    faults: simulator.faults().map(formatFault),
    topics: simulator.topics,
    deliveryAttempts: simulator.dispatcher.totalAttempts
  })

  const routes = new Router<AdminHandler>()
    .add("GET", "/", ({ response }) => {
      sendText(response, 200, dashboardHtml, "text/html; charset=utf-8", { "cache-control": "no-store" })
      return undefined
    })
    .add("GET", "/_sim/health", () => ({ ok: true, url: simulator.url, apiVersion: simulator.apiVersion }))
    .add("GET", "/_sim/state", state)
    .add("GET", "/_sim/topics", () => ({ topics: simulator.topics }))
    .add("POST", "/_sim/trigger", async ({ body }) => {
      const topic = optionalString(body, "topic")
      if (topic === undefined) throw new AdminError(400, "parameter_not_found", "topic is required")
      const count = body.count === undefined ? 1 : Number(body.count)
      if (!Number.isInteger(count) || count < 1 || count > 10_000) {
        throw new AdminError(400, "parameter_invalid", "count must be an integer from 1 to 10000")
      }
      const notifications = await simulator.trigger(topic, {
        overrides: stringList(body, "overrides"),
        signature: signatureOf(body),
        forwardTo: optionalString(body, "forwardTo"),
        count
      })
      return {
        notifications: notifications.map((n) => ({ ...n, deliveries: n.deliveries.map(summarize) }))
      }
    })
    .add("POST", "/_sim/ping", async () => {
      const notification = await simulator.ping()
      return { notifications: [{ ...notification, deliveries: notification.deliveries.map(summarize) }] }
    })
    .add("POST", "/_sim/notifications/{id}/resend", async ({ params, body }) => {
      const id = params.id ?? ""
      if (simulator.notification(id) === undefined) {
        throw new AdminError(
          404,
          "not_found",
          `No notification with id "${id}" (it may be older than the kept history)`
        )
      }
      const forwardTo = optionalString(body, "forwardTo")
      const signature = signatureOf(body)
      const deliveries = await simulator.resend(id, {
        ...(forwardTo === undefined ? {} : { forwardTo }),
        ...(signature === undefined ? {} : { signature })
      })
      return { notificationId: id, deliveries: deliveries.map(summarize) }
    })
    .add("GET", "/_sim/notifications/{id}", ({ params }) => {
      const notification = simulator.notification(params.id ?? "")
      if (notification === undefined)
        throw new AdminError(404, "not_found", `No notification with id "${params.id}"`)
      return notification
    })
    .add("GET", "/_sim/deliveries", ({ query }) => {
      const limit = query.get("limit") === null ? 50 : Number(query.get("limit"))
      if (!Number.isInteger(limit) || limit < 1)
        throw new AdminError(400, "parameter_invalid", "limit must be a positive integer")
      const topic = query.get("topic") ?? undefined
      return {
        deliveries: simulator.deliveries({ limit, ...(topic === undefined ? {} : { topic }) }).map(summarize),
        total: simulator.dispatcher.totalAttempts
      }
    })
    .add("GET", "/_sim/deliveries/{id}", ({ params }) => {
      const delivery = simulator.dispatcher.delivery(params.id ?? "")
      if (delivery === undefined) throw new AdminError(404, "not_found", `No delivery with id "${params.id}"`)
      return delivery
    })
    .add("GET", "/_sim/subscriptions", () => ({
      subscriptions: simulator.dispatcher.subscriptions.map(subscriptionView)
    }))
    .add("POST", "/_sim/subscriptions", ({ body }) => {
      const url = optionalString(body, "url")
      if (url === undefined) throw new AdminError(400, "parameter_not_found", "url is required")
      const topics = body.topics === undefined ? "*" : stringList(body, "topics")
      try {
        return subscriptionView(simulator.subscribe(url, topics))
      } catch {
        throw new AdminError(400, "parameter_invalid", `url "${url}" is not an absolute URL`)
      }
    })
    .add("GET", "/_sim/faults", () => ({ faults: simulator.faults().map(formatFault) }))
    .add("PUT", "/_sim/faults", ({ body }) => {
      const rules = stringList(body, "faults").map(parseFault)
      simulator.setFaults(rules)
      return { faults: rules.map(formatFault) }
    })
    .add("POST", "/_sim/tokens/revoke", ({ body }) => {
      const token = optionalString(body, "token")
      if (token === undefined) throw new AdminError(400, "parameter_not_found", "token is required")
      if (!simulator.revokeToken(token)) throw new AdminError(404, "not_found", "No such token")
      return { revoked: true }
    })
    .add("GET", "/_sim/events", ({ response }) => {
      response.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive"
      })
      response.write(`event: state\ndata: ${JSON.stringify(simulator.counts())}\n\n`)
      streams.add(response)
      response.on("close", () => streams.delete(response))
      return undefined
    })

  return {
    handle: async (request, response, path, query) => {
      const match = routes.match(request.method ?? "GET", path)
      if (match._tag !== "Found") {
        request.resume()
        const status = match._tag === "MethodNotAllowed" ? 405 : 404
        sendJson(response, status, {
          error: {
            code: status === 405 ? "method_not_allowed" : "not_found",
            message: `No ${request.method} ${path}`
          }
        })
        return
      }
      try {
        let body: Record<string, unknown> = {}
        if (request.method !== "GET") {
          const text = await readBody(request)
          if (text.trim() !== "") {
            const parsed: unknown = JSON.parse(text)
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
              throw new AdminError(400, "bad_request", "The body must be a JSON object")
            }
            body = parsed as Record<string, unknown>
          }
        }
        const result = await match.route.handler({ params: match.params, query, body, request, response })
        if (result !== undefined) sendJson(response, 200, result)
      } catch (error) {
        if (error instanceof AdminError) {
          sendJson(response, error.status, {
            error: { code: error.code, message: error.message, ...error.extra }
          })
        } else if (error instanceof UnknownTopicError) {
          sendJson(response, 400, {
            error: { code: "unknown_topic", message: error.message, topics: error.topics }
          })
        } else if (
          error instanceof FaultSyntaxError ||
          error instanceof OverrideError ||
          error instanceof SyntaxError
        ) {
          sendJson(response, 400, { error: { code: "bad_request", message: error.message } })
        } else {
          throw error
        }
      }
    },
    close: () => {
      unsubscribe()
      clearInterval(stateTimer)
      for (const stream of streams) stream.end()
      streams.clear()
    }
  }
}
