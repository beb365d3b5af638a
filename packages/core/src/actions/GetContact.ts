/**
 * `intercom/get-contact`: one contact by its Intercom id.
 */
import * as Schema from "effect/Schema"
import { objectPath } from "../api/ApiVersion.ts"
import { Contact } from "../api/IntercomObjects.ts"
import { defineCallAction } from "./Action.ts"
import { ContactId } from "./InputFields.ts"

export const GetContactInput = Schema.Struct({
  contact_id: ContactId
}).annotate({ title: "Get contact", examples: [{ contact_id: "63a07ddf05a32042dffac965" }] })
export type GetContactInput = typeof GetContactInput.Type

export const GetContact = defineCallAction({
  key: "intercom/get-contact",
  title: "Get contact",
  description: "Fetches one contact by its Intercom id.",
  input: GetContactInput,
  output: Contact,
  idempotent: true,
  operation: "ShowContact",
  send: (input, client, signal) => {
    const path = objectPath("ShowContact", input.contact_id)
    return client.GET(path.url, { params: { path: path.parameters }, signal })
  }
})
