/**
 * The one seam between our code and Intercom's REST API: an openapi-fetch client typed by the
 * generated `paths`, built through openapi-fetch's public API only: `createClient` with a `fetch`
 * over undici, and one middleware that sets the Intercom headers (Bearer auth, the pinned
 * `Intercom-Version`, JSON, User-Agent) and reads the rate-limit headers of every response. It
 * never throws on HTTP status; callers map.
 */
import * as Redacted from "effect/Redacted"
import createClient, { type Client, type Middleware } from "openapi-fetch"
import type { paths } from "./generated/intercom.ts"
import { apiVersion } from "./generated/version.ts"
import { type RateLimit, readRateLimit } from "./RateLimit.ts"
import { apiHosts, type Region } from "./Region.ts"
import { undiciFetch } from "./Transport.ts"

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
  /** Called with every response and its rate-limit reading, before any other middleware reads it. */
  readonly onResponse?: (observation: ResponseObservation) => void
  /** openapi-fetch middleware; the Intercom headers are set after theirs, on what goes out. */
  readonly middleware?: ReadonlyArray<Middleware>
}

export interface IntercomClient extends IntercomFetchClient {
  readonly baseUrl: string
  readonly version: string
  /** The rate-limit reading of the most recent response that carried one. */
  readonly lastRateLimit: () => RateLimit | undefined
}

export const defaultUserAgent = "taskjuice-intercom/0.1 (+https://taskjuice.ai)"

export const createIntercomClient = (options: IntercomClientOptions): IntercomClient => {
  const token =
    typeof options.accessToken === "string" ? Redacted.make(options.accessToken) : options.accessToken
  const baseUrl = (options.baseUrl ?? apiHosts[options.region ?? "us"]).replace(/\/+$/, "")
  const version = options.version ?? apiVersion
  const userAgent = options.userAgent ?? defaultUserAgent
  let lastRateLimit: RateLimit | undefined

  // Registered after the caller's middleware: its onRequest runs after theirs, so the token (which
  // lives only in this closure and on the wire) and the version are what goes out; its onResponse
  // runs before theirs, on the response as it came.
  const intercom: Middleware = {
    onRequest: ({ request }) => {
      request.headers.set("Authorization", `Bearer ${Redacted.value(token)}`)
      request.headers.set("Intercom-Version", version)
      request.headers.set("Accept", "application/json")
      request.headers.set("User-Agent", userAgent)
    },
    onResponse: ({ request, response }) => {
      const rateLimit = readRateLimit(response.headers)
      if (rateLimit !== undefined) lastRateLimit = rateLimit
      options.onResponse?.({ request, response, rateLimit })
    }
  }
  const client = createClient<paths, "application/json">({ baseUrl, fetch: options.fetch ?? undiciFetch })
  client.use(...(options.middleware ?? []), intercom)
  return Object.assign(client, { baseUrl, version, lastRateLimit: () => lastRateLimit })
}
