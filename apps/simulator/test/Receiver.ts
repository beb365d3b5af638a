/**
 * A real webhook receiver on loopback: records every request (headers and raw body bytes) and
 * answers from a script (status, delay), so tests see exactly what the simulator sent.
 */
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

export interface ReceivedRequest {
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Uint8Array
  readonly json: Record<string, unknown>
}

export interface Receiver {
  readonly url: string
  readonly requests: Array<ReceivedRequest>
  /** Answers for the next requests, in order; then `fallback`. */
  readonly script: Array<{ status: number; delayMs?: number }>
  fallback: { status: number; delayMs?: number }
  readonly waitFor: (count: number, timeoutMs?: number) => Promise<void>
  readonly close: () => Promise<void>
}

export const startReceiver = async (): Promise<Receiver> => {
  const requests: Array<ReceivedRequest> = []
  const script: Array<{ status: number; delayMs?: number }> = []
  const waiters = new Set<() => void>()
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = new Uint8Array(Buffer.concat(chunks))
      let json: Record<string, unknown> = {}
      try {
        json = JSON.parse(Buffer.from(body).toString("utf8")) as Record<string, unknown>
      } catch {
        // not JSON: kept as bytes only
      }
      requests.push({ url: request.url ?? "/", headers: request.headers, body, json })
      for (const waiter of waiters) waiter()
      const answer = script.shift() ?? receiver.fallback
      const respond = () => {
        if (!response.destroyed) response.writeHead(answer.status, { "content-type": "text/plain" }).end("ok")
      }
      if (answer.delayMs === undefined) respond()
      else setTimeout(respond, answer.delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as AddressInfo
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/webhooks/intercom`,
    requests,
    script,
    fallback: { status: 200 },
    waitFor: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        if (requests.length >= count) return resolve()
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`expected ${count} webhook requests, got ${requests.length}`))
        }, timeoutMs)
        const check = () => {
          if (requests.length >= count) {
            clearTimeout(timer)
            waiters.delete(check)
            resolve()
          }
        }
        waiters.add(check)
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
  return receiver
}
