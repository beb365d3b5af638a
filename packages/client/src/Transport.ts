/**
 * The HTTP exchange under the client: one request out through undici's `request`, the answer read
 * whole (the JSON API's every answer is small) and its compression undone, as `fetch` would.
 *
 * undici's `request` runs on the same global dispatcher as Node's `fetch` (one connection pool, and
 * a proxy or other dispatcher a host installs applies alike). Node's `fetch` is built on undici too,
 * but wraps every exchange in WHATWG Request, stream and body machinery that costs more client CPU
 * than the exchange itself (`pnpm --filter @taskjuice/intercom-core bench` measures both). The typed
 * call reads the exchange as it is; `undiciFetch` is the same transport as a `fetch`, for openapi-fetch.
 */
import type { IncomingHttpHeaders } from "node:http"
import { promisify } from "node:util"
import { brotliDecompress, gunzip, unzip } from "node:zlib"
import type { request as UndiciRequest } from "undici"

/** What goes out. */
export interface OutgoingRequest {
  readonly url: string
  readonly method: string
  /** Lower-case names (a plain record is read as it is, never changed), or a Request's Headers. */
  readonly headers: Readonly<Record<string, string>> | Headers
  readonly body: string | Uint8Array<ArrayBuffer> | undefined
  readonly signal: AbortSignal | undefined
}

/** What came back: the status, undici's header record (lower-case names) and the decoded body. */
export interface Exchange {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** The body as sent before `Content-Encoding` was applied; empty for a status that has none. */
  readonly body: Uint8Array<ArrayBuffer>
}

/** What we accept compressed, as `fetch` does: list answers shrink several times over the wire. */
export const acceptedEncodings = "gzip, deflate, br"

/** Statuses whose Response may not have a body (the Fetch standard's "null body status"). */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304])

/** undici's header record as name-value pairs, for the Response to build its Headers from once. */
const responseHeaders = (raw: IncomingHttpHeaders): Array<[name: string, value: string]> => {
  const pairs: Array<[string, string]> = []
  for (const name in raw) {
    const value = raw[name]
    if (typeof value === "string") pairs.push([name, value])
    else if (value !== undefined) for (const each of value) pairs.push([name, each])
  }
  return pairs
}

const utf8 = new TextDecoder()

const alreadyRead = () => new TypeError("Body is unusable: Body has already been read")

/**
 * A Response over a body already read whole. undici's own Response would put the bytes in a
 * ReadableStream for openapi-fetch to read back out, which costs more than the JSON parse; this
 * one answers `text()`, `json()`, `arrayBuffer()`, `bytes()` and `blob()` from the bytes. Whoever asks
 * for the `body` stream (or `formData()`) gets an ordinary Response's, built from the same bytes,
 * and every later read goes through it, so the one-read rule holds either way.
 */
class BufferedResponse extends Response {
  #bytes: Uint8Array<ArrayBuffer> | undefined
  #streamed: Response | undefined

  constructor(bytes: Uint8Array<ArrayBuffer>, init: ResponseInit) {
    super(null, init)
    this.#bytes = bytes
  }

