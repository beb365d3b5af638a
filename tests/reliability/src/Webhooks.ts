/**
 * Webhook deliveries for the fuzz and load runs: Intercom envelopes built from the core's fixtures,
 * signed with the core's `sign`, sent over real HTTP (keep-alive, loopback) with bounded concurrency,
 * and a bundle host with one connected workspace to receive them.
 */
import { Agent, request } from "node:http"
import { type Activation, type BundleHost, startBundleHost } from "@taskjuice/intercom-bundle"
import { sign, signatureHeaders, webhookFixture } from "@taskjuice/intercom-core"
import type * as Redacted from "effect/Redacted"
import type { Canaries, LeakWatch } from "./Canary.ts"

/** The workspace the receiving host has a connection for. */
export const connectedWorkspaceId = "relyapp1"

/** Topics that activate exactly one trigger for a connection listening on every trigger. */
export const activatingTopics = [
  "conversation.user.created",
  "conversation.admin.single.created",
  "conversation.user.replied",
  "contact.user.created",
  "contact.lead.created"
] as const

/** A notification envelope for `topic`, from the core's fixture, with its own id and workspace. */
export const envelope = (
  topic: string,
  options: { readonly id?: string | null; readonly appId?: string } = {}
): Record<string, unknown> => {
  const fixtureTopic =
    (activatingTopics as ReadonlyArray<string>).includes(topic) || topic === "ping"
      ? topic
      : "contact.user.created"
  const fixture = structuredClone(webhookFixture(fixtureTopic)) as unknown as Record<string, unknown>
  return {
    ...fixture,
    topic,
    app_id: options.appId ?? connectedWorkspaceId,
    ...(options.id === undefined ? {} : { id: options.id })
  }
}

/** Both signature headers, as the simulator sends them by default. */
export const signedHeaders = (
  body: Uint8Array | string,
  secret: Redacted.Redacted<string>
): Record<string, string> => ({
  [signatureHeaders.sha1]: sign(body, secret, "sha1"),
  [signatureHeaders.sha256]: sign(body, secret, "sha256")
})

export interface HttpAnswer {
  readonly status: number
  readonly body: string
  /** From writing the first byte to reading the last, in milliseconds. */
  readonly millis: number
}

/** One request over a keep-alive agent; rejects only when the connection itself fails. */
export const send = (
  agent: Agent,
  url: string,
  options: { readonly method: string; readonly headers?: Record<string, string>; readonly body?: Uint8Array }
): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const outgoing = request(
      url,
      {
        agent,
        method: options.method,
        headers: {
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          ...(options.body === undefined || options.headers?.["transfer-encoding"] !== undefined
            ? {}
            : { "content-length": String(options.body.byteLength) }),
          ...options.headers
        },
        timeout: 30_000
      },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            millis: performance.now() - started
          })
        )
        response.on("error", reject)
      }
    )
    outgoing.on("timeout", () => outgoing.destroy(new Error("no answer within 30 s")))
    outgoing.on("error", reject)
    outgoing.end(options.body === undefined ? undefined : Buffer.from(options.body))
  })

/** Runs `task` over `items`, at most `concurrency` at a time, keeping the order of the results. */
export const pool = async <A, B>(
  items: ReadonlyArray<A>,
  concurrency: number,
  task: (item: A, index: number) => Promise<B>
): Promise<Array<B>> => {
  const results = new Array<B>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

export interface Receiver {
  readonly bundle: BundleHost
  /** Activations as the listener saw them (the host's own list keeps only the most recent). */
  readonly activations: ReadonlyArray<Activation>
  readonly agent: Agent
  readonly close: () => Promise<void>
}

/** A bundle host with one active connection to {@link connectedWorkspaceId}, counting every activation. */
export const startReceiver = async (canaries: Canaries, watch: LeakWatch): Promise<Receiver> => {
  const activations: Array<Activation> = []
  const bundle = await startBundleHost({
    clientId: "reliability-suite",
    clientSecret: canaries.clientSecret,
    // Nothing in the webhook path calls Intercom; a closed loopback port makes sure nothing could.
    intercomBaseUrl: "http://127.0.0.1:9",
    writeLine: watch.writeLine,
    onActivation: (activation) => {
      activations.push(activation)
    },
    connections: [
      {
        id: "conn_reliability",
        workspaceId: connectedWorkspaceId,
        workspaceName: "Reliability",
        adminId: "1",
        adminEmail: null,
        region: "us",
        apiBaseUrl: "http://127.0.0.1:9",
        accessToken: canaries.accessToken,
        status: "active",
        connectedAt: new Date().toISOString()
      }
    ]
  })
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  return {
    bundle,
    activations,
    agent,
    close: async () => {
      agent.destroy()
      await bundle.close()
    }
  }
}

/** Percentiles by nearest rank. */
export const percentiles = (
  samples: ReadonlyArray<number>
): { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number } => {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? 0 }
}
