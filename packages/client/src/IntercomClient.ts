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

/**
 * The Request openapi-fetch builds, remembering the init it was built from, so that the transport
 * sends that URL, method, body and signal, with the headers as any middleware left them, without
 * reading the Request back. A Request a middleware replaced is read like any other.
 */
class IntercomRequest extends Request {
  readonly #init: RequestInit

  constructor(input: RequestInfo | URL, init: RequestInit = {}) {
    super(input, init)
    this.#init = init
  }

  /**
   * openapi-fetch accepts a middleware's replacement request only if it is `instanceof` the client's
   * Request class; any WHATWG Request must do, as without a custom class. `outgoing` tells ours apart.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.Request
  }

  /** What the transport sends for `request`. */
  static outgoing(request: Request): OutgoingRequest | Promise<OutgoingRequest> {
    if (#init in request && !request.bodyUsed) {
      const { body, signal } = request.#init
      return {
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: typeof body === "string" ? body : undefined,
        signal: signal ?? undefined
      }
    }
    return read(request)
  }
}

const read = async (request: Request): Promise<OutgoingRequest> => ({
  url: request.url,
  method: request.method,
  headers: request.headers,
  body: request.body === null ? undefined : new Uint8Array(await request.arrayBuffer()),
  signal: request.signal
})

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
  const exchange = async (outgoing: OutgoingRequest, request: Request): Promise<Response> => {
    setIntercomHeaders(outgoing.headers)
    const response = await transport(outgoing)
    const rateLimit = readRateLimit(response.headers)
    if (rateLimit !== undefined) lastRateLimit = rateLimit
    options.onResponse?.({ request, response, rateLimit })
    return response
  }
  const client = createClient<paths, "application/json">({
    baseUrl,
    Request: IntercomRequest,
    fetch: (request: Request) => {
      const outgoing = IntercomRequest.outgoing(request)
      return outgoing instanceof Promise
        ? outgoing.then((read) => exchange(read, request))
        : exchange(outgoing, request)
    }
  })
  if (options.middleware !== undefined && options.middleware.length > 0) client.use(...options.middleware)
  return Object.assign(client, { baseUrl, version, lastRateLimit: () => lastRateLimit })
}
