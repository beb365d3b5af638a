/**
 * The list and search operations share their steps: the page asked for (`per_page` 1 to 150, `page`,
 * `starting_after`), or the search body read by the resource's fields and checked against the
 * request's version, then the store's page, as the resource's view shows it.
 */
import * as Effect from "effect/Effect"
import type { Page } from "../../domain/CreationOrder.ts"
import { invalidField } from "../../domain/DomainError.ts"
import type { RecordStore } from "../../domain/RecordStore.ts"
import { parseSearch, type SearchFields } from "../../domain/SearchQuery.ts"
import type { ApiCall, ApiHandler } from "../ApiPipeline.ts"
import { integerQuery, schemaValidator } from "./Request.ts"

const maxPerPage = 150

/** The page a list request asks for, within Intercom's bounds. */
export const pageRequest = (call: ApiCall, defaults: { readonly perPage: number }) =>
  Effect.suspend(() => {
    const perPage = integerQuery(call, "per_page") ?? defaults.perPage
    if (perPage instanceof Error) return Effect.fail(perPage)
    if (perPage < 1 || perPage > maxPerPage) {
      return Effect.fail(invalidField("per_page", `per_page must be between 1 and ${maxPerPage}`))
    }
    const page = integerQuery(call, "page")
    if (page instanceof Error) return Effect.fail(page)
    if (page !== undefined && page < 1) return Effect.fail(invalidField("page", "page must be 1 or more"))
    return Effect.succeed({
      perPage,
      page,
      startingAfter: call.query.get("starting_after") ?? undefined,
      cursorField: "starting_after"
    })
  })

type ListView<R> = (call: ApiCall, page: Page<R>) => unknown

/** A list operation over a store. */
export const listOf = <R extends { readonly id: string }>(
  records: RecordStore<R>,
  defaultPerPage: number,
  view: ListView<R>
): ApiHandler => ({
  handle: (call) =>
    pageRequest(call, { perPage: defaultPerPage }).pipe(
      Effect.flatMap((request) => records.list(request)),
      Effect.map((page) => ({ body: view(call, page) }))
    )
})

/** A search operation over a store, in Intercom's query language. */
export const searchOf = <R extends { readonly id: string }>(
  fields: SearchFields<R>,
  records: RecordStore<R>,
  timeZone: () => string,
  view: ListView<R>
): ApiHandler => ({
  // Checked node by node against the version's schemas, so a problem names its full path.
  validatesBody: false,
  handle: (call) =>
    parseSearch(fields, call.body, { validate: schemaValidator(call), timeZone: timeZone() }).pipe(
      Effect.flatMap((search) =>
        records.search(search.matches, {
          perPage: search.perPage,
          startingAfter: search.startingAfter,
          cursorField: "pagination.starting_after"
        })
      ),
      Effect.map((page) => ({ body: view(call, page) }))
    )
})
