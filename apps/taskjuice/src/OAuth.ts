/**
 * Connecting an Intercom workspace: the authorize URL (with a signed, expiring, single-use state), the
 * code exchange at `POST /auth/eagle/token`, then `GET /me` to learn which workspace was connected, its
 * name, the admin's email and the region, whose API host the connection is pinned to. Intercom issues
 * no refresh token and its tokens do not expire: a token rejected later is AUTH_REVOKED, and the only
 * remedy is running this flow again (a reconnect keeps the connection id).
 */

import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import {
  apiHosts,
  createIntercomClient,
  oauthAuthorizeUrls,
  type Region,
  regionFromAppRegion
} from "@taskjuice/intercom-client"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { Connection } from "./Connection.ts"
import { Connections } from "./Connections.ts"
import { derivedKey, makeOAuthStates, type OAuthStateClaims, OAuthStateInvalid } from "./OAuthState.ts"

export interface OAuthOptions {
  /** TaskJuice's OAuth app in Intercom's Developer Hub. */
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** Where Intercom sends the person back; one of the app's registered redirect URLs. */
  readonly redirectUri: string
  /** One host standing in for both Intercom's authorize page and its API (a simulator); unset for Intercom. */
  readonly intercomBaseUrl?: string | undefined
  readonly stateLifetime?: Duration.Input | undefined
  /** Per request to Intercom (code exchange, `/me`). */
  readonly requestTimeout?: Duration.Input | undefined
  readonly fetch?: ((request: Request) => Promise<Response>) | undefined
}

export class OAuthError extends Data.TaggedError("OAuthError")<{
  readonly reason:
    | { readonly _tag: "StateInvalid"; readonly cause: OAuthStateInvalid }
    /** The callback came without the cookie of the browser that started the flow, or with another's. */
    | { readonly _tag: "SessionMismatch"; readonly problem: "missing" | "forged" | "other-browser" }
    /** The person declined on Intercom's consent screen (or Intercom reported another error). */
    | { readonly _tag: "Denied"; readonly error: string }
    | { readonly _tag: "MissingCode" }
    | { readonly _tag: "ExchangeRejected"; readonly status: number }
    | { readonly _tag: "IdentityRejected"; readonly status: number }
    | { readonly _tag: "UnreadableResponse"; readonly step: "exchange" | "identity" }
    /**
     * `GET /me` answered but named no admin (2.12+ allow a `null` answer) or no workspace: the token
     * cannot be tied to a workspace, so nothing is stored.
     */
    | { readonly _tag: "IdentityIncomplete"; readonly missing: "admin" | "workspace" }
    | { readonly _tag: "Unreachable"; readonly step: "exchange" | "identity" }
    /** A reconnect landed on another workspace than the connection it was started for. */
    | { readonly _tag: "WorkspaceMismatch" }
    | { readonly _tag: "UnknownConnection" }
}> {
  override get message(): string {
    return describeOAuthFailure(this.reason)
  }
}

const describeOAuthFailure = (reason: OAuthError["reason"]): string => {
  switch (reason._tag) {
    case "StateInvalid":
      return reason.cause.message
    case "SessionMismatch":
      return reason.problem === "missing"
        ? "The OAuth callback came without the cookie of the browser that started the connection; start it again from TaskJuice in this browser."
        : "The OAuth callback belongs to a connection started in another browser; start it again from TaskJuice in this browser."
    case "Denied":
      return `Intercom did not authorize the connection (${reason.error}).`
    case "MissingCode":
      return "The OAuth callback carries no code."
    case "ExchangeRejected":
      return `Intercom refused the authorization code (status ${reason.status}); start the connection again.`
    case "IdentityRejected":
      return `Intercom refused to identify the new token at GET /me (status ${reason.status}).`
    case "UnreadableResponse":
      return reason.step === "exchange"
        ? "Intercom's token response carries no access token."
        : "Intercom's GET /me response could not be read."
    case "IdentityIncomplete":
      return reason.missing === "admin"
        ? "Intercom's GET /me response names no admin for the new token, so the connection was not stored."
        : "Intercom's GET /me response names no workspace (app) for the new token, so the connection was not stored."
    case "Unreachable":
      return `Intercom could not be reached during the ${reason.step === "exchange" ? "code exchange" : "GET /me"}.`
    case "WorkspaceMismatch":
      return "The reconnect authorized a different Intercom workspace than the connection belongs to."
    case "UnknownConnection":
      return "The connection being reconnected no longer exists."
  }
}

