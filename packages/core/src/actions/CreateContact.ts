/**
 * `intercom/create-contact`. Never creates a duplicate: with an email or external_id, a retry first
 * looks the contact up, and a 409 conflict resolves to the existing contact, which the output says
 * was found rather than created. Without either there is nothing to deduplicate on, so the call is
 * treated as not idempotent.
 */
import type { components } from "@taskjuice/intercom-client"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { objectPath, withWireOwnerId } from "../api/ApiVersion.ts"
import { IntercomApi, type IntercomApiShape } from "../api/IntercomApi.ts"
import type { IntercomError } from "../api/IntercomError.ts"
import { Contact } from "../api/IntercomObjects.ts"
import type { RateLimiter } from "../api/RateLimiter.ts"
import * as RetryPolicy from "../api/RetryPolicy.ts"
import { defineAction } from "./Action.ts"
import {
  AdminId,
  ContactRole,
  CustomAttributes,
  Email,
  givenAtLeastOneOf,
  UnixTimestamp
} from "./InputFields.ts"

export const CreateContactInput = Schema.Struct({
  role: Schema.optionalKey(ContactRole),
  external_id: Schema.optionalKey(
    Schema.String.check(Schema.isNonEmpty()).annotate({
      description: "Your id of the user; unique per workspace"
    })
  ),
  email: Schema.optionalKey(Email),
  phone: Schema.optionalKey(Schema.NullOr(Schema.String)),
  name: Schema.optionalKey(Schema.NullOr(Schema.String)),
  avatar: Schema.optionalKey(
    Schema.NullOr(Schema.String).annotate({ description: "URL of an avatar image" })
  ),
  signed_up_at: Schema.optionalKey(Schema.NullOr(UnixTimestamp)),
  owner_id: Schema.optionalKey(Schema.NullOr(AdminId)),
  unsubscribed_from_emails: Schema.optionalKey(Schema.NullOr(Schema.Boolean)),
  custom_attributes: Schema.optionalKey(CustomAttributes)
})
  .annotate({
    title: "Create contact",
    description: "A new user or lead",
    examples: [
      { role: "user", email: "ada@example.com", name: "Ada Lovelace", custom_attributes: { plan: "pro" } }
    ]
  })
  .check(
    Schema.makeFilter(
      (input) =>
        input.role !== undefined || input.email !== undefined || input.external_id !== undefined
          ? undefined
          : { path: ["email"], issue: "Give at least one of email, external_id or role" },
      {
        description: "at least one of email, external_id or role",
        toJsonSchema: () => givenAtLeastOneOf(["email", "external_id", "role"])
      }
    )
  )
export type CreateContactInput = typeof CreateContactInput.Type

/** Whether the step made the contact, or returns the one that already had its email or external_id. */
export const ContactOutcome = Schema.Literals(["created", "found"]).annotate({
  description:
    "created: this step created the contact; found: a contact with the same email or external_id already existed (or an earlier try of this step created it) and is returned as it is, without this step's fields"
})

/** The contact, and whether it was created or found. */
export const CreateContactOutput = Schema.StructWithRest(
  Schema.Struct({ outcome: ContactOutcome, ...Contact.schema.fields }),
  Contact.records
).annotate({
  title: "Created or found contact",
  description: "The contact, with every field Intercom sends, and whether this step created it"
})
export type CreateContactOutput = typeof CreateContactOutput.Type

const created = (contact: Contact): CreateContactOutput => ({ ...contact, outcome: "created" })
const found = (contact: Contact): CreateContactOutput => ({ ...contact, outcome: "found" })

type NaturalKey = { readonly field: "external_id" | "email"; readonly value: string }

const naturalKeyOf = (input: CreateContactInput): NaturalKey | undefined =>
  input.external_id !== undefined
    ? { field: "external_id", value: input.external_id }
    : input.email !== undefined
      ? { field: "email", value: input.email }
      : undefined

/** What the search answer must at least hold; anything else is a Decode failure, not a crash. */
const SearchResult = Schema.Struct({ data: Schema.Array(Contact) }).annotate({
  title: "Contact search result"
})

/** Finds the contact with this external_id (or email) through search; `undefined` when none. */
export const findContact = (
  api: IntercomApiShape,
  key: NaturalKey
): Effect.Effect<Contact | undefined, IntercomError, RateLimiter> =>
  Effect.map(
    api.call({ operation: "SearchContacts", idempotent: true, answer: SearchResult }, (client, signal) =>
      client.POST("/contacts/search", {
        body: { query: { field: key.field, operator: "=", value: key.value }, pagination: { per_page: 2 } },
        signal
      })
    ),
    (list) => list.data[0]
  )

const showContact = (api: IntercomApiShape, contactId: string) =>
  api.call({ operation: "ShowContact", idempotent: true, answer: Contact }, (client, signal) => {
    const path = objectPath("ShowContact", contactId)
    return client.GET(path.url, { params: { path: path.parameters }, signal })
  })

const createContact = (api: IntercomApiShape, input: CreateContactInput, idempotent: boolean) =>
  api.call({ operation: "CreateContact", idempotent, answer: Contact }, (client, signal) =>
    client.POST("/contacts", { body: requestBody(input), signal })
  )

/** Intercom names the existing contact in a 409: "A contact matching those details already exists with id=…". */
const existingIdIn = (message: string | undefined): string | undefined =>
  /\bid=([A-Za-z0-9]+)/.exec(message ?? "")?.[1]

/** The contact a 409 was about: the id Intercom names, or else a lookup by the natural key. */
const existingOnConflict = (api: IntercomApiShape, conflict: IntercomError, key: NaturalKey) =>
  Effect.gen(function* () {
    const id = conflict.reason._tag === "Conflict" ? existingIdIn(conflict.reason.message) : undefined
    const found = id !== undefined ? yield* showContact(api, id) : yield* findContact(api, key)
    return found ?? (yield* Effect.fail(conflict))
  })

/** The contact as Intercom's request body, typed by the generated client. */
const requestBody = (input: CreateContactInput): components["schemas"]["create_contact_request"] =>
  withWireOwnerId(input)

export const CreateContact = defineAction({
  key: "intercom/create-contact",
  title: "Create contact",
  description:
    'Creates a user or lead. Never a duplicate: when a contact with the same email or external_id already exists, that contact is returned as it is, with outcome "found" instead of "created", rather than a CONFLICT error; the step\'s other fields are not applied to it (use update-contact).',
  input: CreateContactInput,
  output: CreateContactOutput,
  idempotent: true,
  retry: RetryPolicy.transient,
  operations: ["CreateContact", "SearchContacts", "ShowContact"],
  run: (input, { attempt }) =>
    IntercomApi.use((api) => {
      const key = naturalKeyOf(input)
      if (key === undefined) return Effect.map(createContact(api, input, false), created)
      const create: Effect.Effect<CreateContactOutput, IntercomError, RateLimiter> = Effect.catchIf(
        Effect.map(createContact(api, input, true), created),
        (error: IntercomError) => error.reason._tag === "Conflict",
        (conflict: IntercomError) => Effect.map(existingOnConflict(api, conflict, key), found)
      )
      // A retry may follow a request that did create the contact: look before creating again.
      return attempt === 0
        ? create
        : Effect.flatMap(findContact(api, key), (existing) =>
            existing === undefined ? create : Effect.succeed(found(existing))
          )
    })
})
