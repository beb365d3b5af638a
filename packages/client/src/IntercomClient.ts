/**
 * The one seam between our code and Intercom's REST API: an openapi-fetch client typed by the
 * generated `paths`, with Bearer auth, the pinned `Intercom-Version`, JSON, a regional host and
 * the rate-limit headers read from every response. It never throws on HTTP status; callers map.
 */
import * as Redacted from "effect/Redacted"
import createClient, { type Client, type Middleware } from "openapi-fetch"
import type { paths } from "./generated/intercom.ts"
import { apiVersion } from "./generated/version.ts"
import { asRequest, forMiddleware, PendingRequest } from "./internal/pendingRequest.ts"
import { type RateLimit, readRateLimit } from "./RateLimit.ts"
import { apiHosts, type Region } from "./Region.ts"
import { fetchTransport, type OutgoingRequest, undiciTransport } from "./Transport.ts"

export type IntercomPaths = paths

/** The raw openapi-fetch client; use `IntercomClient` to also see the version and host. */
export type IntercomFetchClient = Client<paths, "application/json">

export interface ResponseObservation {
  readonly request: Request
  readonly response: Response
  readonly rateLimit: RateLimit | undefined
}

export interface IntercomClientOptions {
  /** The workspace's OAuth access token. Strings are wrapped in `Redacted` at once. */
  readonly accessToken: Redacted.Redacted<string> | string
  /** The workspace's region (default "us"); ignored when `baseUrl` is given. */
  readonly region?: Region
  /** Overrides the regional host, e.g. a local simulator. */
  readonly baseUrl?: string
  /** `Intercom-Version` sent on every request; defaults to the version this build was generated for. */
  readonly version?: string
  /** Sends each request instead of the default transport (undici's `request`), e.g. in a test. */
  readonly fetch?: (request: Request) => Promise<Response>
  readonly userAgent?: string
  /** Called with every response and its rate-limit reading, before any middleware or openapi-fetch reads it. */
  readonly onResponse?: (observation: ResponseObservation) => void
  /** openapi-fetch middleware; the Intercom headers are set after it, on what goes out. */
  readonly middleware?: ReadonlyArray<Middleware>
}

export interface IntercomClient extends IntercomFetchClient {
  readonly baseUrl: string
  readonly version: string
  /** The rate-limit reading of the most recent response that carried one. */
  readonly lastRateLimit: () => RateLimit | undefined
}

export const defaultUserAgent = "taskjuice-intercom/0.1 (+https://taskjuice.ai)"

/** The HTTP methods openapi-fetch offers, each of which may be given per-request middleware. */
const methods = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const

export const createIntercomClient = (options: IntercomClientOptions): IntercomClient => {
  const token =
    typeof options.accessToken === "string" ? Redacted.make(options.accessToken) : options.accessToken
  const baseUrl = (options.baseUrl ?? apiHosts[options.region ?? "us"]).replace(/\/+$/, "")
  const version = options.version ?? apiVersion
  const userAgent = options.userAgent ?? defaultUserAgent
  const transport = options.fetch === undefined ? undiciTransport : fetchTransport(options.fetch)
  let lastRateLimit: RateLimit | undefined

  // Our headers are set last, on what goes out, so no caller header or middleware overrides them, and
  // the token lives only in this closure and on the wire.
  const setIntercomHeaders = (headers: Headers): void => {
    headers.set("Authorization", `Bearer ${Redacted.value(token)}`)
    headers.set("Intercom-Version", version)
    headers.set("Accept", "application/json")
    headers.set("User-Agent", userAgent)
  }
  const exchange = async (
    outgoing: OutgoingRequest,
    request: PendingRequest | Request
  ): Promise<Response> => {
    setIntercomHeaders(outgoing.headers)
    const response = await transport(outgoing)
    const rateLimit = readRateLimit(response.headers)
    if (rateLimit !== undefined) lastRateLimit = rateLimit
    options.onResponse?.({ request: asRequest(request), response, rateLimit })
    return response
  }
  const send = (request: PendingRequest | Request): Promise<Response> => {
    const outgoing = PendingRequest.outgoing(request)
    return outgoing instanceof Promise
      ? outgoing.then((read) => exchange(read, request))
      : exchange(outgoing, request)
  }
  const client = createClient<paths, "application/json">({
    baseUrl,
    // openapi-fetch only constructs it, checks `instanceof` and reads `method`; see PendingRequest.
    Request: PendingRequest as unknown as typeof Request,
    fetch: send as (request: Request) => Promise<Response>
  })

  // Every middleware, registered or per request, runs adapted so that it sees WHATWG Requests.
  const adapted = new WeakMap<Middleware, Middleware>()
  const adapt = (middleware: Middleware): Middleware => {
    if (typeof middleware !== "object" || middleware === null) return middleware
    const known = adapted.get(middleware)
    if (known !== undefined) return known
    const made = forMiddleware(middleware)
    adapted.set(middleware, made)
    return made
  }
  const { use, eject } = client
  client.use = (...middleware) => use(...middleware.map(adapt))
  client.eject = (...middleware) => eject(...middleware.map((each) => adapted.get(each) ?? each))
  const withAdapted = <Init>(init: Init): Init => {
    const perRequest: unknown =
      typeof init === "object" && init !== null ? Reflect.get(init, "middleware") : undefined
    return Array.isArray(perRequest) ? { ...init, middleware: perRequest.map(adapt) } : init
  }
  // The typed signatures stay openapi-fetch's; at run time each method passes its init on adapted.
  for (const method of methods) {
    const call = client[method] as unknown as (url: unknown, init: unknown) => unknown
    Object.assign(client, { [method]: (url: unknown, init: unknown) => call(url, withAdapted(init)) })
  }
  const request = client.request as unknown as (method: unknown, url: unknown, init: unknown) => unknown
  Object.assign(client, {
    request: (method: unknown, url: unknown, init: unknown) => request(method, url, withAdapted(init))
  })

  if (options.middleware !== undefined && options.middleware.length > 0) client.use(...options.middleware)
  return Object.assign(client, { baseUrl, version, lastRateLimit: () => lastRateLimit })
}
