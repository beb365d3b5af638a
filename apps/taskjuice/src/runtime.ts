/**
 * The runtime entry: what TaskJuice's runtime loads in a fresh worker and calls. Run an action step,
 * receive a webhook delivery, read the manifest; plus the connections those work on and the eviction
 * of a connection's kept client. Published built (`dist/runtime.js`, see `build.ts`): one ESM file
 * with Effect inside, so it shares nothing with the caller, which is why secrets are wrapped with the
 * `Redacted` exported here.
 *
 * Only what every worker needs loads with it. The manifest (its JSON Schemas, the OAuth endpoints it
 * lists) loads on the first `manifest()`; the docs page, the OAuth flow, the HTTP host and the codegen
 * are not reachable from here at all.
 */
import type { WebhookHeaders } from "@taskjuice/intercom-core"
import { NotificationDedupe, RateLimiter } from "@taskjuice/intercom-core"
import type { NonEmptyReadonlyArray } from "effect/Array"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { execute } from "./ActionExecution.ts"
import type { StepResult } from "./BundleHost.ts"
import type { Connection } from "./Connection.ts"
import { ConnectionClients, defaultClientCapacity, makeConnectionClients } from "./ConnectionClients.ts"
import { Connections, type ConnectionsShape } from "./Connections.ts"
import type { HostLimits } from "./http/Limits.ts"
import type { Manifest } from "./Manifest.ts"
import { receiveWebhook, type TriggerSubscription, type WebhookReceipt } from "./WebhookEndpoint.ts"

export * as Redacted from "effect/Redacted"
export type { Connection, ConnectionStatus, ConnectionSummary } from "./Connection.ts"
export { summarizeConnection } from "./Connection.ts"
export type { ConnectionsShape } from "./Connections.ts"
export type { StepError, StepErrorCode } from "./StepError.ts"
export type { TriggerSubscription, WebhookReceipt } from "./WebhookEndpoint.ts"
export { acknowledgement } from "./WebhookEndpoint.ts"
export type { Manifest, StepResult }

export interface RuntimeOptions {
  /** The OAuth app's client secret (it keys Intercom's webhook signatures). */
  readonly clientSecret: Redacted.Redacted<string>
  /** Previous client secrets still accepted on webhooks while a rotation settles. */
  readonly previousClientSecrets?: ReadonlyArray<Redacted.Redacted<string>>
  /** Where the connections live (default: an empty in-memory store, see `connections`). */
  readonly connections?: ConnectionsShape
  /** Which triggers each connection listens on (default: every trigger, default options). */
  readonly subscriptions?: (connection: Connection) => ReadonlyArray<TriggerSubscription>
  /** The JSON shape limits of a webhook body (the host's defaults when unset). */
  readonly limits?: Pick<HostLimits, "jsonDepth" | "jsonMembers">
  /** How long one request to Intercom may take during an action (the core's default, 30 s, when unset). */
  readonly requestTimeout?: Duration.Input
  /** The most connection clients kept between steps (default 10,000). */
  readonly clientCapacity?: number
}

export interface BundleRuntime {
  readonly connections: ConnectionsShape
  /** Runs an action step for a connection: its output or its step error. */
  readonly execute: (key: string, input: unknown, connectionId: string) => Promise<StepResult>
  /** Verifies, de-duplicates and routes one webhook delivery (its raw body and headers). */
  readonly receiveWebhook: (body: Uint8Array, headers: WebhookHeaders) => Promise<WebhookReceipt>
  /** The manifest; its module loads on the first call. */
  readonly manifest: () => Promise<Manifest>
  /** Drops a connection's kept client: call it when the connection is revoked or removed. */
  readonly evict: (connectionId: string) => boolean
  /** How many connection clients are kept now (at most `clientCapacity`). */
  readonly keptClients: () => number
}

export const makeRuntime = (options: RuntimeOptions): BundleRuntime => {
  const connections = options.connections ?? Connections.make()
  const clients = makeConnectionClients({ capacity: options.clientCapacity ?? defaultClientCapacity })
  // Every layer here is built synchronously and holds no resource, so nothing needs closing.
  const services = Effect.runSync(
    Effect.scoped(
      Layer.build(
        Layer.mergeAll(
          Layer.succeed(Connections, connections),
          Layer.succeed(ConnectionClients, clients),
          NotificationDedupe.layer,
          RateLimiter.layer
        )
      )
    )
  )
  const secrets: NonEmptyReadonlyArray<Redacted.Redacted<string>> = [
    options.clientSecret,
    ...(options.previousClientSecrets ?? [])
  ]
  let manifest: Promise<Manifest> | undefined
  return {
    connections,
    execute: (key, input, connectionId) =>
      Effect.runPromise(
        execute(key, input, connectionId, { requestTimeout: options.requestTimeout }).pipe(
          Effect.match({
            onSuccess: (output): StepResult => ({ output }),
            onFailure: (error): StepResult => ({ error })
          }),
          Effect.provide(services)
        )
      ),
    receiveWebhook: (body, headers) =>
      Effect.runPromise(
        Effect.provide(
          receiveWebhook(body, headers, {
            secrets,
            subscriptions: options.subscriptions,
            limits: options.limits
          }),
          services
        )
      ),
    manifest: () => {
      manifest ??= import("./Manifest.ts").then((module) => module.makeManifest())
      return manifest
    },
    evict: clients.evict,
    keptClients: clients.size
  }
}
