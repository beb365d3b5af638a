/**
 * A loopback proxy in front of the simulator that forwards every request unchanged and records what
 * came back: when, which route, which status. The hosts talk to it as to Intercom, so the suite sees
 * the traffic Intercom would: how many requests each window got, and how many of them were 429s.
 */
import { createServer, request } from "node:http"
import type { AddressInfo } from "node:net"

export interface Exchange {
  /** Epoch ms when the request arrived, which is when Intercom counts it against a window. */
  readonly at: number
  readonly method: string
  /** Without the query. */
  readonly path: string
  readonly status: number
}

export interface RecordingProxy {
  readonly url: string
  readonly exchanges: ReadonlyArray<Exchange>
  readonly close: () => Promise<void>
}

export const startRecordingProxy = async (target: string): Promise<RecordingProxy> => {
  const upstream = new URL(target)
  const exchanges: Array<Exchange> = []
  const server = createServer((incoming, outgoing) => {
    const at = Date.now()
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host }
      },
      (answer) => {
        exchanges.push({
          at,
          method: incoming.method ?? "",
          path: (incoming.url ?? "").split("?")[0] ?? "",
          status: answer.statusCode ?? 0
        })
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      }
    )
    forwarded.on("error", () => {
      outgoing.destroy()
    })
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
