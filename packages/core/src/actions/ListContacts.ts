/**
 * `intercom/list-contacts`: one page of contacts with the cursor of the next page (null on the
 * last) and the total count; `allContacts` walks every page lazily, one page in memory at a time.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { IntercomApi } from "../api/IntercomApi.ts"
import type { IntercomError } from "../api/IntercomError.ts"
import { Contact } from "../api/IntercomObjects.ts"
import type { RateLimiter } from "../api/RateLimiter.ts"
import * as RetryPolicy from "../api/RetryPolicy.ts"
import { type ActionInputInvalid, defineAction, executeAction } from "./Action.ts"

export const ListContactsInput = Schema.Struct({
  per_page: Schema.optionalKey(
    Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 150 })).annotate({
      description: "Contacts per page, 1 to 150 (Intercom's default is 10)"
    })
  ),
  starting_after: Schema.optionalKey(
    Schema.String.check(Schema.isNonEmpty()).annotate({ description: "The next_cursor of the previous page" })
  )
}).annotate({ title: "List contacts", examples: [{ per_page: 50 }] })
export type ListContactsInput = typeof ListContactsInput.Type

export const ContactsPage = Schema.Struct({
  contacts: Schema.Array(Contact),
  next_cursor: Schema.NullOr(Schema.String).annotate({
    description: "Pass as starting_after to get the next page; null on the last page"
  }),
  total_count: Schema.Finite.annotate({ description: "How many contacts the workspace has" })
}).annotate({ title: "Contacts page", description: "One page of contacts" })
export type ContactsPage = typeof ContactsPage.Type

/** Intercom's `contact_list` answer, as far as the page needs it. */
const ContactListAnswer = Schema.Struct({
  data: Schema.Array(Contact),
  total_count: Schema.Finite,
  pages: Schema.optionalKey(
    Schema.NullOr(
      Schema.Struct({
        next: Schema.optionalKey(
          Schema.NullOr(Schema.Struct({ starting_after: Schema.optionalKey(Schema.NullOr(Schema.String)) }))
        )
      })
    )
  )
}).annotate({ title: "Contact list answer" })

export const ListContacts = defineAction({
  key: "intercom/list-contacts",
  title: "List contacts",
  description: "Lists one page of contacts, with the cursor of the next page.",
  input: ListContactsInput,
  output: ContactsPage,
  idempotent: true,
  retry: RetryPolicy.transient,
  operations: ["ListContacts"],
  run: (input) =>
    IntercomApi.use((api) =>
      Effect.map(
        api.call(
          { operation: "ListContacts", idempotent: true, answer: ContactListAnswer },
          (client, signal) => client.GET("/contacts", { params: { query: input }, signal })
        ),
        (answer) => ({
          contacts: answer.data,
          next_cursor: answer.pages?.next?.starting_after ?? null,
          total_count: answer.total_count
        })
      )
    )
})

/**
 * Every contact, page after page, fetched only as the stream is consumed (one page in memory).
 * Each page is an `executeAction` of list-contacts, with its retry policy.
 */
export const allContacts = (
  options: { readonly per_page?: number } = {}
): Stream.Stream<Contact, ActionInputInvalid | IntercomError, IntercomApi | RateLimiter> =>
  Stream.paginate<string | undefined, Contact, ActionInputInvalid | IntercomError, IntercomApi | RateLimiter>(
    undefined,
    (cursor) =>
      Effect.map(
        executeAction(ListContacts, cursor === undefined ? options : { ...options, starting_after: cursor }),
        (page) =>
          [
            page.contacts,
            // A cursor that does not move would loop forever: treat it as the end.
            page.next_cursor === null || page.next_cursor === cursor
              ? Option.none()
              : Option.some(page.next_cursor)
          ] as const
      )
  )
