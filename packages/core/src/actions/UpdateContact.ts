/**
 * `intercom/update-contact`: sends only the fields given. A field left out stays untouched; an
 * explicit null clears it where Intercom allows null.
 */
import type { components } from "@taskjuice/intercom-client"
import * as Schema from "effect/Schema"
import { objectPath, withWireOwnerId } from "../api/ApiVersion.ts"
import { Contact } from "../api/IntercomObjects.ts"
import { defineCallAction } from "./Action.ts"
import {
  AdminId,
  ContactId,
  ContactRole,
  CustomAttributes,
  Email,
  givenAtLeastOneOf,
  UnixTimestamp
} from "./InputFields.ts"

const fields = {
  role: Schema.optionalKey(ContactRole),
  external_id: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty())),
  email: Schema.optionalKey(Email),
  phone: Schema.optionalKey(Schema.NullOr(Schema.String)),
  name: Schema.optionalKey(Schema.NullOr(Schema.String)),
  avatar: Schema.optionalKey(Schema.NullOr(Schema.String)),
  signed_up_at: Schema.optionalKey(Schema.NullOr(UnixTimestamp)),
  last_seen_at: Schema.optionalKey(Schema.NullOr(UnixTimestamp)),
  owner_id: Schema.optionalKey(Schema.NullOr(AdminId)),
  unsubscribed_from_emails: Schema.optionalKey(Schema.NullOr(Schema.Boolean)),
  custom_attributes: Schema.optionalKey(Schema.NullOr(CustomAttributes))
}

export const UpdateContactInput = Schema.Struct({
  contact_id: ContactId.annotate({ description: "Intercom's id of the contact to update" }),
  ...fields
})
  .annotate({
    title: "Update contact",
    description: "Only the fields given are sent; null clears a field",
    examples: [{ contact_id: "63a07ddf05a32042dffac965", name: "Ada King", phone: null }]
  })
  .check(
    Schema.makeFilter(
      (input) =>
        Object.keys(input).some((key) => key !== "contact_id")
          ? undefined
          : "Give at least one field to change (null clears a field)",
      {
        description: "at least one field to change",
        toJsonSchema: () => givenAtLeastOneOf(Object.keys(fields))
      }
    )
  )
export type UpdateContactInput = typeof UpdateContactInput.Type

type UpdateBody = components["schemas"]["update_contact_request"]

/** The changes as Intercom's request body, typed by the generated client. */
const requestBody = (input: UpdateContactInput): UpdateBody => {
  const { contact_id: _, ...changes } = input
  return withWireOwnerId(changes)
}

export const UpdateContact = defineCallAction({
  key: "intercom/update-contact",
  title: "Update contact",
  description:
    "Changes the given fields of a contact; fields left out stay as they are, null clears a field.",
  input: UpdateContactInput,
  output: Contact,
  idempotent: true,
  operation: "UpdateContact",
  send: (input, client, signal) => {
    const path = objectPath("UpdateContact", input.contact_id)
    return client.PUT(path.url, { params: { path: path.parameters }, body: requestBody(input), signal })
  }
})
