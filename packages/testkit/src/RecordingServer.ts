/**
 * The one recording loopback server of the tests: a real HTTP server on 127.0.0.1 (port 0) that keeps
 * every request it receives (up to a cap) and answers from a script, so the code under test talks real
 * HTTP and a test sees exactly what went over the wire. A script is an answer, a queue of answers (in
 * order, the last repeats) or a function of the request; routes (`"GET /me"`) take precedence over the
 * default script. An optional gate (Intercom's budget, `@taskjuice/intercom-testkit/intercom`) may refuse
 * a request or add headers to its answer.
 *
 * From plain vitest: `const server = await startRecordingServer(...)` and `server.close()`; from Effect:
 * `yield* recordingServer(...)`, closed with its scope.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface RecordedRequest {
  /** Its place in arrival order (0-based), counting requests past the cap too. */
  readonly index: number
  readonly method: string
  /** The request target as sent: the path and the query. */
  readonly url: string
  /** Without the query. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  /** The raw body bytes. */
  readonly body: Buffer
  /** The body as UTF-8. */
  readonly text: string
  /** The body parsed as JSON; `undefined` when it is empty or not JSON. */
  readonly json: unknown
  /** When it arrived (epoch ms, once its body was read). */
  readonly receivedAt: number
}

const encoders = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync } as const

export interface Answer {
  /** Default 200. */
  readonly status?: number
  /** Over the defaults (`content-type: application/json`). */
  readonly headers?: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** Sent as JSON. */
  readonly body?: unknown
  /** Sent as is, instead of `body` (an answer that is not JSON, or not even valid). */
  readonly raw?: string | Uint8Array
  /** Send the body with this Content-Encoding. */
  readonly encoding?: keyof typeof encoders
  /** Answer only after this long (the request is recorded at once). */
  readonly delayMillis?: number
  /** Close the connection without answering (`hangUp`), or never answer (`silence`: the client must give up). */
  readonly drop?: "hangUp" | "silence"
}

/** Answers a request; `nth` counts the requests this script answered before (0-based). */
export type Responder = (request: RecordedRequest, nth: number) => Answer | Promise<Answer>

/** An answer every time, a queue of answers (in order; the last repeats), or a responder. */
export type Script = Answer | ReadonlyArray<Answer> | Responder

/** A check in front of the script: it may refuse a request with its own answer, and add headers to any. */
export interface Gate {
  readonly admit: (request: RecordedRequest) => {
    readonly headers?: Readonly<Record<string, string>>
    readonly refusal?: Answer
  }
}

export interface RecordingServerOptions {
  /** The answer to a request no route takes (default: 404, naming the request). */
  readonly answer?: Script
  /** Scripts by `"METHOD /path"` (the path without its query). */
  readonly routes?: Readonly<Record<string, Script>>
  readonly gate?: Gate
  /** How many requests are kept (default 1,000); later ones are answered and counted, not kept. */
  readonly maxRecorded?: number
}

export interface RecordingServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  readonly port: number
  /** The requests kept, in arrival order. */
  readonly requests: ReadonlyArray<RecordedRequest>
  /** Every request received, kept or not. */
  readonly received: () => number
  /** Requests whose connection the client closed before it was answered (cancellation, timeout). */
  readonly aborted: () => number
  /** Resolves once `count` requests in all have arrived (those already here count). */
  readonly waitFor: (count: number, timeoutMs?: number) => Promise<void>
  /** Resolves with the next request to arrive that `match` accepts (default any). */
  readonly nextRequest: (
    match?: (request: RecordedRequest) => boolean,
    timeoutMs?: number
  ) => Promise<RecordedRequest>
  /** Replaces the default script. */
  readonly answer: (script: Script) => void
  /** Answers `"METHOD /path"` from this script; `undefined` gives the route back to the default. */
  readonly route: (route: string, script: Script | undefined) => void
  /** Forgets the requests kept so far (the count of received ones stays). */
  readonly clear: () => void
  /** Closes every connection and the server; safe to call twice. */
  readonly close: () => Promise<void>
}

/** A JSON answer. */
export const json = (
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string | ReadonlyArray<string>>>
): Answer => ({ status, body, ...(headers === undefined ? {} : { headers }) })

/** Answers with these in order; the last one repeats. */
export const inOrder =
  (...answers: ReadonlyArray<Answer>): Responder =>
  (_, nth) =>
    answers[Math.min(nth, answers.length - 1)] ?? notScripted

