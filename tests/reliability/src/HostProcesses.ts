/**
 * Hosts as an operator runs them: `pnpm taskjuice serve` processes over one shared state, each on its
 * own port (N hosts started by hand with the same `--state`), and what TaskJuice's runtime does with
 * them over HTTP: connect a workspace through OAuth, run an action, read and acknowledge activations
 * through the cursor API.
 */
import { randomBytes } from "node:crypto"
import type { ConnectionSummary, InboxActivation } from "@taskjuice/intercom-bundle"
import { makeBrowser, type SpawnedHost, spawnServe } from "@taskjuice/intercom-bundle/testing"
import * as Redacted from "effect/Redacted"
import type { SharedState } from "./SharedState.ts"

export interface HostSetup {
  readonly state: SharedState
  /** Stand-in for Intercom (the simulator, or a proxy in front of it). */
  readonly intercomUrl: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** The runtime token every host of the run takes. */
  readonly runtimeToken: string
  /** Flags for every host, e.g. `--public-port 0`. */
  readonly args?: ReadonlyArray<string>
}

/** A fresh runtime token for a run. */
export const makeRuntimeToken = (): string => randomBytes(24).toString("base64url")

/** One `serve` process on the setup's state (`port` to take an address back after a restart). */
export const startHost = (setup: HostSetup, options: { readonly port?: number } = {}): Promise<SpawnedHost> =>
  spawnServe(
    [
      "--port",
      String(options.port ?? 0),
      "--state",
      setup.state.location,
      "--intercom-base-url",
      setup.intercomUrl,
      "--client-id",
      setup.clientId,
      ...(setup.args ?? [])
    ],
    {
      env: {
        ...setup.state.env,
        INTERCOM_CLIENT_SECRET: Redacted.value(setup.clientSecret),
        TASKJUICE_RUNTIME_TOKEN: setup.runtimeToken
      }
    }
  )

/** `count` hosts started by hand on one state, each on a port of its own. */
export const startHosts = (setup: HostSetup, count: number): Promise<Array<SpawnedHost>> =>
  Promise.all(Array.from({ length: count }, () => startHost(setup)))

export interface RuntimeAnswer<T> {
  readonly status: number
  readonly body: T
}

/** A runtime API call with the run's token: GET, or POST with a JSON body. */
export const runtimeCall = async <T = Record<string, unknown>>(
  host: { readonly url: string },
  token: string,
  path: string,
  body?: unknown
): Promise<RuntimeAnswer<T>> => {
  const response = await fetch(`${host.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000)
  })
  return { status: response.status, body: (await response.json()) as T }
}

/** Connects the simulated workspace the way a person does: the runtime's start link, through consent. */
export const connectThroughOAuth = async (
  host: { readonly url: string },
  token: string
): Promise<{ readonly connection: ConnectionSummary; readonly callbackUrl: string }> => {
  const start = await runtimeCall<{ url: string }>(host, token, "/oauth/start", { context: "reliability" })
  if (start.status !== 200) throw new Error(`POST /oauth/start answered ${start.status}`)
  const steps = await makeBrowser().visit(start.body.url)
  const last = steps.at(-1)
  if (last?.status !== 200) throw new Error(`the OAuth flow ended with ${last?.status}: ${last?.body}`)
  return {
    connection: (JSON.parse(last.body) as { connection: ConnectionSummary }).connection,
    callbackUrl: last.url
  }
}

interface ReadAnswer {
  readonly activations: ReadonlyArray<InboxActivation>
  readonly next: string | null
}

/**
 * What a runtime does: reads after its cursor (long-polling `waitMs`), acknowledges each page, until a
 * read comes back empty. Answers every activation read, in order.
 */
export const consumeActivations = async (
  host: { readonly url: string },
  token: string,
  options: { readonly waitMs?: number; readonly acknowledge?: boolean } = {}
): Promise<Array<InboxActivation>> => {
  const read: Array<InboxActivation> = []
  let after: string | null = null
  for (let page = 0; page < 10_000; page++) {
    const query: string = `?limit=1000&wait=${options.waitMs ?? 200}${after === null ? "" : `&after=${after}`}`
    const answer: RuntimeAnswer<ReadAnswer> = await runtimeCall<ReadAnswer>(
      host,
      token,
      `/activations${query}`
    )
    if (answer.status !== 200) throw new Error(`GET /activations answered ${answer.status}`)
    if (answer.body.activations.length === 0) return read
    read.push(...answer.body.activations)
    after = answer.body.next
    if (options.acknowledge !== false) {
      const acked = await runtimeCall(host, token, "/activations/ack", { cursor: after })
      if (acked.status !== 200) throw new Error(`POST /activations/ack answered ${acked.status}`)
    }
  }
  throw new Error("more than 10,000 pages of activations")
}
