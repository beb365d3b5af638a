/**
 * What openapi-fetch builds for each call, given as its `Request` class: the URL and init of a
 * request, not yet a WHATWG Request. Building a real one costs more than the rest of the client
 * together (undici validates and copies every part, and follows the signal), and only middleware
 * ever needs one. So a request becomes a Request just before a middleware sees it, once, and
 * middleware keeps openapi-fetch's contract; without middleware none is built.
 */
import type { Middleware, MiddlewareCallbackParams } from "openapi-fetch"
import type { OutgoingRequest } from "../Transport.ts"

const isPending = (value: unknown): value is PendingRequest =>
  Function.prototype[Symbol.hasInstance].call(PendingRequest, value)

export class PendingRequest {
  readonly url: string
  readonly method: string
  readonly headers: Headers
  readonly #init: RequestInit
  #request: Request | undefined

  constructor(url: string, init: RequestInit) {
    this.url = url
    this.method = init.method ?? "GET"
    // openapi-fetch always passes the Headers it merged; anything else is copied.
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers)
    this.#init = init
  }

  /**
   * openapi-fetch accepts a middleware's replacement only if it is `instanceof` its Request class:
   * any WHATWG Request, as without a custom class, or a pending one.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.Request || isPending(value)
  }

  /** The WHATWG Request, built on first use; headers set on it from then on are the ones sent. */
  toRequest(): Request {
    if (this.#request === undefined)
      this.#request = new Request(this.url, { ...this.#init, headers: this.headers })
    return this.#request
  }

  /** What goes out: read straight from the init, unless a Request was built or the body is not text. */
  static outgoing(request: PendingRequest | Request): OutgoingRequest | Promise<OutgoingRequest> {
    if (!isPending(request)) return read(request)
    if (request.#request !== undefined) return read(request.#request)
    const { body, signal } = request.#init
    if (body !== undefined && body !== null && typeof body !== "string") return read(request.toRequest())
    return {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: body ?? undefined,
      signal: signal ?? undefined
    }
  }
}

const read = async (request: Request): Promise<OutgoingRequest> => ({
  url: request.url,
  method: request.method,
  headers: request.headers,
  body: request.body === null ? undefined : new Uint8Array(await request.arrayBuffer()),
  signal: request.signal
})

/** A WHATWG Request for whatever openapi-fetch holds. */
export const asRequest = (request: PendingRequest | Request): Request =>
  isPending(request) ? request.toRequest() : request

interface Hooks {
  onRequest?: NonNullable<Middleware["onRequest"]>
  onResponse?: NonNullable<Middleware["onResponse"]>
  onError?: NonNullable<Middleware["onError"]>
}

/**
 * The middleware as openapi-fetch runs it, seeing WHATWG Requests. A request a middleware saw is
 * the one that goes on: returning nothing keeps what it changed on it (its headers, say).
 */
export const forMiddleware = (middleware: Middleware): Middleware => {
  const withRequest = <P extends MiddlewareCallbackParams>(params: P): P => ({
    ...params,
    request: asRequest(params.request)
  })
  const adapted: Hooks = {}
  const { onRequest, onResponse, onError } = middleware
  if (onRequest !== undefined)
    adapted.onRequest = async (params) => {
      const seen = withRequest(params)
      return (await onRequest.call(middleware, seen)) ?? seen.request
    }
  if (onResponse !== undefined)
    adapted.onResponse = (params) => onResponse.call(middleware, withRequest(params))
  if (onError !== undefined) adapted.onError = (params) => onError.call(middleware, withRequest(params))
  return adapted as Middleware
}
