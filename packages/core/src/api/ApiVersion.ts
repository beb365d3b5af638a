/**
 * Everything that depends on the Intercom API version this build was generated for lives here, so
 * regenerating the client for another version (`INTERCOM_API_VERSION=2.16 pnpm generate`) changes
 * behaviour in one place.
 */
import { apiVersion, type components, isAtLeast } from "@taskjuice/intercom-client"
import * as Effect from "effect/Effect"
import { IntercomError, VersionUnsupported } from "./IntercomError.ts"

/** The `Intercom-Version` this build targets. */
export const buildApiVersion: string = apiVersion

/** Features that exist only from some Intercom API version on, with that version. */
export const versionedFeatures = {
  /** `message_type: "quick_reply"` with `reply_options` on an admin reply. */
  quickReply: { minimumVersion: "2.14", description: "an admin quick_reply (reply_options)" },
  /** `owner_id` is a string on contact requests (an integer before). */
  stringOwnerId: { minimumVersion: "2.16", description: "string owner_id" }
} as const

export type VersionedFeature = keyof typeof versionedFeatures

export const supports = (feature: VersionedFeature, version: string = buildApiVersion): boolean =>
  isAtLeast(version, versionedFeatures[feature].minimumVersion)

/** Fails, before anything is sent, when the build's version lacks the feature. */
export const requireFeature = (
  feature: VersionedFeature,
  operation: string,
  version: string = buildApiVersion
): Effect.Effect<void, IntercomError> =>
  supports(feature, version)
    ? Effect.void
    : Effect.fail(
        new IntercomError({
          operation,
          idempotent: true,
          reason: new VersionUnsupported({
            minimumVersion: versionedFeatures[feature].minimumVersion,
            feature: versionedFeatures[feature].description,
            currentVersion: version
          })
        })
      )

/** The generated request type of `owner_id`: a number up to 2.15, a string from 2.16. */
export type WireOwnerId = NonNullable<components["schemas"]["update_contact_request"]["owner_id"]>

/**
 * Converts an admin id (accepted as integer or digit string) to what this build's version sends.
 * The one cast: the runtime check above decides which member of the generated type applies.
 */
export const ownerIdForWire = (ownerId: number | string): WireOwnerId =>
  (supports("stringOwnerId") ? String(ownerId) : Number(ownerId)) as WireOwnerId

/** The generated request body of `POST /conversations/{id}/reply` for this build. */
export type ReplyBody = components["schemas"]["reply_conversation_request"]

export interface QuickReplyOption {
  readonly text: string
  readonly uuid: string
}

/**
 * An admin quick reply. Only 2.14+ descriptions have `quick_reply` and `reply_options`; callers
 * check `requireFeature("quickReply", …)` first, so the body matches the build's generated type and
 * the cast only bridges builds whose generated type predates the feature.
 */
export const quickReplyBody = (reply: {
  readonly admin_id: number | string
  readonly body?: string
  readonly reply_options: ReadonlyArray<QuickReplyOption>
  readonly attachment_urls?: ReadonlyArray<string>
}): ReplyBody => ({ ...reply, type: "admin", message_type: "quick_reply" }) as unknown as ReplyBody
