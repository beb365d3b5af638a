/**
 * Field Schemas shared by the actions' inputs: each rejects bad values with a message that says
 * what is expected, and converts to plain JSON Schema for the bundle's manifest.
 */
import { type IntercomIdKind, intercomIdDescriptions, intercomIdShapes } from "@taskjuice/intercom-client"
import * as Schema from "effect/Schema"

/** The pattern in unicode mode: effect publishes a pattern in the JSON Schema only then (Ajv reads it so). */
const publishable = (pattern: RegExp): RegExp => new RegExp(pattern.source, "u")

/**
 * Intercom's id of an object of this kind, in the shape Intercom issues it. Ids go into request
 * paths, so anything else (`.`, `..`, a slash, whitespace …) is refused before a request is built:
 * `conversation_id: ".."` would otherwise post to `/reply`.
 */
export const IntercomId = (kind: IntercomIdKind) =>
  Schema.String.check(
    Schema.isPattern(publishable(intercomIdShapes[kind]), {
      description: `an Intercom ${kind} id`,
      message: `Expected an Intercom ${kind} id: ${intercomIdDescriptions[kind]}`
    })
  ).annotate({ description: `Intercom's id of the ${kind}` })

export const ContactId = IntercomId("contact").annotate({ examples: ["63a07ddf05a32042dffac965"] })

export const ConversationId = IntercomId("conversation").annotate({ examples: ["363"] })

export const Email = Schema.String.check(
  Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/u, {
    description: "an email address",
    message: "Expected an email address"
  })
).annotate({ description: "An email address", examples: ["ada@example.com"] })

/** One custom attribute value: Intercom stores flat values only. */
export const CustomAttributeValue = Schema.Union([
  Schema.String,
  Schema.Finite,
  Schema.Boolean,
  Schema.Null
]).annotate({
  description: "A string, number, boolean or null (nested objects and arrays are not allowed)"
})

export const CustomAttributes = Schema.Record(Schema.String, CustomAttributeValue).annotate({
  description: "Custom attributes by name; the attributes must already exist in the workspace",
  examples: [{ plan: "pro", seats: 12 }]
})

/** An admin id: Intercom's ids are integers, sent as numbers up to API 2.15 and strings from 2.16. */
export const AdminId = Schema.Union([
  Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  IntercomId("admin")
]).annotate({ description: "An admin's id", examples: ["991267596"] })

export const UnixTimestamp = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)).annotate({
  description: "Unix timestamp in seconds",
  examples: [1719492819]
})

export const AttachmentUrls = Schema.mutable(
  Schema.Array(
    Schema.String.check(
      Schema.isPattern(/^https?:\/\/\S+$/u, {
        description: "an http(s) URL",
        message: "Expected an http(s) URL"
      })
    )
  )
)
  .check(Schema.isMaxLength(10))
  .annotate({
    description: "Up to 10 URLs of files to attach",
    examples: [["https://example.com/invoice.pdf"]]
  })

export const ContactRole = Schema.Literals(["user", "lead"]).annotate({
  description: "user (identified) or lead (anonymous)"
})

/**
 * Cross-field rules, as the JSON Schema fragments a filter publishes with `toJsonSchema`: the
 * manifest then states them too, so a form can check them before a step runs.
 */

/** "These fields are given"; each is also listed in `properties`, as strict validators (Ajv) ask. */
export const requires = (...fields: ReadonlyArray<string>) => ({
  properties: Object.fromEntries(fields.map((field) => [field, true])),
  required: fields
})

export const givenAtLeastOneOf = (fields: ReadonlyArray<string>) => ({
  anyOf: fields.map((field) => requires(field))
})

export const givenExactlyOneOf = (fields: ReadonlyArray<string>) => ({
  oneOf: fields.map((field) => requires(field))
})
