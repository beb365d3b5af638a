/**
 * The direct way out: a call that nothing outside the client watches, sent straight to undici. The
 * URL is built by openapi-fetch's own serialisers, the body by its JSON serialiser, and the answer is
 * read by its rules; the WHATWG Response is built only when someone reads `response`.
 */
import {
  createFinalURL,
  createQuerySerializer,
  defaultBodySerializer,
  defaultPathSerializer,
  mergeHeaders
} from "openapi-fetch"
import { type RateLimit, readRateLimit } from "../RateLimit.ts"
import { acceptedEncodings, type Exchange, exchange, headerOf, toResponse } from "../Transport.ts"
import type { CallInit, Seam, Send } from "./call.ts"
import { textOf } from "./utf8.ts"

/** The init options the direct way reads; any other one is openapi-fetch's to honour. */
const directOptions = new Set(["params", "body", "headers", "signal"])

/** Whether the direct way reads everything the init asks for. */
export const isDirect = (init: CallInit | undefined): boolean => {
  if (init === undefined) return true
  for (const key in init) if (!directOptions.has(key)) return false
  return true
}

/** A direct call's answer; its WHATWG Response is built on first read, from the exchange. */
class DirectResult {
  readonly data: unknown
  readonly error: unknown
  readonly status: number
  readonly rateLimit: RateLimit | undefined
  readonly #answer: Exchange
  #response: Response | undefined

  constructor(answer: Exchange, read: Answer, rateLimit: RateLimit | undefined) {
    this.data = read.data
    this.error = read.error
    this.status = answer.status
    this.rateLimit = rateLimit
    this.#answer = answer
  }

  get response(): Response {
    this.#response ??= toResponse(this.#answer)
    return this.#response
  }
}

interface Answer {
  readonly data?: unknown
  readonly error?: unknown
}

/**
 * `data` or `error` as openapi-fetch reads them: nothing for 204, HEAD or an empty body; JSON for a
 * success (a body that is not JSON rejects, with a SyntaxError); JSON or else the text for an error.
 */
const read = (method: string, answer: Exchange): Answer => {
  const length = headerOf(answer.headers, "content-length")
  const chunked = headerOf(answer.headers, "transfer-encoding")?.includes("chunked") === true
  if (answer.status === 204 || method === "HEAD" || (length === "0" && !chunked)) return {}
  const text = textOf(answer.body)
  if (answer.status >= 200 && answer.status < 300)
    return { data: text === "" && length === null ? undefined : JSON.parse(text) }
  try {
    return { error: JSON.parse(text) }
  } catch {
    return { error: text }
  }
}

/**
 * A path template split once at its placeholders: the text around them, and the parameter of each.
 * `null` when a placeholder has openapi-fetch's label, matrix or explode style, which it serializes.
 */
type Template = { readonly texts: ReadonlyArray<string>; readonly names: ReadonlyArray<string> } | null

const placeholders = /\{([^{}]+)\}/g

const templateOf = (pathname: string): Template => {
  const texts: Array<string> = []
  const names: Array<string> = []
  let end = 0
  for (const match of pathname.matchAll(placeholders)) {
    const name = match[1] ?? ""
    if (name.endsWith("*") || name.startsWith(".") || name.startsWith(";")) return null
    texts.push(pathname.slice(end, match.index))
    names.push(name)
    end = match.index + match[0].length
  }
  texts.push(pathname.slice(end))
  return { texts, names }
}

/**
 * openapi-fetch's path serializer with each template read once. A plain `{name}` placeholder with a
 * string or number is the value URI-encoded, as `defaultPathSerializer` makes it; anything else (an
 * array, an object, a missing value) goes to `defaultPathSerializer` itself, so the path is always
 * the one it would build.
 */
const pathSerializer = () => {
  const templates = new Map<string, Template>()
  return (pathname: string, parameters: Record<string, unknown>): string => {
    let template = templates.get(pathname)
    if (template === undefined) {
      template = templateOf(pathname)
      templates.set(pathname, template)
    }
    if (template === null) return defaultPathSerializer(pathname, parameters)
    const { texts, names } = template
    let path = texts[0] ?? ""
    for (let index = 0; index < names.length; index++) {
      const value = parameters[names[index] ?? ""]
      if (typeof value !== "string" && typeof value !== "number")
        return defaultPathSerializer(pathname, parameters)
      path += encodeURIComponent(value) + (texts[index + 1] ?? "")
    }
    return path
  }
}

export const directSend = (seam: Seam): Send => {
  // The origin as undici keys its connections, and the base URL's own path (if any) before each path.
  const base = new URL(seam.baseUrl)
  const origin = base.origin
  const basePath = base.pathname === "/" ? "" : base.pathname
  const serializePath = pathSerializer()
  // Built once: most calls send exactly these.
  const withoutBody = { ...seam.intercomHeaders(), "accept-encoding": acceptedEncodings }
  const withBody = { ...withoutBody, "content-type": "application/json" }
  /** The caller's headers under ours, merged as openapi-fetch merges them. */
  const merged = (init: CallInit, hasBody: boolean): Record<string, string> => ({
    "accept-encoding": acceptedEncodings,
    ...Object.fromEntries(
      mergeHeaders(
        hasBody ? { "content-type": "application/json" } : {},
        init.headers,
        init.params?.header as Parameters<typeof mergeHeaders>[0]
      )
    ),
    ...seam.intercomHeaders()
  })
  const querySerializer = createQuerySerializer()

  return async (method, path, init) => {
    const body = init?.body === undefined ? undefined : defaultBodySerializer(init.body)
    const given = init?.headers !== undefined || init?.params?.header !== undefined
    const answer = await exchange({
      url: {
        origin,
        path: createFinalURL(path, {
          baseUrl: basePath,
          params: init?.params ?? {},
          querySerializer,
          pathSerializer: serializePath
        })
      },
      method,
      headers: given ? merged(init, body !== undefined) : body === undefined ? withoutBody : withBody,
      body,
      signal: init?.signal ?? undefined
    })
    const rateLimit = seam.observe(readRateLimit({ get: (name) => headerOf(answer.headers, name) }))
    return new DirectResult(answer, read(method, answer), rateLimit)
  }
}
