/**
 * Schemas of the Intercom objects the actions return, as Intercom sends them (snake_case).
 *
 * Why a hand-written subset next to the generated types: the generated client gives types only, and
 * a workflow needs a runtime check of the fields it relies on (an id that is a string, timestamps
 * that are numbers …) so that a malformed answer becomes a `Decode` error, not a broken step later.
 * Only those fields are modelled here; every other field Intercom sends (`social_profiles`, `tags`,
 * `companies`, `source`, fields a later API version adds, at any depth) is kept as it arrived, so a
 * workflow loses nothing, and the published JSON Schemas allow additional properties.
 *
 * Each Schema is checked at compile time against the generated response type of every operation it
 * is used for (`AnswerFits` in `IntercomApi.call`), so a regenerated client that drifts from it fails
 * the typecheck.
 */
import * as Schema from "effect/Schema"

const Timestamp = Schema.Finite.annotate({ description: "Unix timestamp in seconds" })
const optionalNullable = <S extends Schema.Top>(schema: S) => Schema.optionalKey(Schema.NullOr(schema))

/** Every field not modelled, kept as sent. */
const Unmodelled = [Schema.Record(Schema.String, Schema.Unknown)] as const

/**
 * An Intercom object: the modelled fields are validated, every other field passes through untouched
 * (a plain Struct would drop them).
 */
const intercomObject = <const Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.StructWithRest(Schema.Struct(fields), Unmodelled)

/** Custom attribute values as Intercom returns them (strings, numbers, booleans, dates as numbers). */
export const CustomAttributes = Schema.Record(Schema.String, Schema.Unknown).annotate({
  description: "The object's custom attributes, by name"
})

export const Contact = intercomObject({
  type: Schema.optionalKey(Schema.String),
  id: Schema.String.annotate({ description: "Intercom's id of the contact" }),
  workspace_id: Schema.optionalKey(Schema.String),
  external_id: optionalNullable(Schema.String),
  role: Schema.optionalKey(Schema.String.annotate({ description: "user or lead" })),
  email: optionalNullable(Schema.String),
  phone: optionalNullable(Schema.String),
  name: optionalNullable(Schema.String),
  owner_id: optionalNullable(Schema.Union([Schema.Finite, Schema.String])).annotate({
    description: "The admin who owns the contact (an integer up to API 2.15, a string from 2.16)"
  }),
  has_hard_bounced: Schema.optionalKey(Schema.Boolean),
  marked_email_as_spam: Schema.optionalKey(Schema.Boolean),
  unsubscribed_from_emails: Schema.optionalKey(Schema.Boolean),
  created_at: Schema.optionalKey(Timestamp),
  updated_at: Schema.optionalKey(Timestamp),
  signed_up_at: optionalNullable(Timestamp),
  last_seen_at: optionalNullable(Timestamp),
  last_replied_at: optionalNullable(Timestamp),
  last_contacted_at: optionalNullable(Timestamp),
  custom_attributes: Schema.optionalKey(CustomAttributes),
  location: Schema.optionalKey(
    intercomObject({
      country: optionalNullable(Schema.String),
      region: optionalNullable(Schema.String),
      city: optionalNullable(Schema.String)
    })
  )
}).annotate({
  title: "Contact",
  description: "An Intercom contact (a user or a lead), with every field Intercom sends"
})
export type Contact = typeof Contact.Type

export const Message = intercomObject({
  type: Schema.String,
  id: Schema.String.annotate({ description: "The id of the first message" }),
  created_at: Timestamp,
  subject: Schema.optionalKey(Schema.String),
  body: Schema.String,
  message_type: Schema.String.annotate({ description: "email, inapp, facebook or twitter" }),
  conversation_id: Schema.String.annotate({ description: "The id of the conversation the message started" })
}).annotate({
  title: "Message",
  description: "The message that started a conversation, with every field Intercom sends"
})
export type Message = typeof Message.Type

const Author = intercomObject({
  type: Schema.String,
  id: optionalNullable(Schema.String),
  name: optionalNullable(Schema.String),
  email: optionalNullable(Schema.String)
})

export const ConversationPart = intercomObject({
  type: Schema.optionalKey(Schema.String),
  id: Schema.String,
  part_type: Schema.String,
  body: optionalNullable(Schema.String),
  created_at: Timestamp,
  author: Author
})

export const Conversation = intercomObject({
  type: Schema.optionalKey(Schema.String),
  id: Schema.String,
  title: optionalNullable(Schema.String),
  created_at: Schema.optionalKey(Timestamp),
  updated_at: Schema.optionalKey(Timestamp),
  waiting_since: optionalNullable(Timestamp),
  snoozed_until: optionalNullable(Timestamp),
  open: Schema.optionalKey(Schema.Boolean),
  state: Schema.optionalKey(Schema.String.annotate({ description: "open, closed or snoozed" })),
  read: Schema.optionalKey(Schema.Boolean),
  priority: Schema.optionalKey(Schema.String),
  admin_assignee_id: optionalNullable(Schema.Finite),
  team_assignee_id: optionalNullable(Schema.Union([Schema.Finite, Schema.String])),
  custom_attributes: Schema.optionalKey(CustomAttributes),
  conversation_parts: Schema.optionalKey(
    intercomObject({
      type: Schema.optionalKey(Schema.String),
      conversation_parts: Schema.Array(ConversationPart),
      total_count: Schema.Finite
    })
  )
}).annotate({
  title: "Conversation",
  description: "An Intercom conversation, with its parts and every field Intercom sends"
})
export type Conversation = typeof Conversation.Type

export const Company = intercomObject({
  type: Schema.optionalKey(Schema.String),
  id: Schema.String.annotate({ description: "Intercom's id of the company" }),
  company_id: Schema.optionalKey(Schema.String.annotate({ description: "Your id of the company" })),
  app_id: Schema.optionalKey(Schema.String),
  name: Schema.optionalKey(Schema.String),
  plan: Schema.optionalKey(
    intercomObject({
      type: Schema.optionalKey(Schema.String),
      id: Schema.optionalKey(Schema.String),
      name: Schema.optionalKey(Schema.String)
    })
  ),
  website: Schema.optionalKey(Schema.String),
  industry: Schema.optionalKey(Schema.String),
  size: Schema.optionalKey(Schema.Finite),
  monthly_spend: Schema.optionalKey(Schema.Finite),
  session_count: Schema.optionalKey(Schema.Finite),
  user_count: Schema.optionalKey(Schema.Finite),
  remote_created_at: Schema.optionalKey(Timestamp),
  created_at: Schema.optionalKey(Timestamp),
  updated_at: Schema.optionalKey(Timestamp),
  custom_attributes: Schema.optionalKey(CustomAttributes)
}).annotate({ title: "Company", description: "An Intercom company, with every field Intercom sends" })
export type Company = typeof Company.Type

export const Tag = intercomObject({
  type: Schema.String,
  id: Schema.String,
  name: Schema.String
}).annotate({ title: "Tag", description: "A tag of the workspace, with every field Intercom sends" })
export type Tag = typeof Tag.Type
