/**
 * Schemas for the Intercom objects a notification carries in `data.item`, typed from the generated client
 * (`components["schemas"][…]`), never retyped by hand.
 *
 * At runtime an item is checked for its identity (`type` and `id`, plus the parts list where a trigger
 * promises it) and passed through with every field as sent. Full conformance to the pinned spec is not
 * enforced per delivery on purpose: Intercom's payloads follow the app's API version, 2.11's `required`
 * lists are stricter than real objects (its own examples break them), and refusing a signed delivery would
 * lose the event. The fixtures are checked against the full spec schemas in the tests instead.
 *
 * @since 0.1.0
 */
import type { components } from "@taskjuice/intercom-client"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"

/**
 * An Intercom conversation, as generated from the pinned spec.
 *
 * @since 0.1.0
 * @category models
 */
export type IntercomConversation = components["schemas"]["conversation"]

/**
 * An Intercom contact (user or lead), as generated from the pinned spec.
 *
 * @since 0.1.0
 * @category models
 */
export type IntercomContact = components["schemas"]["contact"]

/**
 * A conversation whose `conversation_parts` list is present (the reply notification's new parts).
 *
 * @since 0.1.0
 * @category models
 */
export type ConversationWithParts = IntercomConversation & {
  readonly conversation_parts: PartList & {
    // Checked at runtime (`conversationWithPartsIdentity`); 2.12+ descriptions mark the list optional.
    readonly conversation_parts: NonNullable<PartList["conversation_parts"]>
  }
}

type PartList = NonNullable<IntercomConversation["conversation_parts"]>

const Rest = [Schema.Record(Schema.String, Schema.Unknown)] as const

const isObject = (input: unknown): input is object => typeof input === "object" && input !== null

/**
 * Checks `identity` structurally, keeps every other field, and gives the result the generated type `T`.
 * The pass-through is the one place the generated type is trusted for fields not checked here.
 */
const typedFromSpec = <T extends object, const Identity extends Schema.Struct.Fields>(
  identifier: string,
  description: string,
  identity: Identity
) =>
  Schema.StructWithRest(Schema.Struct(identity), Rest)
    .annotate({ identifier, description })
    .pipe(
      Schema.decodeTo(
        Schema.declare<T>((input): input is T => isObject(input), { identifier: `${identifier}Typed` }),
        SchemaTransformation.passthrough({ strict: false })
      )
    )

const conversationIdentity = { type: Schema.Literal("conversation"), id: Schema.String }

const contactIdentity = { type: Schema.Literal("contact"), id: Schema.String }

/**
 * A conversation item: `type: "conversation"` and a string `id` are checked, the rest passes through.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationItem = typedFromSpec<IntercomConversation, typeof conversationIdentity>(
  "IntercomConversation",
  "An Intercom conversation (components.schemas.conversation of the pinned Intercom API description)",
  conversationIdentity
)

/**
 * One conversation part, identity only.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationPartIdentity = Schema.StructWithRest(
  Schema.Struct({
    type: Schema.Literal("conversation_part"),
    id: Schema.String,
    part_type: Schema.String
  }),
  Rest
)

const conversationWithPartsIdentity = {
  type: Schema.Literal("conversation"),
  id: Schema.String,
  conversation_parts: Schema.StructWithRest(
    Schema.Struct({
      type: Schema.Literal("conversation_part.list"),
      conversation_parts: Schema.Array(ConversationPartIdentity),
      total_count: Schema.Int
    }),
    Rest
  )
}

/**
 * A conversation item that must carry its `conversation_parts` list (each part's type, id and part_type
 * checked).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConversationWithPartsItem = typedFromSpec<
  ConversationWithParts,
  typeof conversationWithPartsIdentity
>(
  "IntercomConversationWithParts",
  "An Intercom conversation with its conversation_parts list (components.schemas.conversation)",
  conversationWithPartsIdentity
)

/**
 * A contact item: `type: "contact"` and a string `id` are checked, the rest passes through.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContactItem = typedFromSpec<IntercomContact, typeof contactIdentity>(
  "IntercomContact",
  "An Intercom contact, user or lead (components.schemas.contact of the pinned Intercom API description)",
  contactIdentity
)