/** Closes the connection without answering (the request did arrive). */
export const hangUp: Answer = { drop: "hangUp" }

/** Never answers. */
export const silence: Answer = { drop: "silence" }

const notScripted: Answer = { status: 404, body: { error: "no answer scripted" } }

const responderOf = (script: Script): Responder => {
  if (typeof script === "function") return script
  if (Array.isArray(script)) return inOrder(...(script as ReadonlyArray<Answer>))
  return () => script as Answer
}

interface Slot {
  readonly respond: Responder
  answered: number
}

const slotOf = (script: Script): Slot => ({ respond: responderOf(script), answered: 0 })

const parsed = (text: string): unknown => {
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const send = (response: ServerResponse, answer: Answer, extraHeaders: Readonly<Record<string, string>>) => {
  if (response.destroyed) return
  const raw = answer.raw ?? (answer.body === undefined ? "" : JSON.stringify(answer.body))
  const encoded = answer.encoding === undefined ? raw : encoders[answer.encoding](raw)
  response.writeHead(answer.status ?? 200, {
    "content-type": "application/json",
    ...(answer.encoding === undefined ? {} : { "content-encoding": answer.encoding }),
    ...extraHeaders,
    ...answer.headers
  })
  response.end(encoded)
}

export const startRecordingServer = async (
  options: RecordingServerOptions = {}
): Promise<RecordingServer> => {
  const maxRecorded = options.maxRecorded ?? 1000
  const requests: Array<RecordedRequest> = []
  const waiters = new Set<(request: RecordedRequest) => void>()
  const routes = new Map<string, Slot>(
    Object.entries(options.routes ?? {}).map(([route, script]) => [route, slotOf(script)])
  )
  let fallback = slotOf(options.answer ?? notScripted)
  let received = 0
  let aborted = 0

  const server = createServer((incoming, response) => {
    const chunks: Array<Buffer> = []
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
    incoming.on("end", () => {
      const body = Buffer.concat(chunks)
      const text = body.toString("utf8")
      const url = new URL(incoming.url ?? "/", "http://127.0.0.1")
      const request: RecordedRequest = {
        index: received++,
        method: incoming.method ?? "GET",
        url: incoming.url ?? "/",
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        body,
        text,
        json: parsed(text),
        receivedAt: Date.now()
      }
      if (requests.length < maxRecorded) requests.push(request)
      for (const waiter of waiters) waiter(request)
      response.on("close", () => {
        if (!response.writableFinished) aborted++
      })
      const verdict = options.gate?.admit(request) ?? {}
      const slot = routes.get(`${request.method} ${request.path}`) ?? fallback
      const answering =
        verdict.refusal !== undefined
          ? Promise.resolve(verdict.refusal)
          : Promise.resolve(slot.respond(request, slot.answered++))
      void answering.then(
        (answer) => {
          if (answer.drop === "silence") return
          const finish = () => {
            if (answer.drop === "hangUp") incoming.socket.destroy()
            else send(response, answer, verdict.headers ?? {})
          }
          if (answer.delayMillis === undefined) return finish()
          const timer = setTimeout(finish, answer.delayMillis)
          response.on("close", () => clearTimeout(timer))
        },
        (error: unknown) => send(response, json(500, { error: String(error) }), {})
      )
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    received: () => received,
    aborted: () => aborted,
    waitFor: (count, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        if (received >= count) return resolve()
        const waiter = () => {
          if (received < count) return
          waiters.delete(waiter)
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`${received} of ${count} requests within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(waiter)
      }),
    nextRequest: (match = () => true, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const waiter = (request: RecordedRequest) => {
          if (!match(request)) return
          waiters.delete(waiter)
          clearTimeout(timer)
          resolve(request)
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`no matching request within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(waiter)
      }),
    answer: (script) => {
      fallback = slotOf(script)
    },
    route: (route, script) => {
      if (script === undefined) routes.delete(route)
      else routes.set(route, slotOf(script))
    },
    clear: () => {
      requests.length = 0
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
      return closing
    }
  }
}

/** The server as a scoped resource: closed when the scope ends. */
export const recordingServer = (
  options: RecordingServerOptions = {}
): Effect.Effect<RecordingServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startRecordingServer(options)),
    (server) => Effect.promise(() => server.close())
  )

/** A loopback URL on which nothing listens: connecting is refused. */
export const refusedUrl = async (): Promise<string> => {
  const server = await startRecordingServer()
  await server.close()
  return server.url
}
