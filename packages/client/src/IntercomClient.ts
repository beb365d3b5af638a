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

  /** Sends through `fetch` (the global one when the client was created, as openapi-fetch would). */
  static sender(fetch: typeof globalThis.fetch): (request: Request) => Promise<Response> {
    return (request) =>
      #init in request && !request.bodyUsed
        ? fetch(request.url, { ...request.#init, headers: request.headers })
        : fetch(request)
  }
}

/**
 * What openapi-fetch builds in place of a Request when nothing outside this module can see one (no
 * injected fetch, no extra middleware, no response observer): the URL and the init a Request would
 * be built from. Building a WHATWG Request in undici is costly (URL parsing, a copy of the headers,
 * a follower for the abort signal, a stream for the body) and fetch builds its own from the same
 * URL and init anyway, so this saves one per request.
 */
class PlainRequest {
  readonly url: string
  readonly method: string
  readonly headers: Headers
  readonly init: RequestInit

  constructor(url: string, init: RequestInit = {}) {
    this.url = url
    this.method = init.method ?? "GET"
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers)
    this.init = init.headers === this.headers ? init : { ...init, headers: this.headers }
  }

  /**
   * The `Request` and `fetch` options that make openapi-fetch build PlainRequests and hand them to
   * `send`. openapi-fetch only constructs its Request class, copies init fields onto it, reads
   * `method` and passes it to `fetch`, which is all a PlainRequest offers; its types say Request
   * because that is what it builds by default, hence the casts.
   */
  static clientOptions(send: (request: PlainRequest) => Promise<Response>): {
    readonly Request: typeof Request
    readonly fetch: (request: Request) => Promise<Response>
  } {
    return {
      Request: PlainRequest as unknown as typeof Request,
      fetch: (request) => send(request as unknown as PlainRequest)
    }
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
  const withMeta = (client: IntercomFetchClient): IntercomClient =>
    Object.assign(client, { baseUrl, version, lastRateLimit: () => lastRateLimit })
  const baseFetch = globalThis.fetch

  /** Builds real Requests and runs our middleware, then `options.middleware`, on each of them. */
  const observedClient = (): IntercomFetchClient => {
    const client = createClient<paths, "application/json">({
      baseUrl,
      Request: IntercomRequest,
      fetch: options.fetch ?? IntercomRequest.sender(baseFetch)
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
    return client
  }

  const observed =
    options.fetch !== undefined ||
    (options.middleware !== undefined && options.middleware.length > 0) ||
    options.onResponse !== undefined
  if (observed) return withMeta(observedClient())

  // Nobody else sees the requests: openapi-fetch builds PlainRequests and we finish and send them.
  const client = createClient<paths, "application/json">({
    baseUrl,
    ...PlainRequest.clientOptions(async (request) => {
      setIntercomHeaders(request.headers)
      const response = await baseFetch(request.url, request.init)
      readResponse(response)
      return response
    })
  })
  // Middleware registered later must see real Requests: from then on this is an observed client.
  client.use = (...middleware) => {
    const replacement = observedClient()
    replacement.use(...middleware)
    Object.assign(client, replacement)
  }
  return withMeta(client)
}
