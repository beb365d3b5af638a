/**
 * The Intercom REST operations the integration uses, at Intercom's paths, over the `Store`.
 * Handlers receive a request already authenticated, rate-limited and checked against the spec
 * (except where noted), and answer with the body Intercom would send.
 */
import type { components } from "@taskjuice/intercom-client"
import type { VersionProfile } from "./ApiVersion.ts"
import { parseContactSearch } from "./ContactSearch.ts"
import { apiError, type IntercomApiError, notFound } from "./IntercomError.ts"
import { Router } from "./Router.ts"
import type { SpecSchemas } from "./SpecSchemas.ts"
import type { ContactRecord, Store } from "./Store.ts"
import {
  adminWithAppView,
  companyView,
  contactListView,
  contactView,
  conversationView,
  messageView,
  tagListView
} from "./Views.ts"

type Schemas = components["schemas"]

export interface ApiRequest {
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  /** The parsed JSON body (`undefined` for GET). */
  readonly body: unknown
  readonly profile: VersionProfile
}

export interface ApiRoute {
  readonly operationId: string
  /** False when the handler checks the body itself (a `oneOf` it resolves by `type`). */
  readonly validatesBody: boolean
  readonly handle: (request: ApiRequest) => { readonly status: number; readonly body: unknown }
}

const defaultPerPage = 50
const maxPerPage = 150

const fromProblem = (problem: { code: string; field: string; message: string }): IntercomApiError =>
  apiError(400, problem.code, problem.message, problem.field)

const integerQuery = (query: URLSearchParams, name: string): number | undefined => {
  const value = query.get(name)
  if (value === null) return undefined
  if (!/^\d+$/.test(value)) throw apiError(400, "parameter_invalid", `${name} must be an integer`, name)
  return Number(value)
}

const ok = (body: unknown) => ({ status: 200, body })

