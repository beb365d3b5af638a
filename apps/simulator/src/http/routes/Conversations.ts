/**
 * Conversations: start one as a contact, find it with its parts, list and search them, and reply as
 * the contact or as an admin.
 */
import * as Effect from "effect/Effect"
import { isObject } from "effect/Predicate"
import { conversationSearch } from "../../domain/ConversationSearch.ts"
import { fromSchemaProblem, invalidField, missingField, notFound } from "../../domain/DomainError.ts"
import type { ContactRecord } from "../../domain/Records.ts"
import type { WorkspaceStore } from "../../domain/WorkspaceStore.ts"
import type { ApiCall, ApiHandler } from "../ApiPipeline.ts"
import { conversationListView, conversationView, messageView } from "../Views.ts"
import { listOf, searchOf } from "./Lists.ts"
import { param, schemaValidator } from "./Request.ts"

interface CreateConversationRequest {
  readonly from: { readonly type: string; readonly id: string }
  readonly body: string
  readonly subject?: string
  readonly created_at?: number
}

/** Which contact a reply of `type: "user"` names, and the variant of the request it is. */
const contactVariant = (request: Record<string, unknown>) =>
  "intercom_user_id" in request
    ? "contact_reply_intercom_user_id_request"
    : "email" in request
      ? "contact_reply_email_request"
      : "user_id" in request
        ? "contact_reply_user_id_request"
        : undefined

export const conversationHandlers = (store: WorkspaceStore): Record<string, ApiHandler> => {
  const viewOf = (call: ApiCall) => (conversation: Parameters<typeof conversationView>[2]) => ({
    body: conversationView(store, call.spec!.profile, conversation)
  })

  const contactNamed = (request: Record<string, unknown>): ContactRecord | undefined =>
    typeof request.intercom_user_id === "string"
      ? store.contacts.find(request.intercom_user_id)
      : typeof request.email === "string"
        ? store.contacts.findByEmail(request.email)
        : store.contacts.findByExternalId(String(request.user_id))

  /** `reply_conversation_request` is a `oneOf` without a discriminator: pick the branch by `type`. */
  const reply = (call: ApiCall) =>
    Effect.gen(function* () {
      const request = isObject(call.body) ? call.body : {}
      const id = param(call, "conversation_id")
      const validate = schemaValidator(call)
      if (request.type === "admin") {
        const problem = validate("admin_reply_conversation_request", request, "")
        if (problem !== undefined) return yield* fromSchemaProblem(problem)
        const body = request.body
        if (typeof body !== "string" || body === "") {
          return yield* missingField("body", "body is required for comment and note")
        }
        const admin = yield* store.admins.get(String(request.admin_id))
        const conversation = yield* store.conversations.get(id)
        const createdAt = typeof request.created_at === "number" ? request.created_at : undefined
        store.conversations.replyAsAdmin(
          conversation,
          admin,
          request.message_type === "note" ? "note" : "comment",
          body,
          createdAt
        )
        return viewOf(call)(conversation)
      }
      if (request.type === "user") {
        const variant = contactVariant(request)
        if (variant === undefined) {
          return yield* missingField(
            "intercom_user_id",
            "one of intercom_user_id, email, user_id is required"
          )
        }
        const problem = validate(variant, request, "")
        if (problem !== undefined) return yield* fromSchemaProblem(problem)
        const contact = contactNamed(request)
        if (contact === undefined)
          return yield* notFound(
            "contact",
            String(request.intercom_user_id ?? request.email ?? request.user_id)
          )
        const conversation =
          id === "last" ? yield* store.conversations.lastOf(contact) : yield* store.conversations.get(id)
        const createdAt = typeof request.created_at === "number" ? request.created_at : undefined
        yield* store.conversations.replyAsContact(conversation, contact, String(request.body), createdAt)
        return viewOf(call)(conversation)
      }
      return yield* invalidField("type", "type must be one of admin, user")
    })

  return {
    createConversation: {
      handle: (call) =>
        Effect.gen(function* () {
          const request = call.body as CreateConversationRequest
          const contact = store.contacts.find(request.from.id)
          // `from.type` user or lead must name a contact of that role; `contact` accepts either.
          if (
            contact === undefined ||
            (request.from.type !== "contact" && request.from.type !== contact.role)
          ) {
            return yield* notFound("contact", request.from.id)
          }
          const conversation = store.conversations.startByContact({
            contact,
            body: request.body,
            subject: request.subject,
            createdAt: request.created_at
          })
          return { body: messageView(conversation) }
        })
    },
    retrieveConversation: {
      handle: (call) => Effect.map(store.conversations.get(param(call, "conversation_id")), viewOf(call))
    },
    listConversations: listOf(store.conversations, conversationSearch.defaultPerPage, (call, page) =>
      conversationListView(store, call.spec!.profile, page)
    ),
    searchConversations: searchOf(
      conversationSearch,
      store.conversations,
      () => store.workspace.timezone,
      (call, page) => conversationListView(store, call.spec!.profile, page)
    ),
    replyConversation: { validatesBody: false, handle: reply }
  }
}