export interface AuthorizationRequest {
  readonly region?: Region | undefined
  readonly connectionId?: string | undefined
  readonly context?: string | undefined
}

export interface CallbackParameters {
  readonly code?: string | null | undefined
  readonly state?: string | null | undefined
  readonly error?: string | null | undefined
  /** The browser cookie set by `begin`; required when the state was bound to a browser. */
  readonly browserCookie?: string | null | undefined
}

/** Where `begin` sends the browser, and the cookie it must set there. */
export interface BegunAuthorization {
  readonly location: string
  /** The signed cookie value binding the flow to this browser. */
  readonly browserCookie: string
}

export interface CompletedAuthorization {
  readonly connection: Connection
  /** The runtime's binding given to `authorizationUrl`, to check against the session that returns. */
  readonly context: string | undefined
  readonly reconnected: boolean
}

export interface OAuthShape {
  /** Intercom's consent URL with a fresh state (bound to `browser` when given). */
  readonly authorizationUrl: (
    request?: AuthorizationRequest & { readonly browser?: string | undefined }
  ) => Effect.Effect<string>
  /**
   * What the runtime hands a person's browser to start connecting: a signed, single-use, short-lived
   * ticket for `begin`. A reconnect's connection id is checked here, before anything else happens.
   */
  readonly ticket: (request?: AuthorizationRequest) => Effect.Effect<string, OAuthError>
  /** Consumes a ticket in the browser: Intercom's consent URL, and the cookie binding the flow to it. */
  readonly begin: (ticket: string | null | undefined) => Effect.Effect<BegunAuthorization, OAuthError>
  readonly complete: (parameters: CallbackParameters) => Effect.Effect<CompletedAuthorization, OAuthError>
  /** The authorize and token URLs for a region, as the manifest lists them. */
  readonly endpoints: (region: Region) => { readonly authorizeUrl: string; readonly tokenUrl: string }
}

const trimSlashes = (url: string) => url.replace(/\/+$/, "")

/** Where a region's consent page and code exchange are, or the stand-in host's when one is set. */
export const oauthEndpoints = (
  region: Region,
  intercomBaseUrl?: string
): { readonly authorizeUrl: string; readonly tokenUrl: string; readonly apiBaseUrl: string } => {
  if (intercomBaseUrl !== undefined) {
    const base = trimSlashes(intercomBaseUrl)
    return { authorizeUrl: `${base}/oauth`, tokenUrl: `${base}/auth/eagle/token`, apiBaseUrl: base }
  }
  return {
    authorizeUrl: oauthAuthorizeUrls[region],
    tokenUrl: `${apiHosts[region]}/auth/eagle/token`,
    apiBaseUrl: apiHosts[region]
  }
}

const readAccessToken = (body: unknown): string | undefined => {
  if (typeof body !== "object" || body === null) return undefined
  const record = body as Record<string, unknown>
  // Intercom answers with both `access_token` and the older `token`; either is the same value.
  const token = record.access_token ?? record.token
  return typeof token === "string" && token !== "" ? token : undefined
}

