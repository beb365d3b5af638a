/**
 * The HTTP exchange under the seam: one request out, one WHATWG `Response` back for openapi-fetch.
 *
 * By default it goes through undici's `request`, on the same global dispatcher as Node's `fetch`
 * (one connection pool, and a proxy or other dispatcher a host installs applies alike). Node's
 * `fetch` is built on undici too, but wraps every exchange in WHATWG Request, stream and body
 * machinery that costs about a third more client CPU per call than the exchange itself
 * (`pnpm --filter @taskjuice/intercom-core bench` measures both). The body is read whole, as the
 * JSON API's every answer is.
 */
import { request as undiciRequest } from "undici"

/** What goes out: the request as openapi-fetch and any middleware left it. */
export interface OutgoingRequest {
  readonly url: string
  readonly method: string
  readonly headers: Headers
  /** What openapi-fetch serialised (a JSON string here); `undefined` when there is none. */
  readonly body: string | Uint8Array<ArrayBuffer> | undefined
  readonly signal: AbortSignal | undefined
}

export type Transport = (request: OutgoingRequest) => Promise<Response>

/** Statuses whose Response may not have a body (the Fetch standard's "null body status"). */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304])

const responseHeaders = (raw: Record<string, string | Array<string> | undefined>): Headers => {
  const headers = new Headers()
  for (const name in raw) {
    const value = raw[name]
    if (typeof value === "string") headers.append(name, value)
    else if (value !== undefined) for (const each of value) headers.append(name, each)
  }
  return headers
}

/** The default transport: undici's `request`, answered with a WHATWG Response. */
export const undiciTransport: Transport = async (outgoing) => {
  const { statusCode, headers, body } = await undiciRequest(outgoing.url, {
    method: outgoing.method as "GET",
    headers: outgoing.headers,
    body: outgoing.body ?? null,
    signal: outgoing.signal ?? null
  })
  if (nullBodyStatuses.has(statusCode)) {
    await body.dump()
    return new Response(null, { status: statusCode, headers: responseHeaders(headers) })
  }
  return new Response(await body.arrayBuffer(), { status: statusCode, headers: responseHeaders(headers) })
}

/** A transport over a `fetch` function (a test's, or one that traces requests). */
export const fetchTransport =
  (fetch: (request: Request) => Promise<Response>): Transport =>
  (outgoing) =>
    fetch(
      new Request(outgoing.url, {
        method: outgoing.method,
        headers: outgoing.headers,
        ...(outgoing.body === undefined ? {} : { body: outgoing.body }),
        ...(outgoing.signal === undefined ? {} : { signal: outgoing.signal })
      })
    )
