/**
 * `intercom/get-contact`: one contact by its Intercom id.
 */
import * as Schema from "effect/Schema"
import { IntercomApi } from "../api/IntercomApi.ts"
import { Contact } from "../api/IntercomObjects.ts"
import * as RetryPolicy from "../api/RetryPolicy.ts"
import { defineAction } from "./Action.ts"
import { IntercomId } from "./InputFields.ts"

export const GetContactInput = Schema.Struct({
  contact_id: IntercomId.annotate({ description: "Intercom's id of the contact" })
}).annotate({ title: "Get contact", examples: [{ contact_id: "63a07ddf05a32042dffac965" }] })
export type GetContactInput = typeof GetContactInput.Type

export const GetContact = defineAction({
  key: "intercom/get-contact",
  title: "Get contact",
  description: "Fetches one contact by its Intercom id.",
  input: GetContactInput,
  output: Contact,
  idempotent: true,
  retry: RetryPolicy.transient,
  operations: ["ShowContact"],
  run: (input) =>
    IntercomApi.use((api) =>
      api.call({ operation: "ShowContact", idempotent: true, answer: Contact }, (client, signal) =>
        client.GET("/contacts/{contact_id}", { params: { path: { contact_id: input.contact_id } }, signal })
      )
    )
})
