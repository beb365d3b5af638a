/**
 * The public surface, the only routes Intercom and browsers reach: the app-scoped webhook endpoint,
 * the OAuth hand-off (`/oauth/begin` sets the browser's cookie, `/oauth/callback` checks it) and a
 * health check. Nothing here lists, reads or runs anything for a caller.
 */
import type { StoreError } from "@taskjuice/intercom-state"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { summarizeConnection } from "../Connection.ts"
import { deliveryEvent } from "../HostEvents.ts"
import { webhookPath } from "../Manifest.ts"
import { OAuth, OAuthError } from "../OAuth.ts"
import { fromStateFailure, type HostFailure } from "../StepError.ts"
import { acknowledgement, receiveWebhook } from "../WebhookEndpoint.ts"
import { HostContext } from "./HostContext.ts"
import { readBody } from "./RequestBody.ts"
import { byMethod, failureResponse, json, refuse } from "./Respond.ts"

/** The cookie binding an OAuth flow to the browser that began it. */
export const oauthCookieName = "taskjuice_oauth"
export const oauthCallbackPath = "/oauth/callback"
export const oauthBeginPath = "/oauth/begin"
export const healthPath = "/health"

const webhook = Effect.gen(function* () {
  const host = yield* HostContext
  const request = yield* HttpServerRequest.HttpServerRequest
  const body = yield* readBody(host.limits)
  const receipt = yield* receiveWebhook(body, request.headers, {
    secrets: host.secrets,
    subscriptions: host.subscriptions,
    limits: host.limits,
    dedupeWindow: host.dedupeWindow
  })
  // One line per delivery, from the receipt the answer is made of (the log is guarded).
  host.log(deliveryEvent(receipt))
  if (receipt._tag === "Refused") return failureResponse(receipt.failure)
  // Kept in the inbox before the answer; logging and listeners run after it, guarded.
  if (receipt._tag === "Accepted") host.listeners.handOff(receipt.activations)
  return json(200, acknowledgement(receipt))
})

/** OAuth's own refusals, or the state store's. */
export const oauthFailure = (error: OAuthError | StoreError): HostFailure =>
  error instanceof OAuthError ? { _tag: "OAuth", error } : fromStateFailure(error)

const searchParam = (request: HttpServerRequest.HttpServerRequest, name: string): string | undefined => {
  const value = new URL(request.url, "http://host").searchParams.get(name)
  return value ?? undefined
}

const cookieOptions = (publicUrl: string) => ({
  httpOnly: true,
  sameSite: "lax" as const,
  secure: publicUrl.startsWith("https:"),
  path: oauthCallbackPath,
  maxAge: "10 minutes" as const
})

const begin = Effect.gen(function* () {
  const host = yield* HostContext
  const oauth = yield* OAuth
  const request = yield* HttpServerRequest.HttpServerRequest
  const begun = yield* Effect.result(oauth.begin(searchParam(request, "ticket")))
  if (begun._tag === "Failure") return failureResponse(oauthFailure(begun.failure))
  return yield* HttpServerResponse.redirect(begun.success.location, {
    status: 302,
    headers: { "cache-control": "no-store" }
  }).pipe(
    HttpServerResponse.setCookie(oauthCookieName, begun.success.browserCookie, cookieOptions(host.publicUrl))
  )
})

const callback = Effect.gen(function* () {
  const host = yield* HostContext
  const oauth = yield* OAuth
  const request = yield* HttpServerRequest.HttpServerRequest
  const exit = yield* Effect.result(
    oauth.complete({
      code: searchParam(request, "code"),
      state: searchParam(request, "state"),
      error: searchParam(request, "error"),
      browserCookie: request.cookies[oauthCookieName]
    })
  )
  if (exit._tag === "Failure") {
    const error = exit.failure
    host.log({
      event: "connect-failed",
      reason: error instanceof OAuthError ? error.reason._tag : error._tag,
      message: error.message
    })
    return failureResponse(oauthFailure(error))
  }
  const { connection, reconnected, context } = exit.success
  host.log({ event: reconnected ? "reconnected" : "connected", connection: summarizeConnection(connection) })
  return json(200, {
    connection: summarizeConnection(connection),
    reconnected,
    ...(context === undefined ? {} : { context })
  }).pipe(HttpServerResponse.expireCookieUnsafe(oauthCookieName, { path: oauthCallbackPath }))
})

export const publicRoutes = [
  HttpRouter.route("*", webhookPath, byMethod({ POST: webhook, HEAD: Effect.succeed(json(200, {})) }), {
    // Once the delivery is marked seen, its activations are recorded even if the sender hangs up.
    uninterruptible: true
  }),
  HttpRouter.route("*", oauthBeginPath, byMethod({ GET: begin })),
  HttpRouter.route("*", oauthCallbackPath, byMethod({ GET: callback })),
  HttpRouter.route("*", healthPath, byMethod({ GET: Effect.succeed(json(200, { status: "ok" })) }))
] as const

/** Every path no route has. */
export const notFoundRoute = HttpRouter.route(
  "*",
  "/*",
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    refuse({ _tag: "RouteNotFound", path: request.url.split("?")[0] ?? "" })
  )
)
