/**
 * The one seam between our code and Intercom's REST API: an openapi-fetch client typed by the
 * generated `paths`, with Bearer auth, the pinned `Intercom-Version`, JSON, a regional host and
 * the rate-limit headers read from every response. It never throws on HTTP status; callers map.
 */
import * as Redacted from "effect/Redacted"
import createClient, { type Client, type Middleware } from "openapi-fetch"
import type { paths } from "./generated/intercom.ts"
import { apiVersion } from "./generated/version.ts"
import { type RateLimit, readRateLimit } from "./RateLimit.ts"
import { apiHosts, type Region } from "./Region.ts"

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
  readonly fetch?: (request: Request) => Promise<Response>
  readonly userAgent?: string
  /** Called with every response and its rate-limit reading, before openapi-fetch parses the body. */
  readonly onResponse?: (observation: ResponseObservation) => void
  /** Extra openapi-fetch middleware, run after ours on requests and before ours on responses. */
  readonly middleware?: ReadonlyArray<Middleware>
}

export interface IntercomClient extends IntercomFetchClient {
  readonly baseUrl: string
  readonly version: string
  /** The rate-limit reading of the most recent response that carried one. */
  readonly lastRateLimit: () => RateLimit | undefined
}

export const defaultUserAgent = "taskjuice-intercom/0.1 (+https://taskjuice.ai)"

/**
 * The Request openapi-fetch builds, remembering the init it was built from. Handing a Request to
 * undici's `fetch` makes it copy the Request and pipe its body through an identity TransformStream,
 * which for a POST costs more than all of openapi-fetch's own work; `sender` instead gives fetch the
 * same URL and init, with the headers as the middleware left them. Anything it cannot vouch for (a
 * Request a middleware replaced, a body already read) goes to fetch unchanged.
 */
class IntercomRequest extends Request {
  readonly #init: RequestInit

  constructor(input: RequestInfo | URL, init: RequestInit = {}) {
    super(input, init)
    this.#init = init
  }

  /**
   * openapi-fetch accepts a middleware's replacement request only if it is `instanceof` the client's
   * Request class; any WHATWG Request must do, as without a custom class. `sender` tells ours apart.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.Request
  }

  /** Sends through `fetch` (the global one when the client was created, as openapi-fetch would). */
  static sender(fetch: typeof globalThis.fetch): (request: Request) => Promise<Response> {
    return (request) =>
      #init in request && !request.bodyUsed
        ? fetch(request.url, { ...request.#init, headers: request.headers })
        : fetch(request)
  }
}

export const createIntercomClient = (options: IntercomClientOptions): IntercomClient => {
  const token =
    typeof options.accessToken === "string" ? Redacted.make(options.accessToken) : options.accessToken
  const baseUrl = (options.baseUrl ?? apiHosts[options.region ?? "us"]).replace(/\/+$/, "")
  const version = options.version ?? apiVersion
  const userAgent = options.userAgent ?? defaultUserAgent
  let lastRateLimit: RateLimit | undefined

  // The token is added per request, after openapi-fetch merged any caller headers (ours win), so it
  // lives only in this closure and on the outgoing request.
  const setIntercomHeaders = (headers: Headers): void => {
    headers.set("Authorization", `Bearer ${Redacted.value(token)}`)
    headers.set("Intercom-Version", version)
    headers.set("Accept", "application/json")
    headers.set("User-Agent", userAgent)
  }
  const readResponse = (response: Response): RateLimit | undefined => {
    const rateLimit = readRateLimit(response.headers)
    if (rateLimit !== undefined) lastRateLimit = rateLimit
    return rateLimit
  }
  const client = createClient<paths, "application/json">({
    baseUrl,
    Request: IntercomRequest,
    fetch: options.fetch ?? IntercomRequest.sender(globalThis.fetch)
  })
  const intercom: Middleware = {
    onRequest({ request }) {
      setIntercomHeaders(request.headers)
      return request
    },
    onResponse({ request, response }) {
      const rateLimit = readResponse(response)
      options.onResponse?.({ request, response, rateLimit })
      return response
    }
  }
  client.use(intercom, ...(options.middleware ?? []))
  return Object.assign(client, { baseUrl, version, lastRateLimit: () => lastRateLimit })
}
