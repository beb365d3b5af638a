/**
 * A loopback proxy in front of the simulator: the testkit's recording server, answering every request
 * with what the simulator answered to it unchanged, and noting what came back: when, which route, which
 * status. The hosts talk to it as to Intercom, so the suite sees the traffic Intercom would: how many
 * requests each window got, and how many of them were 429s.
 */
import { request } from "node:http"
import { type Answer, hangUp, type RecordedRequest, startRecordingServer } from "@taskjuice/intercom-testkit"

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

/** Headers that belong to one connection, not to the answer: the proxy's own connection sets its own. */
const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"])

export const startRecordingProxy = async (target: string): Promise<RecordingProxy> => {
  const upstream = new URL(target)
  const exchanges: Array<Exchange> = []
  const forward = (incoming: RecordedRequest): Promise<Answer> =>
    new Promise((resolve) => {
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host }
        },
        (answer) => {
          const chunks: Array<Buffer> = []
          answer.on("data", (chunk: Buffer) => chunks.push(chunk))
          answer.on("end", () => {
            const status = answer.statusCode ?? 502
            exchanges.push({ at: incoming.receivedAt, method: incoming.method, path: incoming.path, status })
            const headers = Object.fromEntries(
              Object.entries(answer.headers).filter(
                (entry): entry is [string, string | Array<string>] =>
                  entry[1] !== undefined && !hopByHop.has(entry[0])
              )
            )
            resolve({ status, headers, raw: Buffer.concat(chunks) })
          })
          answer.on("error", () => resolve(hangUp))
        }
      )
      forwarded.on("error", () => resolve(hangUp))
      forwarded.end(incoming.body)
    })
  // The exchanges are the record here; the server itself keeps no requests (a run sends thousands).
  const server = await startRecordingServer({ answer: forward, maxRecorded: 0 })
  return { url: server.url, exchanges, close: server.close }
}
