/**
 * What the host's benchmarks send: signed deliveries of unique notifications (sent now, so none is a
 * stale replay), made and signed before the clock starts, then sent at a fixed concurrency over
 * keep-alive connections. Every answer must be a 200.
 */
import { Agent, request } from "node:http"
import { sign, signatureHeaders } from "@taskjuice/intercom-core"
import type * as Redacted from "effect/Redacted"
import { notificationNow } from "../src/testing/Deliveries.ts"

export interface Round {
  /** Each delivery's acknowledgement latency, in milliseconds. */
  readonly latencies: ReadonlyArray<number>
  readonly seconds: number
}

const deliver = (agent: Agent, url: string, body: Buffer, signature: string) =>
  new Promise<number>((resolve, reject) => {
    const started = performance.now()
    const outgoing = request(
      url,
      {
        agent,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(body.byteLength),
          [signatureHeaders.sha1]: signature
        }
      },
      (response) => {
        response.resume()
        response.on("end", () =>
          response.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`HTTP ${response.statusCode}`))
        )
      }
    )
    outgoing.on("error", reject)
    outgoing.end(body)
  })

/** `count` deliveries (ids `notif_<prefix>_<n>`) for `workspaceId`, signed with `secret`, to `url`. */
export const sendDeliveries = async (
  url: string,
  options: {
    readonly prefix: string
    readonly count: number
    readonly concurrency: number
    readonly secret: Redacted.Redacted<string>
    readonly workspaceId: string
  }
): Promise<Round> => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency })
  const deliveries = Array.from({ length: options.count }, (_, index) => {
    const body = Buffer.from(
      JSON.stringify(
        notificationNow("conversation.user.created", {
          id: `notif_${options.prefix}_${index}`,
          app_id: options.workspaceId
        })
      )
    )
    return { body, signature: sign(body, options.secret, "sha1") }
  })
  const latencies: Array<number> = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++]!
        latencies.push(await deliver(agent, url, delivery.body, delivery.signature))
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  return { latencies, seconds }
}
