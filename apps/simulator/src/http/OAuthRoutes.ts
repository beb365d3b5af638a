/**
 * Intercom's OAuth, simulated: `GET /oauth` approves at once (no consent screen) and redirects, with
 * `code` and `state`, to the `redirect_uri` asked for, which must be one the app registered (as on
 * Intercom's Developer Hub; `--redirect-uri`, repeatable). `POST /auth/eagle/token` exchanges the code,
 * with the app's `client_id` and `client_secret`, for `{ token, access_token, token_type: "Bearer" }`.
 * Codes expire after 10 minutes (`AuthorizationCodes`).
 */
import { timingSafeEqual } from "node:crypto"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { isObject } from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import { invalidField, missingField } from "../domain/DomainError.ts"
import type { WorkspaceStore } from "../domain/WorkspaceStore.ts"
import { type ApiError, errorAnswer, Unauthorized } from "./IntercomErrors.ts"

export interface OAuthApp {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** The registered redirect URIs; the first is used when a request names none. */
  readonly redirectUris: ReadonlyArray<string>
}

export interface TokenResponse {
  readonly token: string
  readonly access_token: string
  readonly token_type: "Bearer"
}

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Where `GET /oauth` sends the browser, or why it will not. */
export const authorize = (store: WorkspaceStore, app: OAuthApp, query: URLSearchParams): URL | ApiError => {
  const clientId = query.get("client_id")
  if (clientId === null || clientId === "") return missingField("client_id")
  if (clientId !== app.clientId) return invalidField("client_id", "client_id is not a known app")
  const registered = app.redirectUris.length === 0 ? "none" : app.redirectUris.join(", ")
  const redirect = query.get("redirect_uri") ?? app.redirectUris[0]
  if (redirect === undefined || redirect === "") {
    return missingField(
      "redirect_uri",
      "redirect_uri is required, and the app registered none (start the simulator with --redirect-uri URL)"
    )
  }
  if (!app.redirectUris.includes(redirect)) {
    return invalidField(
      "redirect_uri",
      `redirect_uri ${redirect} is not registered for the app (registered: ${registered}; add it with --redirect-uri)`
    )
  }
  const target = new URL(redirect)
  const code = store.codes.issue(clientId, redirect)
  target.searchParams.set("code", code.code)
  const state = query.get("state")
  if (state !== null) target.searchParams.set("state", state)
  return target
}

/** `POST /auth/eagle/token` with `code`, `client_id`, `client_secret` (and `redirect_uri` if the authorization named one). */
export const exchangeCode = (
  store: WorkspaceStore,
  app: OAuthApp,
  fields: Readonly<Record<string, unknown>>
): TokenResponse | ApiError => {
  for (const name of ["code", "client_id", "client_secret"]) {
    if (typeof fields[name] !== "string" || fields[name] === "") return missingField(name)
  }
  const clientId = String(fields.client_id)
  if (
    clientId !== app.clientId ||
    !sameText(String(fields.client_secret), Redacted.value(app.clientSecret))
  ) {
    return new Unauthorized({ reason: "NotRetryable" })
  }
  const grant = store.codes.redeem(String(fields.code))
  if (grant === undefined || grant.clientId !== clientId) {
    return invalidField("code", "code is invalid, expired or already used")
  }
  if (typeof fields.redirect_uri === "string" && fields.redirect_uri !== grant.redirectUri) {
    return invalidField("redirect_uri", "redirect_uri differs from the one the code was issued for")
  }
  const { token } = store.tokens.issue(clientId)
  return { token, access_token: token, token_type: "Bearer" }
}

const refusal = (error: ApiError) => {
  const { status, body } = errorAnswer(error)
  return HttpServerResponse.jsonUnsafe(body, { status })
}

export const oauthRoutes = (
  store: WorkspaceStore,
  app: OAuthApp
): ReadonlyArray<HttpRouter.Route<never, never>> => [
  HttpRouter.route(
    "GET",
    "/oauth",
    Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
      const mark = request.url.indexOf("?")
      const result = authorize(
        store,
        app,
        new URLSearchParams(mark === -1 ? "" : request.url.slice(mark + 1))
      )
      return result instanceof URL
        ? HttpServerResponse.redirect(result.toString(), { status: 302 })
        : refusal(result)
    })
  ),
  HttpRouter.route(
    "POST",
    "/auth/eagle/token",
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const text = yield* Effect.orElseSucceed(request.text, () => "")
      let fields: Record<string, unknown> = {}
      if ((request.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) {
        fields = Object.fromEntries(new URLSearchParams(text))
      } else if (text.trim() !== "") {
        try {
          const parsed: unknown = JSON.parse(text)
          if (isObject(parsed)) fields = parsed
        } catch {
          // not JSON: the missing fields say what to send
        }
      }
      const result = exchangeCode(store, app, fields)
      return "token_type" in result
        ? HttpServerResponse.jsonUnsafe(result, { headers: { "cache-control": "no-store" } })
        : refusal(result)
    })
  )
]
