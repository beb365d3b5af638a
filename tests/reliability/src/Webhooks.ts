/**
 * Webhook deliveries for the fuzz and load runs: Intercom envelopes built from the core's fixtures,
 * signed with the core's `sign`, sent over real HTTP (keep-alive, loopback) with bounded concurrency,
 * and a bundle host with one connected workspace to receive them.
 */
import { Agent } from "node:http"
import { type Activation, type BundleHost, startBundleHost } from "@taskjuice/intercom-bundle"
import { notificationNow } from "@taskjuice/intercom-bundle/testing"
import { sign, signatureHeaders } from "@taskjuice/intercom-core"
import type * as Redacted from "effect/Redacted"
import { type Canaries, type LeakWatch, makeCanaries, watchForLeaks } from "./Canary.ts"

export { type HttpAnswer, percentiles, pool, send } from "./Http.ts"

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

/**
 * A notification envelope for `topic`, from the core's fixture, with its own id and workspace, sent now
 * (`sentAt`, Unix seconds) as Intercom would.
 */
export const envelope = (
  topic: string,
  options: { readonly id?: string | null; readonly appId?: string; readonly sentAt?: number } = {}
): Record<string, unknown> => {
  const fixtureTopic =
    (activatingTopics as ReadonlyArray<string>).includes(topic) || topic === "ping"
      ? topic
      : "contact.user.created"
  return notificationNow(
    fixtureTopic,
    {
      topic,
      app_id: options.appId ?? connectedWorkspaceId,
      ...(options.id === undefined ? {} : { id: options.id })
    },
    options.sentAt
  )
}

/** Both signature headers, as the simulator sends them by default. */
export const signedHeaders = (
  body: Uint8Array | string,
  secret: Redacted.Redacted<string>
): Record<string, string> => ({
  [signatureHeaders.sha1]: sign(body, secret, "sha1"),
  [signatureHeaders.sha256]: sign(body, secret, "sha256")
})

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

export interface WatchedReceiver {
  readonly canaries: Canaries
  readonly watch: LeakWatch
  /** The receiver once `start` has run. */
  readonly receiver: Receiver
  readonly start: () => Promise<void>
  /** Closes the receiver and stops the watch. */
  readonly close: () => Promise<void>
}

/**
 * What every webhook suite sets up: fresh canaries and a leak watch over all output from this call on
 * (so call it when the test file loads), and a receiver writing to that watch once `start` has run.
 */
export const watchedReceiver = (): WatchedReceiver => {
  const canaries = makeCanaries()
  const watch = watchForLeaks(canaries)
  let started: Receiver | undefined
  return {
    canaries,
    watch,
    get receiver() {
      if (started === undefined) throw new Error("the receiver has not been started")
      return started
    },
    start: async () => {
      started = await startReceiver(canaries, watch)
    },
    close: async () => {
      await started?.close()
      watch.stop()
    }
  }
}
