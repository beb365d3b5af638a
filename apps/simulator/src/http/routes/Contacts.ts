/**
 * Contacts: create, find, update, list and search them, and the tags and companies attached to each.
 */
import * as Effect from "effect/Effect"
import { contactSearch } from "../../domain/ContactSearch.ts"
import type { ContactInput } from "../../domain/ContactStore.ts"
import { missingField } from "../../domain/DomainError.ts"
import type { ContactRecord } from "../../domain/Records.ts"
import type { WorkspaceStore } from "../../domain/WorkspaceStore.ts"
import { AnswerCache } from "../AnswerCache.ts"
import type { ApiCall, ApiHandler } from "../ApiPipeline.ts"
import { companyView, contactListView, contactView, tagListView, tagView } from "../Views.ts"
import { listOf, searchOf } from "./Lists.ts"
import { param } from "./Request.ts"

const defaultPerPage = 50

const idOf = (call: ApiCall): string | undefined => {
  const id = (call.body as { readonly id?: unknown } | undefined)?.id
  return typeof id === "string" ? id : typeof id === "number" ? String(id) : undefined
}

export const contactHandlers = (
  store: WorkspaceStore,
  /** The contacts' answers to `GET /contacts/{id}`, kept until they change. */
  shown = new AnswerCache<ContactRecord>()
): Record<string, ApiHandler> => ({
  CreateContact: {
    handle: (call) => {
      // Intercom's rule, checked here too: a patched description may drop the anyOf that states it.
      const input = call.body as ContactInput
      if (input.email === undefined && input.external_id === undefined && input.role === undefined) {
        return Effect.fail(missingField("email", "one of email, external_id, role is required"))
      }
      return Effect.map(store.contacts.create(input), (contact) => ({
        body: contactView(store, call.spec!.profile, contact)
      }))
    }
  },
  ShowContact: {
    handle: (call) =>
      // Eager: a contact at hand is answered in the request's first step (ApiPipeline's `handle`).
      Effect.mapEager(store.contacts.get(param(call, "contact_id")), (contact) => {
        const spec = call.spec!
        return {
          text: shown.text(contact, store.contacts.revision(contact), spec.version, () =>
            JSON.stringify(spec.shape.answer("ShowContact", contactView(store, spec.profile, contact)))
          )
        }
      })
  },
  UpdateContact: {
    handle: (call) =>
      Effect.map(store.contacts.update(param(call, "contact_id"), call.body as ContactInput), (contact) => ({
        body: contactView(store, call.spec!.profile, contact)
      }))
  },
  ListContacts: listOf(store.contacts, defaultPerPage, (call, page) =>
    contactListView(store, call.spec!.profile, page)
  ),
  SearchContacts: searchOf(
    contactSearch,
    store.contacts,
    () => store.workspace.timezone,
    (call, page) => contactListView(store, call.spec!.profile, page)
  ),
  listTagsForAContact: {
    handle: (call) =>
      Effect.map(store.contacts.get(param(call, "contact_id")), (contact) => ({
        body: tagListView(
          contact.tags.flatMap((applied) => {
            const tag = store.tags.find(applied.id)
            return tag === undefined ? [] : [tagView(tag, applied)]
          })
        )
      }))
  },
  attachTagToContact: {
    handle: (call) =>
      Effect.gen(function* () {
        const contact = yield* store.contacts.get(param(call, "contact_id"))
        const tagId = idOf(call)
        if (tagId === undefined) return yield* missingField("id")
        const tag = yield* store.tags.get(tagId)
        const applied = store.contacts.attachTag(contact, tag, store.defaultAdmin.id)
        return { body: tagView(tag, applied) }
      })
  },
  detachTagFromContact: {
    handle: (call) =>
      Effect.gen(function* () {
        const contact = yield* store.contacts.get(param(call, "contact_id"))
        const tag = yield* store.tags.get(param(call, "tag_id"))
        const removed = yield* store.contacts.detachTag(contact, tag)
        return { body: tagView(tag, removed) }
      })
  },
  listCompaniesForAContact: {
    handle: (call) =>
      Effect.map(store.contacts.get(param(call, "contact_id")), (contact) => {
        const companies = contact.company_ids.flatMap((id) => {
          const company = store.companies.find(id)
          return company === undefined ? [] : [companyView(store, company)]
        })
        return {
          body: {
            type: "list",
            // Intercom's examples name the list `data`; its schema (2.11 requires it) says `companies`.
            data: companies,
            companies,
            pages: {
              type: "pages",
              next: null,
              page: 1,
              per_page: defaultPerPage,
              total_pages: Math.ceil(companies.length / defaultPerPage)
            },
            total_count: companies.length
          }
        }
      })
  },
  attachContactToACompany: {
    handle: (call) =>
      Effect.gen(function* () {
        const contact = yield* store.contacts.get(param(call, "contact_id"))
        const companyId = idOf(call)
        if (companyId === undefined) return yield* missingField("id", "company not specified")
        const company = yield* store.companies.get(companyId)
        store.contacts.attachCompany(contact, company)
        store.companies.recordRequest(company)
        return { body: companyView(store, company) }
      })
  },
  detachContactFromACompany: {
    handle: (call) =>
      Effect.gen(function* () {
        const contact = yield* store.contacts.get(param(call, "contact_id"))
        const company = yield* store.companies.get(param(call, "company_id"))
        yield* store.contacts.detachCompany(contact, company)
        return { body: companyView(store, company) }
      })
  }
})
