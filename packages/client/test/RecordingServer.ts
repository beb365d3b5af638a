/**
 * A real HTTP server on loopback that records every request and answers from a script,
 * so tests see exactly what went over the wire.
 */
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib"

const encoders = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync } as const

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface ScriptedResponse {
  readonly status?: number
  readonly headers?: Record<string, string | ReadonlyArray<string>>
  readonly body?: unknown
  /** Send this text as the body instead of `body` as JSON. */
  readonly rawBody?: string
  /** Send the body with this Content-Encoding. */
  readonly encoding?: "gzip" | "deflate" | "br"
  /** Answer only after this long (the request is recorded at once). */
  readonly delayMillis?: number
}

export interface RecordingServer {
  readonly url: string
  readonly requests: Array<RecordedRequest>
  /** Resolves once the server has recorded one more request (the next one it receives). */
  readonly received: () => Promise<RecordedRequest>
  respondWith: (response: ScriptedResponse) => void
  readonly close: () => Promise<void>
}

export const startRecordingServer = async (): Promise<RecordingServer> => {
  const requests: Array<RecordedRequest> = []
  const waiting: Array<(request: RecordedRequest) => void> = []
  let next: ScriptedResponse = { status: 200, body: {} }
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const recorded: RecordedRequest = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8")
      }
      requests.push(recorded)
      for (const resolve of waiting.splice(0)) resolve(recorded)
      const answer = next
      const send = () => {
        if (response.destroyed) return
        const text = answer.rawBody ?? (answer.body === undefined ? "" : JSON.stringify(answer.body))
        const encoded = answer.encoding === undefined ? text : encoders[answer.encoding](text)
        response.writeHead(answer.status ?? 200, {
          "content-type": "application/json",
          ...(answer.encoding === undefined ? {} : { "content-encoding": answer.encoding }),
          ...answer.headers
        })
        response.end(encoded)
      }
      if (answer.delayMillis === undefined) send()
      else setTimeout(send, answer.delayMillis)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    received: () => new Promise((resolve) => waiting.push(resolve)),
    respondWith: (response) => {
      next = response
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
  }
}
