/**
 * The HTTP exchange under the seam: one request out, one WHATWG `Response` back for openapi-fetch.
 *
 * By default it goes through undici's `request`, on the same global dispatcher as Node's `fetch`
 * (one connection pool, and a proxy or other dispatcher a host installs applies alike). Node's
 * `fetch` is built on undici too, but wraps every exchange in WHATWG Request, stream and body
 * machinery that costs about a third more client CPU per call than the exchange itself
 * (`pnpm --filter @taskjuice/intercom-core bench` measures both). As fetch does, it asks for a
 * compressed answer and undoes the compression. The body is read whole, as the JSON API's every
 * answer is.
 */
import { promisify } from "node:util"
import { brotliDecompress, gunzip, unzip } from "node:zlib"
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

/** undici's header record as name-value pairs, for the Response to build its Headers from once. */
const responseHeaders = (
  raw: Record<string, string | Array<string> | undefined>
): Array<[name: string, value: string]> => {
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

/** What we accept compressed, as `fetch` does: list answers shrink several times over the wire. */
const acceptedEncodings = "gzip, deflate, br"

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

/** The default transport: undici's `request`, answered with a WHATWG Response. */
export const undiciTransport: Transport = async (outgoing) => {
  if (!outgoing.headers.has("accept-encoding")) outgoing.headers.set("accept-encoding", acceptedEncodings)
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
  const bytes = new Uint8Array(await body.arrayBuffer())
  const encoding = headers["content-encoding"]
  return new BufferedResponse(
    typeof encoding === "string" ? new Uint8Array(await decoded(bytes, encoding)) : bytes,
    { status: statusCode, headers: responseHeaders(headers) }
  )
}

/**
 * The default transport as a `fetch`: what openapi-fetch calls with each Request (after every
 * middleware), answered through undici's `request`.
 */
export const undiciFetch = async (request: Request): Promise<Response> =>
  undiciTransport({
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body === null ? undefined : new Uint8Array(await request.arrayBuffer()),
    signal: request.signal
  })