export class OAuth extends Context.Service<OAuth, OAuthShape>()("@taskjuice/intercom-bundle/OAuth") {
  static readonly make = Effect.fnUntraced(function* (options: OAuthOptions) {
    const connections = yield* Connections
    const states = makeOAuthStates({
      clientSecret: options.clientSecret,
      ...(options.stateLifetime === undefined ? {} : { lifetime: options.stateLifetime })
    })
    const tickets = makeOAuthStates({
      clientSecret: options.clientSecret,
      purpose: "oauth-ticket",
      lifetime: Duration.minutes(5)
    })
    const cookieKey = derivedKey(options.clientSecret, "oauth-browser")
    const cookieMac = (nonce: string) => createHmac("sha256", cookieKey).update(nonce).digest("base64url")
    const browserDigest = (nonce: string) => createHash("sha256").update(nonce).digest("base64url")
    const sameText = (a: string, b: string) => {
      const left = Buffer.from(a)
      const right = Buffer.from(b)
      return left.length === right.length && timingSafeEqual(left, right)
    }
    /** The browser binding proven by a cookie, or why it proves nothing. */
    const browserOf = (cookie: string | null | undefined): string | "missing" | "forged" => {
      if (cookie === undefined || cookie === null || cookie === "") return "missing"
      const [nonce, mac, ...rest] = cookie.split(".")
      if (nonce === undefined || mac === undefined || rest.length > 0 || !sameText(mac, cookieMac(nonce)))
        return "forged"
      return browserDigest(nonce)
    }
    const timeoutMs = Duration.toMillis(
      Duration.fromInputUnsafe(options.requestTimeout ?? Duration.seconds(10))
    )
    const send = options.fetch ?? ((request: Request) => fetch(request))

    const exchange = (claims: OAuthStateClaims, code: string) =>
      Effect.gen(function* () {
        const { tokenUrl } = oauthEndpoints(claims.region, options.intercomBaseUrl)
        const response = yield* Effect.tryPromise({
          try: (signal) =>
            send(
              new Request(tokenUrl, {
                method: "POST",
                headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
                body: new URLSearchParams({
                  code,
                  client_id: options.clientId,
                  client_secret: Redacted.value(options.clientSecret)
                }),
                signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
              })
            ),
          catch: () => new OAuthError({ reason: { _tag: "Unreachable", step: "exchange" } })
        })
        if (!response.ok) {
          yield* Effect.promise(() => response.body?.cancel() ?? Promise.resolve())
          return yield* new OAuthError({ reason: { _tag: "ExchangeRejected", status: response.status } })
        }
        const body = yield* Effect.tryPromise({
          try: () => response.json() as Promise<unknown>,
          catch: () => new OAuthError({ reason: { _tag: "UnreadableResponse", step: "exchange" } })
        })
        const token = readAccessToken(body)
        if (token === undefined) {
          return yield* new OAuthError({ reason: { _tag: "UnreadableResponse", step: "exchange" } })
        }
        return Redacted.make(token)
      })

    const identify = (claims: OAuthStateClaims, accessToken: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        const { apiBaseUrl } = oauthEndpoints(claims.region, options.intercomBaseUrl)
        const client = createIntercomClient({
          accessToken,
          baseUrl: apiBaseUrl,
          fetch: (request) => send(new Request(request, { signal: AbortSignal.timeout(timeoutMs) }))
        })
        const result = yield* Effect.tryPromise({
          try: () => client.GET("/me"),
          // openapi-fetch throws a SyntaxError for a body that is not JSON; anything else never reached us.
          catch: (cause) =>
            new OAuthError({
              reason:
                cause instanceof SyntaxError
                  ? { _tag: "UnreadableResponse", step: "identity" }
                  : { _tag: "Unreachable", step: "identity" }
            })
        })
        if (result.data === undefined && result.response.ok) {
          return yield* new OAuthError({ reason: { _tag: "UnreadableResponse", step: "identity" } })
        }
        if (result.data === undefined) {
          return yield* new OAuthError({
            reason: { _tag: "IdentityRejected", status: result.response.status }
          })
        }
        // The spec types `/me` as nullable from 2.12 on: no admin means no one to tie the token to.
        const admin = result.data
        if (admin === null || admin.id === undefined || admin.id === null || String(admin.id) === "") {
          return yield* new OAuthError({ reason: { _tag: "IdentityIncomplete", missing: "admin" } })
        }
        const app = admin.app
        if (app === null || app === undefined || typeof app.id_code !== "string" || app.id_code === "") {
          return yield* new OAuthError({ reason: { _tag: "IdentityIncomplete", missing: "workspace" } })
        }
        const region = regionFromAppRegion(app.region) ?? null
        return {
          workspaceId: app.id_code,
          workspaceName: typeof app.name === "string" ? app.name : app.id_code,
          adminId: String(admin.id),
          adminEmail: typeof admin.email === "string" ? admin.email : null,
          region,
          // Pin the workspace's own regional host; without a known region the US host routes for us.
          apiBaseUrl: oauthEndpoints(region ?? claims.region, options.intercomBaseUrl).apiBaseUrl
        }
      })

    const complete = (parameters: CallbackParameters) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        // The state is checked first, even on an error redirect, so a forged callback learns nothing.
        const claims = states.consume(parameters.state, now)
        if (claims instanceof OAuthStateInvalid) {
          return yield* new OAuthError({ reason: { _tag: "StateInvalid", cause: claims } })
        }
        if (claims.browser !== undefined) {
          const browser = browserOf(parameters.browserCookie)
          if (browser === "missing" || browser === "forged") {
            return yield* new OAuthError({ reason: { _tag: "SessionMismatch", problem: browser } })
          }
          if (!sameText(browser, claims.browser)) {
            return yield* new OAuthError({ reason: { _tag: "SessionMismatch", problem: "other-browser" } })
          }
        }
        if (parameters.error !== undefined && parameters.error !== null && parameters.error !== "") {
          return yield* new OAuthError({ reason: { _tag: "Denied", error: parameters.error } })
        }
        if (parameters.code === undefined || parameters.code === null || parameters.code === "") {
          return yield* new OAuthError({ reason: { _tag: "MissingCode" } })
        }
        // Checked before the code is spent, so a reconnect of a removed connection costs Intercom nothing.
        const named = claims.connectionId === undefined ? undefined : connections.get(claims.connectionId)
        if (claims.connectionId !== undefined && named === undefined) {
          return yield* new OAuthError({ reason: { _tag: "UnknownConnection" } })
        }
        const accessToken = yield* exchange(claims, parameters.code)
        const identity = yield* identify(claims, accessToken)
        // Connecting the same workspace as the same admin again is a reconnect: one connection, new token.
        const previous =
          named ??
          connections
            .forWorkspace(identity.workspaceId)
            .find((connection) => connection.adminId === identity.adminId)
        if (previous !== undefined && previous.workspaceId !== identity.workspaceId) {
          return yield* new OAuthError({ reason: { _tag: "WorkspaceMismatch" } })
        }
        const connection: Connection = {
          id: previous?.id ?? `conn_${randomUUID()}`,
          ...identity,
          accessToken,
          status: "active",
          connectedAt: new Date(now).toISOString()
        }
        connections.put(connection)
        return { connection, context: claims.context, reconnected: previous !== undefined }
      })

    const consentUrl = (claims: OAuthStateClaims, now: number) => {
      const url = new URL(oauthEndpoints(claims.region, options.intercomBaseUrl).authorizeUrl)
      url.searchParams.set("client_id", options.clientId)
      url.searchParams.set("redirect_uri", options.redirectUri)
      url.searchParams.set("state", states.issue(claims, now))
      return url.toString()
    }

    return OAuth.of({
      authorizationUrl: (request = {}) =>
        Effect.map(Clock.currentTimeMillis, (now) =>
          consentUrl(
            {
              region: request.region ?? "us",
              connectionId: request.connectionId,
              context: request.context,
              browser: request.browser
            },
            now
          )
        ),
      ticket: (request = {}) =>
        Effect.gen(function* () {
          if (request.connectionId !== undefined && connections.get(request.connectionId) === undefined) {
            return yield* new OAuthError({ reason: { _tag: "UnknownConnection" } })
          }
          const now = yield* Clock.currentTimeMillis
          return tickets.issue(
            { region: request.region ?? "us", connectionId: request.connectionId, context: request.context },
            now
          )
        }),
      begin: (ticket) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const claims = tickets.consume(ticket, now)
          if (claims instanceof OAuthStateInvalid) {
            return yield* new OAuthError({ reason: { _tag: "StateInvalid", cause: claims } })
          }
          const nonce = randomBytes(24).toString("base64url")
          return {
            location: consentUrl({ ...claims, browser: browserDigest(nonce) }, now),
            browserCookie: `${nonce}.${cookieMac(nonce)}`
          }
        }),
      complete,
      endpoints: (region) => {
        const { authorizeUrl, tokenUrl } = oauthEndpoints(region, options.intercomBaseUrl)
        return { authorizeUrl, tokenUrl }
      }
    })
  })

  static readonly layer = (options: OAuthOptions): Layer.Layer<OAuth, never, Connections> =>
    Layer.effect(OAuth, OAuth.make(options))
}
