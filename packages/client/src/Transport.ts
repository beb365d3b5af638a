/**
 * The HTTP exchange under the client: one request out on undici's dispatcher, the answer read whole
 * (the JSON API's every answer is small) and its compression undone, as `fetch` would.
 *
 * The request goes to undici's global dispatcher, the one its `request` and Node's `fetch` use (one
 * connection pool, and a proxy or other dispatcher a host installs applies alike), through the handler
 * interface `request` itself implements. Node's `fetch` wraps every exchange in WHATWG Request, stream
 * and body machinery, and `request` still puts the answer in a Readable stream for `body.json()` to
 * read back out: each costs more client CPU than gathering the chunks (`pnpm --filter
 * @taskjuice/intercom-core bench` measures all three). The typed call reads the exchange as it is;
 * `undiciFetch` is the same transport as a `fetch`, for openapi-fetch.
 */
import type { IncomingHttpHeaders } from "node:http"
import { promisify } from "node:util"
import { brotliDecompress, gunzip, unzip } from "node:zlib"
import { textOf } from "./internal/utf8.ts"

/** What goes out. */
export interface OutgoingRequest {
  /** The whole URL, or its origin and path (what a caller sending many requests to one host splits once). */
  readonly url: string | { readonly origin: string; readonly path: string }
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
  /**
   * The body as sent before `Content-Encoding` was applied; empty for a status that has none. It may
   * be a view of a larger buffer (undici's socket read): its own bytes are `byteOffset` to `byteLength`.
   */
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
    return this.#streamed === undefined ? textOf(this.#take()) : this.#streamed.text()
  }

  override async json(): Promise<unknown> {
    return this.#streamed === undefined ? JSON.parse(textOf(this.#take())) : this.#streamed.json()
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#streamed !== undefined) return this.#streamed.bytes()
    // A plain Uint8Array, as any Response's, over the same bytes (the body may be a Buffer).
    const bytes = this.#take()
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#streamed !== undefined) return this.#streamed.arrayBuffer()
    const bytes = this.#take()
    // The bytes may be a view of a larger buffer (what undici read from the socket): copy just them.
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : new Uint8Array(bytes).buffer
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
    // A copy (a Buffer's `slice` would share the bytes).
    return new BufferedResponse(new Uint8Array(this.#bytes), { status: this.status, headers: this.headers })
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
let undici: Pick<typeof import("undici"), "getGlobalDispatcher" | "util"> | undefined
const loadUndici = async () => {
  // The default export is undici's CommonJS exports, whether Node or a bundler loads the module.
  undici = (await import("undici")).default
  return undici
}

/** Each base URL's origin as undici's `request` would key its connection pool, parsed once. */
const origins = new Map<string, string>()
const maxOrigins = 64

/** The URL as undici's dispatcher takes it: the origin (normalised, like `request` does) and the path. */
const splitUrl = (url: string): { readonly origin: string; readonly path: string } => {
  const slash = url.indexOf("/", url.indexOf("//") + 2)
  const prefix = slash === -1 ? url : url.slice(0, slash)
  let origin = origins.get(prefix)
  if (origin === undefined) {
    origin = new URL(prefix).origin
    if (origins.size >= maxOrigins) origins.clear()
    origins.set(prefix, origin)
  }
  return { origin, path: slash === -1 ? "/" : url.slice(slash) }
}

/**
 * One exchange as undici's dispatcher reports it (the handler interface its own `request` implements):
 * the status and headers, the body's chunks gathered as they come, and the outcome. `request` would put
 * them in a stream for `body.arrayBuffer()` to read back out, and a whole JSON answer needs neither.
 */
class Gathering {
  readonly #signal: AbortSignal | undefined
  readonly #resolve: (answer: Exchange) => void
  readonly #reject: (cause: unknown) => void
  readonly #parseHeaders: (raw: ReadonlyArray<Buffer>) => IncomingHttpHeaders
  #abort: ((reason: unknown) => void) | undefined
  #aborted: { readonly reason: unknown } | undefined
  #status = 0
  #headers: IncomingHttpHeaders = {}
  #chunks: Array<Buffer> = []
  #length = 0

  constructor(
    signal: AbortSignal | undefined,
    parseHeaders: (raw: ReadonlyArray<Buffer>) => IncomingHttpHeaders,
    resolve: (answer: Exchange) => void,
    reject: (cause: unknown) => void
  ) {
    this.#signal = signal
    this.#parseHeaders = parseHeaders
    this.#resolve = resolve
    this.#reject = reject
    if (signal === undefined) return
    // As `request` does: the signal's reason, or undici's own error when it has none.
    if (signal.aborted) this.#aborted = { reason: signal.reason }
    // Removed once the exchange settles; the signal fires at most once, so `once` would add nothing.
    else signal.addEventListener("abort", this)
  }

  /** The signal fired: abort the request if it is under way, or as soon as it is. */
  handleEvent(): void {
    this.#aborted = { reason: this.#signal?.reason }
    this.#abort?.(this.#aborted.reason)
  }

  onConnect(abort: (reason?: unknown) => void): void {
    if (this.#aborted !== undefined) abort(this.#aborted.reason)
    else this.#abort = abort
  }

  onHeaders(status: number, rawHeaders: ReadonlyArray<Buffer>): boolean {
    // An informational answer (1xx) is followed by the real one.
    if (status < 200) return true
    this.#status = status
    this.#headers = this.#parseHeaders(rawHeaders)
    return true
  }

  onData(chunk: Buffer): boolean {
    this.#chunks.push(chunk)
    this.#length += chunk.length
    return true
  }

  onComplete(): void {
    this.#settled()
    const status = this.#status
    const headers = this.#headers
    if (nullBodyStatuses.has(status)) {
      this.#resolve({ status, headers, body: empty })
      return
    }
    const bytes = this.#body()
    const encoding = headers["content-encoding"]
    if (typeof encoding !== "string") {
      this.#resolve({ status, headers, body: bytes })
      return
    }
    decoded(bytes, encoding).then(
      (body) => this.#resolve({ status, headers, body: body as Uint8Array<ArrayBuffer> }),
      this.#reject
    )
  }

  onError(cause: unknown): void {
    this.#settled()
    this.#reject(cause)
  }

  /** The body in one buffer: a single chunk as it came (a view of what undici read), more joined. */
  #body(): Uint8Array<ArrayBuffer> {
    const chunks = this.#chunks
    this.#chunks = []
    const [first] = chunks
    // undici's Buffers are views of ArrayBuffers (socket reads are never shared memory).
    if (chunks.length === 1 && first !== undefined) return first as Uint8Array<ArrayBuffer>
    const body = new Uint8Array(this.#length)
    let offset = 0
    for (const chunk of chunks) {
      body.set(chunk, offset)
      offset += chunk.length
    }
    return body
  }

  #settled(): void {
    this.#abort = undefined
    this.#signal?.removeEventListener("abort", this)
  }
}

/**
 * Sends one request on undici's global dispatcher (the one its `request` and Node's `fetch` use) and
 * reads the whole answer. As `fetch` does, it asks for a compressed answer and undoes the compression.
 * An aborted signal rejects it with the signal's reason.
 */
export const exchange = async (outgoing: OutgoingRequest): Promise<Exchange> => {
  const { getGlobalDispatcher, util } = undici ?? (await loadUndici())
  const { origin, path } = typeof outgoing.url === "string" ? splitUrl(outgoing.url) : outgoing.url
  return new Promise<Exchange>((resolve, reject) => {
    const handler = new Gathering(outgoing.signal, util.parseHeaders as never, resolve, reject)
    getGlobalDispatcher().dispatch(
      {
        origin,
        path,
        method: outgoing.method as "GET",
        headers: askingForCompression(outgoing.headers) as Record<string, string>,
        body: outgoing.body ?? null
      },
      handler as never
    )
  })
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