  #take(): Uint8Array<ArrayBuffer> {
    const bytes = this.#bytes
    if (bytes === undefined) throw alreadyRead()
    this.#bytes = undefined
    return bytes
  }

  #stream(): Response {
    if (this.#streamed === undefined) {
      const unread = this.#bytes
      this.#bytes = undefined
      this.#streamed = new Response(unread ?? null, { status: this.status, headers: this.headers })
    }
    return this.#streamed
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#stream().body
  }

  override get bodyUsed(): boolean {
    return this.#streamed === undefined ? this.#bytes === undefined : this.#streamed.bodyUsed
  }

  override async text(): Promise<string> {
    return this.#streamed === undefined ? utf8.decode(this.#take()) : this.#streamed.text()
  }

  override async json(): Promise<unknown> {
    return this.#streamed === undefined ? JSON.parse(utf8.decode(this.#take())) : this.#streamed.json()
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#streamed === undefined ? this.#take() : this.#streamed.bytes()
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#streamed === undefined ? this.#take().buffer : this.#streamed.arrayBuffer()
  }

  override async blob(): Promise<Blob> {
    if (this.#streamed !== undefined) return this.#streamed.blob()
    return new Blob([this.#take()], { type: this.headers.get("content-type") ?? "" })
  }

  override formData(): Promise<FormData> {
    return this.#stream().formData()
  }

  override clone(): Response {
    if (this.#streamed !== undefined) return this.#streamed.clone()
    if (this.#bytes === undefined) throw alreadyRead()
    return new BufferedResponse(this.#bytes.slice(), { status: this.status, headers: this.headers })
  }
}

const decoders: Readonly<Record<string, (bytes: Uint8Array) => Promise<Buffer>>> = {
  gzip: promisify(gunzip),
  "x-gzip": promisify(gunzip),
  // Servers send "deflate" both zlib-wrapped and raw; `unzip` reads either, as fetch does.
  deflate: promisify(unzip),
  br: promisify(brotliDecompress)
}

/** The body as sent before `Content-Encoding` was applied (codings undone last first). */
const decoded = async (bytes: Uint8Array, contentEncoding: string | undefined): Promise<Uint8Array> => {
  if (contentEncoding === undefined) return bytes
  let body = bytes
  for (const coding of contentEncoding
    .toLowerCase()
    .split(",")
    .map((each) => each.trim())
    .reverse()) {
    if (coding === "identity" || coding === "") continue
    const decode = decoders[coding]
    // An unknown coding is passed on as it came, like fetch does.
    if (decode === undefined) return body
    body = await decode(body)
  }
  return body
}

const empty = new Uint8Array(0)

/** The headers with `Accept-Encoding`, unless the request names its own. */
const askingForCompression = (headers: OutgoingRequest["headers"]): OutgoingRequest["headers"] => {
  if (headers instanceof Headers) {
    if (!headers.has("accept-encoding")) headers.set("accept-encoding", acceptedEncodings)
    return headers
  }
  return "accept-encoding" in headers ? headers : { ...headers, "accept-encoding": acceptedEncodings }
}

/**
 * undici is loaded by the first request, not with the client: it is most of what a built runtime entry
 * would otherwise parse and run at import, and a worker that only receives webhooks never sends one.
 */
let undiciRequest: typeof UndiciRequest | undefined
const loadUndici = async (): Promise<typeof UndiciRequest> => {
  // The default export is undici's CommonJS exports, whether Node or a bundler loads the module.
  undiciRequest = (await import("undici")).default.request
  return undiciRequest
}

/**
 * Sends one request through undici's `request` and reads the whole answer. As `fetch` does, it asks
 * for a compressed answer and undoes the compression.
 */
export const exchange = async (outgoing: OutgoingRequest): Promise<Exchange> => {
  const send = undiciRequest ?? (await loadUndici())
  const { statusCode, headers, body } = await send(outgoing.url, {
    method: outgoing.method as "GET",
    headers: askingForCompression(outgoing.headers),
    body: outgoing.body ?? null,
    signal: outgoing.signal ?? null
  })
  if (nullBodyStatuses.has(statusCode)) {
    await body.dump()
    return { status: statusCode, headers, body: empty }
  }
  const bytes = new Uint8Array(await body.arrayBuffer())
  const encoding = headers["content-encoding"]
  return {
    status: statusCode,
    headers,
    body: typeof encoding === "string" ? new Uint8Array(await decoded(bytes, encoding)) : bytes
  }
}

/** The exchange as a WHATWG Response (whose body reads once, as any Response's). */
export const toResponse = (answer: Exchange): Response => {
  const init = { status: answer.status, headers: responseHeaders(answer.headers) }
  return nullBodyStatuses.has(answer.status)
    ? new Response(null, init)
    : new BufferedResponse(answer.body, init)
}

/** One header of undici's record, read as `Headers.get` would (repeated values joined). */
export const headerOf = (headers: IncomingHttpHeaders, name: string): string | null => {
  const value = headers[name.toLowerCase()]
  return typeof value === "string" ? value : value === undefined ? null : value.join(", ")
}

/**
 * The same transport as a `fetch`: what openapi-fetch calls with each Request (after every
 * middleware) when it sends one.
 */
export const undiciFetch = async (request: Request): Promise<Response> =>
  toResponse(
    await exchange({
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: request.body === null ? undefined : new Uint8Array(await request.arrayBuffer()),
      signal: request.signal
    })
  )
