import {
  defaultDedupeWindow,
  NotificationDedupe,
  NotificationDedupeError,
  type NotificationDedupeShape,
  RateLimitStore,
  type RateLimitStoreShape
} from "@taskjuice/intercom-core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { ActivationInbox, type ActivationInboxShape } from "../ActivationInbox.ts"
import { ConnectionStore, type ConnectionStoreShape } from "../ConnectionStore.ts"
import { OAuthNonces, type OAuthNoncesShape } from "../OAuthNonces.ts"

/** Every service one state layer provides. */
export type StateServices =
  | ConnectionStore
  | OAuthNonces
  | ActivationInbox
  | RateLimitStore
  | NotificationDedupe

export interface StateParts {
  readonly connections: ConnectionStoreShape
  readonly nonces: OAuthNoncesShape
  readonly inbox: ActivationInboxShape
  readonly rateLimits: RateLimitStoreShape
}

/**
 * The core's seen-store over the inbox's dedupe marks: a key with no activations, so a delivery the host
 * marks through the core and one it accepts through the inbox share one window and one capacity.
 */
export const dedupeOverInbox = (
  inbox: ActivationInboxShape,
  window: Duration.Input = defaultDedupeWindow
): NotificationDedupeShape => {
  const windowMillis = Duration.toMillis(Duration.fromInputUnsafe(window))
  return {
    markIfNew: (key) =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) =>
          inbox.accept({ dedupeKey: key, expiresAtMillis: now + windowMillis, activations: [] })
        ),
        Effect.map((result) => result._tag === "Accepted"),
        Effect.mapError(
          (error) =>
            new NotificationDedupeError({
              reason: error._tag === "InboxFull" ? "Full" : "Unavailable",
              cause: error
            })
        )
      )
  }
}

export const stateContext = (
  parts: StateParts,
  dedupeWindow?: Duration.Input
): Context.Context<StateServices> =>
  Context.make(ConnectionStore, parts.connections).pipe(
    Context.add(OAuthNonces, parts.nonces),
    Context.add(ActivationInbox, parts.inbox),
    Context.add(RateLimitStore, parts.rateLimits),
    Context.add(NotificationDedupe, dedupeOverInbox(parts.inbox, dedupeWindow))
  )

/** Bytes an activation takes as stored JSON: what the inbox's byte bound counts. */
export const storedBytes = (json: string): number => Buffer.byteLength(json, "utf8")
