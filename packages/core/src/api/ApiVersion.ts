/**
 * Everything that depends on the Intercom API version this build was generated for lives here, so
 * regenerating the client for another version (`INTERCOM_API_VERSION=2.16 pnpm generate`) changes
 * behaviour in one place.
 */
import {
  apiVersion,
  type components,
  isAtLeast,
  type OperationId,
  type operations,
  operationTable
} from "@taskjuice/intercom-client"
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

/** A contact's fields with `owner_id`, when given, as this build sends it (null, which clears it, stays null). */
export const withWireOwnerId = <F extends { readonly owner_id?: number | string | null }>(
  fields: F
): Omit<F, "owner_id"> & { readonly owner_id?: WireOwnerId | null } => {
  const { owner_id, ...rest } = fields
  return owner_id === undefined
    ? rest
    : { ...rest, owner_id: owner_id === null ? null : ownerIdForWire(owner_id) }
}

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

/**
 * Path parameters. The descriptions name the same parameter differently from version to version
 * (`/contacts/{id}` in 2.10, 2.12 and 2.13, `/contacts/{contact_id}` in the others), so no call
 * site spells a path or a parameter name: both come from this build's generated operations table.
 */

/** The names in a path template: `"/a/{x}/b/{y}"` gives `"x" | "y"`. */
type TemplateParameters<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | TemplateParameters<Rest>
  : never

type PathOf<Op extends OperationId> = (typeof operationTable)[Op]["path"]

/** What the generated client wants as `params.path` for the operation. */
export type PathParameters<Op extends OperationId> = operations[Op]["parameters"]["path"]

/** Whether `A` is a single string literal (not a union, not `never`). */
type IsSingle<A, All = A> = [A] extends [never]
  ? false
  : A extends unknown
    ? [All] extends [A]
      ? true
      : false
    : never

/**
 * The operations whose path names exactly one object, with that parameter the same in the template
 * and in the generated type: the only ones `objectPath` accepts, so an operation for which the
 * derivation would be wrong does not compile, whatever version the client was generated for.
 */
export type SingleIdOperation = {
  [Op in OperationId]: IsSingle<TemplateParameters<PathOf<Op>>> extends true
    ? [keyof PathParameters<Op>] extends [TemplateParameters<PathOf<Op>>]
      ? [TemplateParameters<PathOf<Op>>] extends [keyof PathParameters<Op>]
        ? Op
        : never
      : never
    : never
}[OperationId]

export interface ObjectPath<Op extends OperationId> {
  /** The path template, as `client.GET`/`POST`/`PUT` take it. */
  readonly url: PathOf<Op>
  /** `params.path`: the id under the parameter's name in this build. */
  readonly parameters: PathParameters<Op>
}

const parameterNames = new Map<OperationId, string>()

/** The name of the one parameter in the operation's path template, read once per operation. */
const parameterNameOf = (operation: SingleIdOperation): string => {
  const known = parameterNames.get(operation)
  if (known !== undefined) return known
  const name = /\{([^}]+)\}/.exec(operationTable[operation].path)?.[1] ?? ""
  parameterNames.set(operation, name)
  return name
}

/**
 * The path of an operation on one object, for this build's API version. The id must already be
 * of its kind's shape (the action inputs check it), so it stands as one path segment.
 */
export const objectPath = <Op extends SingleIdOperation>(operation: Op, id: string): ObjectPath<Op> => {
  // Set on an empty object rather than written as `{ [name]: id }`: a computed key in a literal took
  // six times as long, on every request for one object.
  const parameters: Record<string, string> = {}
  parameters[parameterNameOf(operation)] = id
  // The one cast: `SingleIdOperation` proves the template's one name is the generated type's one key.
  return { url: operationTable[operation].path, parameters: parameters as PathParameters<Op> }
}