export const intercomRoutes = (store: Store, schemas: SpecSchemas): Router<ApiRoute> => {
  const route = (operationId: string, handle: ApiRoute["handle"], validatesBody = true): ApiRoute => ({
    operationId,
    validatesBody,
    handle
  })

  const findContactByEmail = (email: string): ContactRecord | undefined => {
    const user = store.findUserByEmail(email)
    if (user !== undefined) return user
    const wanted = email.toLowerCase()
    for (const contact of store.contacts.values()) if (contact.email?.toLowerCase() === wanted) return contact
    return undefined
  }

  /** `reply_conversation_request` is a `oneOf` without a discriminator: pick the branch by `type`. */
  const reply = ({ params, body, profile }: ApiRequest) => {
    const request = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>
    const id = params.conversation_id ?? ""
    if (request.type === "admin") {
      const problem = schemas.validateComponent("admin_reply_conversation_request", request)
      if (problem !== undefined) throw fromProblem(problem)
      const admin = request as Schemas["admin_reply_conversation_request"]
      if (admin.body === undefined || admin.body === "") {
        throw apiError(400, "parameter_not_found", "body is required for comment and note", "body")
      }
      const author = store.getAdmin(String(admin.admin_id))
      const conversation = store.getConversation(id)
      store.replyAsAdmin(
        conversation,
        author,
        admin.message_type === "note" ? "note" : "comment",
        admin.body,
        admin.created_at
      )
      return ok(conversationView(store, profile, conversation))
    }
    if (request.type === "user") {
      const variant =
        "intercom_user_id" in request
          ? "contact_reply_intercom_user_id_request"
          : "email" in request
            ? "contact_reply_email_request"
            : "user_id" in request
              ? "contact_reply_user_id_request"
              : undefined
      if (variant === undefined) {
        throw apiError(
          400,
          "parameter_not_found",
          "one of intercom_user_id, email, user_id is required",
          "intercom_user_id"
        )
      }
      const problem = schemas.validateComponent(variant, request)
      if (problem !== undefined) throw fromProblem(problem)
      const contact =
        typeof request.intercom_user_id === "string"
          ? store.contacts.get(request.intercom_user_id)
          : typeof request.email === "string"
            ? findContactByEmail(request.email)
            : store.findContactByExternalId(String(request.user_id))
      if (contact === undefined) throw notFound("User Not Found")
      const conversation = id === "last" ? store.lastConversationOf(contact.id) : store.getConversation(id)
      const created = typeof request.created_at === "number" ? request.created_at : undefined
      store.replyAsContact(conversation, contact, String(request.body), created)
      return ok(conversationView(store, profile, conversation))
    }
    throw apiError(400, "parameter_invalid", "type must be one of admin, user", "type")
  }

  return new Router<ApiRoute>()
    .add(
      "GET",
      "/me",
      route("identifyAdmin", () => ok(adminWithAppView(store, store.defaultAdmin)))
    )
    .add(
      "GET",
      "/contacts",
      route("ListContacts", ({ query, profile }) => {
        const perPage = integerQuery(query, "per_page") ?? defaultPerPage
        if (perPage < 1 || perPage > maxPerPage) {
          throw apiError(400, "parameter_invalid", `per_page must be between 1 and ${maxPerPage}`, "per_page")
        }
        const page = integerQuery(query, "page")
        if (page !== undefined && page < 1)
          throw apiError(400, "parameter_invalid", "page must be 1 or more", "page")
        const startingAfter = query.get("starting_after") ?? undefined
        const result = store.listContacts({
          perPage,
          ...(page === undefined ? {} : { page }),
          ...(startingAfter === undefined ? {} : { startingAfter })
        })
        return ok(contactListView(store, profile, result))
      })
    )
    .add(
      "POST",
      "/contacts",
      route("CreateContact", ({ body, profile }) => {
        // Intercom's rule, checked here too: a patched spec may drop the anyOf that states it.
        const request = body as Record<string, unknown>
        if (!["email", "external_id", "role"].some((key) => request[key] !== undefined)) {
          throw apiError(400, "parameter_not_found", "one of email, external_id, role is required", "email")
        }
        const contact = store.createContact(body as Schemas["update_contact_request"])
        return ok(contactView(store, profile, contact))
      })
    )
    .add(
      "POST",
      "/contacts/search",
      route(
        "SearchContacts",
        ({ body, profile }) => {
          const search = parseContactSearch(body, schemas, store.workspace.timezone)
          const page = store.searchContacts(search.matches, {
            perPage: search.perPage,
            cursorField: "pagination.starting_after",
            ...(search.startingAfter === undefined ? {} : { startingAfter: search.startingAfter })
          })
          return ok(contactListView(store, profile, page))
        },
        // Checked node by node against the spec's schemas, so a problem names its full path.
        false
      )
    )
    .add(
      "GET",
      "/contacts/{contact_id}",
      route("ShowContact", ({ params, profile }) =>
        ok(contactView(store, profile, store.getContact(params.contact_id ?? "")))
      )
    )
    .add(
      "PUT",
      "/contacts/{contact_id}",
      route("UpdateContact", ({ params, body, profile }) => {
        const contact = store.updateContact(
          params.contact_id ?? "",
          body as Schemas["update_contact_request"]
        )
        return ok(contactView(store, profile, contact))
      })
    )
    .add(
      "POST",
      "/conversations",
      route("createConversation", ({ body }) => {
        const request = body as Schemas["create_conversation_request"]
        const contact = store.contacts.get(request.from.id)
        // `from.type` user or lead must name a contact of that role; `contact` accepts either.
        if (
          contact === undefined ||
          (request.from.type !== "contact" && request.from.type !== contact.role)
        ) {
          throw notFound("User Not Found")
        }
        const conversation = store.startContactConversation({
          contact,
          body: request.body,
          ...(request.subject === undefined ? {} : { subject: request.subject }),
          ...(request.created_at === undefined ? {} : { createdAt: request.created_at })
        })
        return ok(messageView(conversation))
      })
    )
    .add(
      "GET",
      "/conversations/{conversation_id}",
      route("retrieveConversation", ({ params, profile }) =>
        ok(conversationView(store, profile, store.getConversation(params.conversation_id ?? "")))
      )
    )
    .add("POST", "/conversations/{conversation_id}/reply", route("replyConversation", reply, false))
    .add(
      "POST",
      "/companies",
      route("createOrUpdateCompany", ({ body }) => {
        const { company } = store.upsertCompany(
          body as NonNullable<Schemas["create_or_update_company_request"]>
        )
        return ok(companyView(store, company))
      })
    )
    .add(
      "GET",
      "/tags",
      route("listTags", () => ok(tagListView(store.tags.values())))
    )
}
