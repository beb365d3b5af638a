/**
 * Intercom's OAuth, simulated: `GET /oauth` approves at once (no consent screen) and redirects to
 * `redirect_uri` with `code` and `state`; `POST /auth/eagle/token` exchanges the code, with the app's
 * `client_id` and `client_secret`, for `{ token, access_token, token_type: "Bearer" }`. Tokens never
 * expire, as Intercom's do not; they stop working only when revoked.
 */
import { timingSafeEqual } from "node:crypto"
import * as Redacted from "effect/Redacted"
import { apiError, type IntercomApiError } from "./IntercomError.ts"
import type { Store } from "./Store.ts"

export interface OAuthApp {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** Used when an authorization request names no `redirect_uri`. */
  readonly defaultRedirectUri?: string | undefined
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

/** The redirect `GET /oauth` answers with, or why it cannot. */
export const authorize = (store: Store, app: OAuthApp, query: URLSearchParams): URL | IntercomApiError => {
  const clientId = query.get("client_id")
  if (clientId === null || clientId === "")
    return apiError(400, "parameter_not_found", "client_id is required", "client_id")
  if (clientId !== app.clientId)
    return apiError(400, "parameter_invalid", "client_id is not a known app", "client_id")
  const redirect = query.get("redirect_uri") ?? app.defaultRedirectUri
  if (redirect === undefined || redirect === "") {
    return apiError(
      400,
      "parameter_not_found",
      "redirect_uri is required (the app has no default)",
      "redirect_uri"
    )
  }
  let target: URL
  try {
    target = new URL(redirect)
  } catch {
    return apiError(400, "parameter_invalid", "redirect_uri must be an absolute URL", "redirect_uri")
  }
  const code = store.issueCode(clientId, redirect)
  target.searchParams.set("code", code.code)
  const state = query.get("state")
  if (state !== null) target.searchParams.set("state", state)
  return target
}

/** `POST /auth/eagle/token` with `code`, `client_id`, `client_secret` (JSON or form-encoded). */
export const exchangeCode = (
  store: Store,
  app: OAuthApp,
  fields: Readonly<Record<string, unknown>>
): TokenResponse | IntercomApiError => {
  for (const name of ["code", "client_id", "client_secret"]) {
    if (typeof fields[name] !== "string" || fields[name] === "") {
      return apiError(400, "parameter_not_found", `${name} is required`, name)
    }
  }
  const clientId = String(fields.client_id)
  if (
    clientId !== app.clientId ||
    !sameText(String(fields.client_secret), Redacted.value(app.clientSecret))
  ) {
    return apiError(401, "unauthorized", "client_id and client_secret do not match an app")
  }
  const code = store.redeemCode(String(fields.code))
  if (code === undefined || code.client_id !== clientId) {
    return apiError(400, "parameter_invalid", "code is invalid, expired or already used", "code")
  }
  const { token } = store.issueToken(clientId)
  return { token, access_token: token, token_type: "Bearer" }
}
