/**
 * What the host's routes share: its limits, secrets, activation buffer, manifest and log. Built once
 * by `startBundleHost` and provided to both routers.
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Redacted from "effect/Redacted"
import type { ActivationLog } from "../ActivationLog.ts"
import type { Connection } from "../Connection.ts"
import type { Manifest } from "../Manifest.ts"
import type { TriggerSubscription } from "../WebhookEndpoint.ts"
import type { HostLimits } from "./Limits.ts"

export interface HostContextShape {
  readonly limits: HostLimits
  /** The OAuth app's client secret first, then previous ones still accepted on webhooks. */
  readonly secrets: NonEmptyReadonlyArray<Redacted.Redacted<string>>
  readonly subscriptions: ((connection: Connection) => ReadonlyArray<TriggerSubscription>) | undefined
  readonly activations: ActivationLog
  readonly manifest: Manifest
  /** One JSON line per event; guarded by the caller. */
  readonly log: (entry: Record<string, unknown>) => void
  readonly runtimeToken: Redacted.Redacted<string>
  /** Where browsers and Intercom reach the public routes. */
  readonly publicUrl: string
  readonly requestTimeout: Duration.Input | undefined
}

export class HostContext extends Context.Service<HostContext, HostContextShape>()(
  "@taskjuice/intercom-bundle/HostContext"
) {}
