/**
 * A real HTTP server on 127.0.0.1 (port 0) whose answers a test scripts per request, and which
 * records every request it receives. No mocks: the code under test talks real HTTP to it.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  /** The parsed JSON body; `undefined` when there was none. */
  readonly body: unknown
  /** The raw body text. */
  readonly text: string
}

export type Reply =
  | {
      readonly kind: "json"
      readonly status: number
      readonly body: unknown
      readonly headers?: Readonly<Record<string, string>>
      readonly delayMillis?: number
    }
  | { readonly kind: "text"; readonly status: number; readonly text: string }
  /** Close the connection without answering (the request did arrive). */
  | { readonly kind: "hangUp" }
  /** Never answer; the client must time out or cancel. */
  | { readonly kind: "silence" }

/** Decides the reply to the `index`-th request (0-based) from the request itself. */
export type Script = (request: RecordedRequest, index: number) => Reply

export interface LoopbackServer {
  readonly url: string
  readonly requests: ReadonlyArray<RecordedRequest>
  /** Requests whose connection the client closed before an answer (cancellation, timeout). */
  readonly aborted: () => number
  readonly setScript: (script: Script) => void
  readonly close: () => Promise<void>
}

export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply => ({
  kind: "json",
  status,
  body,
  ...(headers === undefined ? {} : { headers })
})

/** Answers with these replies in order; the last one repeats. */
export const inOrder =
  (...replies: ReadonlyArray<Reply>): Script =>
  (_, index) =>
    replies[Math.min(index, replies.length - 1)] ?? json(500, { type: "error.list", errors: [] })

const send = (response: ServerResponse, reply: Extract<Reply, { kind: "json" }>) => {
  const body = JSON.stringify(reply.body)
  response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers })
  response.end(body)
}

export const startLoopbackServer = (initial: Script): Promise<LoopbackServer> => {
  const requests: Array<RecordedRequest> = []
  let script = initial
  let aborted = 0
  const server: Server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8")
      const url = new URL(request.url ?? "/", "http://127.0.0.1")
      const recorded: RecordedRequest = {
        method: request.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body: text === "" ? undefined : JSON.parse(text),
        text
      }
      requests.push(recorded)
      const reply = script(recorded, requests.length - 1)
      response.on("close", () => {
        if (!response.writableFinished) aborted++
      })
      if (reply.kind === "hangUp") return request.socket.destroy()
      if (reply.kind === "silence") return
      if (reply.kind === "text") {
        response.writeHead(reply.status, { "content-type": "application/json" })
        return response.end(reply.text)
      }
      if (reply.delayMillis === undefined) return send(response, reply)
      setTimeout(() => send(response, reply), reply.delayMillis)
    })
  })
  server.keepAliveTimeout = 60_000
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        aborted: () => aborted,
        setScript: (next) => {
          script = next
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}

/** The server as a scoped resource: closed when the test's scope ends. */
export const loopbackServer = (script: Script): Effect.Effect<LoopbackServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startLoopbackServer(script)),
    (server) => Effect.promise(() => server.close())
  )

/** A loopback URL on which nothing listens: connecting is refused. */
export const refusedUrl: Effect.Effect<string> = Effect.promise(async () => {
  const server = await startLoopbackServer(inOrder(json(200, {})))
  await server.close()
  return server.url
})
