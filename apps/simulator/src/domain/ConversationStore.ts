/**
 * Conversations and their parts, with Intercom's rules: who speaks first decides how a conversation
 * starts; a contact's reply reopens it and makes it wait for an admin; an admin's comment answers the
 * contact and a note changes nothing for them. Pages and searches in creation order.
 */
import * as Effect from "effect/Effect"
import type { ContactStore } from "./ContactStore.ts"
import { NotAllowed, type NotFound, notFound } from "./DomainError.ts"
import { RecordStore } from "./RecordStore.ts"
import type { AdminRecord, ContactRecord, ConversationRecord, PartAuthor, PartRecord } from "./Records.ts"
import type { Workspace } from "./Workspace.ts"

export class ConversationStore extends RecordStore<ConversationRecord> {
  private readonly workspace: Workspace
  private readonly contacts: ContactStore
  private partCount = 0

  constructor(workspace: Workspace, contacts: ContactStore) {
    super("conversation")
    this.workspace = workspace
    this.contacts = contacts
    const stored = [...(workspace.persistence.load("conversation") as ReadonlyArray<ConversationRecord>)]
    stored.sort((a, b) => a.created_at - b.created_at || Number(a.id) - Number(b.id))
    for (const conversation of stored) {
      this.put(conversation)
      this.partCount += conversation.parts.length
    }
  }

  /** Every part of every conversation (the dashboard's count). */
  get parts(): number {
    return this.partCount
  }

  /** The contact's most recent conversation (replies to `/conversations/last/reply`). */
  lastOf(contact: ContactRecord): Effect.Effect<ConversationRecord, NotFound> {
    let latest: ConversationRecord | undefined
    for (const conversation of this.byId.values()) {
      if (
        conversation.contact_ids.includes(contact.id) &&
        (latest === undefined || conversation.created_at >= latest.created_at)
      ) {
        latest = conversation
      }
    }
    return latest === undefined ? Effect.fail(notFound("conversation", "last")) : Effect.succeed(latest)
  }

  /** A conversation a contact starts (`POST /conversations`). */
  startByContact(input: {
    readonly contact: ContactRecord
    readonly body: string
    readonly subject?: string | undefined
    readonly createdAt?: number | undefined
  }): ConversationRecord {
    return this.open({
      by: "contact",
      author: { type: input.contact.role, id: input.contact.id },
      contact: input.contact,
      body: input.body,
      subject: input.subject,
      at: input.createdAt ?? this.workspace.nowSeconds()
    })
  }

  /** A one-to-one conversation an admin starts (an outbound message to a contact). */
  startByAdmin(input: {
    readonly admin: AdminRecord
    readonly contact: ContactRecord
    readonly body: string
    readonly subject?: string | undefined
  }): ConversationRecord {
    return this.open({
      by: "admin",
      author: { type: "admin", id: input.admin.id },
      contact: input.contact,
      body: input.body,
      subject: input.subject,
      at: this.workspace.nowSeconds()
    })
  }

  /** A contact's reply: reopens the conversation and makes it wait for an admin. */
  replyAsContact(
    conversation: ConversationRecord,
    contact: ContactRecord,
    body: string,
    createdAt?: number
  ): Effect.Effect<PartRecord, NotAllowed> {
    return Effect.suspend(() => {
      if (!conversation.contact_ids.includes(contact.id)) {
        return Effect.fail(
          new NotAllowed({
            field: "intercom_user_id",
            message: "The contact is not part of this conversation",
            reason: "NotRetryable"
          })
        )
      }
      const at = createdAt ?? this.workspace.nowSeconds()
      const part = this.addPart(conversation, "comment", body, at, { type: contact.role, id: contact.id })
      conversation.state = "open"
      conversation.read = false
      conversation.waiting_since ??= at
      conversation.first_contact_reply_at ??= at
      conversation.last_contact_reply_at = at
      this.save(conversation)
      this.contacts.touch(contact, "last_replied_at", at)
      this.workspace.emit({ type: "conversation.replied", conversation, part, by: "contact" })
      return Effect.succeed(part)
    })
  }

  /** An admin's comment (answers the contact) or note (internal, changes nothing for the contact). */
  replyAsAdmin(
    conversation: ConversationRecord,
    admin: AdminRecord,
    messageType: "comment" | "note",
    body: string,
    createdAt?: number
  ): PartRecord {
    const at = createdAt ?? this.workspace.nowSeconds()
    const part = this.addPart(conversation, messageType, body, at, { type: "admin", id: admin.id })
    if (messageType === "comment") {
      conversation.read = true
      conversation.waiting_since = null
      conversation.first_admin_reply_at ??= at
      conversation.last_admin_reply_at = at
      for (const contactId of conversation.contact_ids) {
        const contact = this.contacts.find(contactId)
        if (contact !== undefined) this.contacts.touch(contact, "last_contacted_at", at)
      }
    }
    this.save(conversation)
    this.workspace.emit({ type: "conversation.replied", conversation, part, by: "admin" })
    return part
  }

  /**
   * Who speaks first decides the rest: a contact's opening waits for an admin and counts as the
   * contact's reply; an admin's is read, waits for no one and counts as the admin's reply.
   */
  private open(input: {
    readonly by: "contact" | "admin"
    readonly author: PartAuthor
    readonly contact: ContactRecord
    readonly body: string
    readonly subject: string | undefined
    readonly at: number
  }): ConversationRecord {
    const { at, by } = input
    const byContact = by === "contact"
    const conversation: ConversationRecord = {
      id: this.workspace.nextNumericId(),
      created_at: at,
      updated_at: at,
      title: null,
      state: "open",
      read: !byContact,
      prioritised: false,
      admin_assignee_id: null,
      waiting_since: byContact ? at : null,
      contact_ids: [input.contact.id],
      delivered_as: byContact ? "customer_initiated" : "admin_initiated",
      source: {
        id: this.workspace.nextNumericId(),
        subject: input.subject ?? "",
        body: input.body,
        author: input.author
      },
      parts: [],
      first_contact_reply_at: byContact ? at : null,
      last_contact_reply_at: byContact ? at : null,
      last_admin_reply_at: byContact ? null : at,
      first_admin_reply_at: byContact ? null : at
    }
    this.put(conversation)
    this.save(conversation)
    this.contacts.touch(input.contact, byContact ? "last_replied_at" : "last_contacted_at", at)
    this.workspace.emit({ type: "conversation.created", conversation, by })
    return conversation
  }

  private addPart(
    conversation: ConversationRecord,
    partType: PartRecord["part_type"],
    body: string,
    at: number,
    author: PartAuthor
  ): PartRecord {
    const part: PartRecord = {
      id: this.workspace.nextNumericId(),
      part_type: partType,
      body,
      created_at: at,
      author
    }
    conversation.parts.push(part)
    conversation.updated_at = at
    this.partCount++
    return part
  }

  private save(conversation: ConversationRecord): void {
    this.workspace.persistence.save("conversation", conversation.id, conversation)
  }
}
