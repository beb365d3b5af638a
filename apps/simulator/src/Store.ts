/**
 * The simulated workspace's state: contacts, conversations with their parts, companies, tags, admins,
 * OAuth codes and access tokens. Held in memory (Maps with the indexes Intercom's lookups need);
 * with a `Persistence` every change is also written through, so a state file survives restarts.
 * Every change is reported to `onChange` listeners, which is where webhooks come from.
 */
import type { components } from "@taskjuice/intercom-client"
import { apiError, notFound } from "./IntercomError.ts"
import type { Random } from "./Random.ts"

type Schemas = components["schemas"]

export interface Workspace {
  readonly id_code: string
  readonly name: string
  readonly region: string
  readonly timezone: string
  readonly created_at: number
}

export interface AdminRecord {
  readonly id: string
  readonly name: string
  readonly email: string
  readonly job_title: string
}

export interface ContactRecord {
  id: string
  role: "user" | "lead"
  external_id: string | null
  email: string | null
  phone: string | null
  name: string | null
  avatar: string | null
  /** Kept as text: 2.11 sends and answers an integer, 2.16 a string. */
  owner_id: string | null
  unsubscribed_from_emails: boolean
  custom_attributes: Record<string, unknown>
  created_at: number
  updated_at: number
  signed_up_at: number | null
  last_seen_at: number | null
  last_replied_at: number | null
  last_contacted_at: number | null
  company_ids: Array<string>
  tag_ids: Array<string>
}

export interface PartAuthor {
  readonly type: "user" | "lead" | "admin"
  readonly id: string
}

export interface PartRecord {
  readonly id: string
  readonly part_type: "comment" | "note"
  readonly body: string
  readonly created_at: number
  readonly author: PartAuthor
}

export interface ConversationRecord {
  id: string
  created_at: number
  updated_at: number
  title: string | null
  state: "open" | "closed" | "snoozed"
  read: boolean
  admin_assignee_id: string | null
  waiting_since: number | null
  contact_ids: Array<string>
  delivered_as: "customer_initiated" | "admin_initiated"
  source: {
    readonly id: string
    readonly subject: string
    readonly body: string
    readonly author: PartAuthor
  }
  parts: Array<PartRecord>
  first_contact_reply_at: number | null
  last_contact_reply_at: number | null
  last_admin_reply_at: number | null
  first_admin_reply_at: number | null
}

export interface CompanyRecord {
  id: string
  company_id: string
  name: string
  plan: string | null
  size: number | null
  website: string | null
  industry: string | null
  custom_attributes: Record<string, string | number | boolean | null>
  remote_created_at: number | null
  monthly_spend: number | null
  created_at: number
  updated_at: number
  last_request_at: number | null
  session_count: number
  user_count: number
}

export interface TagRecord {
  readonly id: string
  readonly name: string
}

export interface TokenRecord {
  readonly token: string
  readonly client_id: string
  revoked: boolean
  readonly created_at: number
}

export interface OAuthCodeRecord {
  readonly code: string
  readonly client_id: string
  readonly redirect_uri: string | null
  readonly expires_at: number
}

/** What happened, for webhooks and the dashboard. */
export type StateChange =
  | { readonly type: "contact.created"; readonly contact: ContactRecord }
  | {
      readonly type: "contact.updated"
      readonly contact: ContactRecord
      readonly previousRole: "user" | "lead"
    }
  | {
      readonly type: "conversation.created"
      readonly conversation: ConversationRecord
      readonly by: "contact" | "admin"
    }
  | {
      readonly type: "conversation.replied"
      readonly conversation: ConversationRecord
      readonly part: PartRecord
      readonly by: "contact" | "admin"
    }
  | { readonly type: "company.created"; readonly company: CompanyRecord }

export type RecordKind = "contact" | "conversation" | "company" | "tag" | "admin" | "token" | "meta"

/** Where changes are written through to (the SQLite state file). */
export interface Persistence {
  readonly load: (kind: RecordKind) => ReadonlyArray<unknown>
  readonly save: (kind: RecordKind, id: string, record: unknown) => void
  readonly close: () => void
}

export interface StateCounts {
  readonly contacts: number
  readonly users: number
  readonly leads: number
  readonly conversations: number
  readonly conversationParts: number
  readonly companies: number
  readonly tags: number
  readonly admins: number
}

export interface ContactPage {
  readonly data: ReadonlyArray<ContactRecord>
  readonly totalCount: number
  readonly page: number
  readonly perPage: number
  readonly totalPages: number
  readonly startingAfter: string | null
}

const defaultAdmins: ReadonlyArray<Omit<AdminRecord, "id">> = [
  { name: "Ada Lovelace", email: "ada@simulated-intercom.test", job_title: "Support lead" },
  { name: "Grace Hopper", email: "grace@simulated-intercom.test", job_title: "Support engineer" }
]
const defaultTags = ["VIP", "Churn risk", "Agency client", "Onboarding"]

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/**
 * The fields a contact request may set, as the spec names them. `update_contact_request` has the
 * same properties as `create_contact_request`, whose generated type is `unknown` (its `anyOf`).
 */
type ContactInput = Omit<Schemas["update_contact_request"], "custom_attributes"> & {
  /** Generated as `Record<string, never>` (an object schema without properties); any values go. */
  readonly custom_attributes?: Readonly<Record<string, unknown>> | null
}

/** Counters live in one meta record, so ids continue where a state file left off. */
interface Meta {
  workspace: Workspace
  sequence: number
}

export class Store {
  readonly contacts = new Map<string, ContactRecord>()
  readonly conversations = new Map<string, ConversationRecord>()
  readonly companies = new Map<string, CompanyRecord>()
  readonly tags = new Map<string, TagRecord>()
  readonly admins = new Map<string, AdminRecord>()
  private readonly tokens = new Map<string, TokenRecord>()
  private readonly codes = new Map<string, OAuthCodeRecord>()
  /** Contact ids in creation order, and each id's position, for cursor pagination. */
  private readonly contactOrder: Array<string> = []
  private readonly contactPosition = new Map<string, number>()
  private readonly userByEmail = new Map<string, string>()
  private readonly contactByExternalId = new Map<string, string>()
  private readonly companyByCompanyId = new Map<string, string>()
  private readonly listeners = new Set<(change: StateChange) => void>()
  private readonly random: Random
  private readonly persistence: Persistence | undefined
  private meta: Meta
  private partCount = 0

  constructor(random: Random, persistence?: Persistence) {
    this.random = random
    this.persistence = persistence
    const stored = persistence?.load("meta")[0] as Meta | undefined
    this.meta = stored ?? {
      workspace: {
        id_code: random.alphanumeric(8),
        name: "Simulated Intercom workspace",
        region: "US",
        timezone: "Europe/London",
        created_at: nowSeconds()
      },
      sequence: 1000
    }
    if (persistence !== undefined && stored !== undefined) {
      this.restore(persistence)
    } else {
      for (const admin of defaultAdmins) this.putAdmin({ id: this.nextNumericId(), ...admin })
      for (const name of defaultTags) this.putTag({ id: this.nextNumericId(), name })
      this.saveMeta()
    }
  }

  private restore(persistence: Persistence): void {
    for (const admin of persistence.load("admin") as ReadonlyArray<AdminRecord>)
      this.admins.set(admin.id, admin)
    for (const tag of persistence.load("tag") as ReadonlyArray<TagRecord>) this.tags.set(tag.id, tag)
    for (const token of persistence.load("token") as ReadonlyArray<TokenRecord>)
      this.tokens.set(token.token, token)
    const contacts = [...(persistence.load("contact") as ReadonlyArray<ContactRecord>)]
    contacts.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
    for (const contact of contacts) this.indexContact(contact)
    for (const conversation of persistence.load("conversation") as ReadonlyArray<ConversationRecord>) {
      this.conversations.set(conversation.id, conversation)
      this.partCount += conversation.parts.length
    }
    for (const company of persistence.load("company") as ReadonlyArray<CompanyRecord>) {
      this.companies.set(company.id, company)
      this.companyByCompanyId.set(company.company_id, company.id)
    }
  }

  get workspace(): Workspace {
    return this.meta.workspace
  }

  onChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(change: StateChange): void {
    for (const listener of this.listeners) listener(change)
  }

  private saveMeta(): void {
    this.persistence?.save("meta", "meta", this.meta)
  }

  /** Numeric ids (conversations, parts, messages, tags, admins) from one growing sequence. */
  nextNumericId(): string {
    this.meta.sequence += 1 + this.random.int(7)
    if (this.persistence !== undefined) this.saveMeta()
    return String(this.meta.sequence)
  }

  /** 24-hex ids shaped like Intercom's ObjectIds: creation second, then random bytes. */
  nextObjectId(): string {
    return nowSeconds().toString(16).padStart(8, "0") + this.random.hex(16)
  }

  private putAdmin(admin: AdminRecord): void {
    this.admins.set(admin.id, admin)
    this.persistence?.save("admin", admin.id, admin)
  }

  private putTag(tag: TagRecord): void {
    this.tags.set(tag.id, tag)
    this.persistence?.save("tag", tag.id, tag)
  }

  // ── tokens and OAuth codes ────────────────────────────────────────────────────────────────

  issueCode(clientId: string, redirectUri: string | null, ttlSeconds = 300): OAuthCodeRecord {
    const code: OAuthCodeRecord = {
      code: this.random.hex(32),
      client_id: clientId,
      redirect_uri: redirectUri,
      expires_at: nowSeconds() + ttlSeconds
    }
    this.codes.set(code.code, code)
    return code
  }

  /** A code is good for one exchange, within its lifetime. */
  redeemCode(code: string): OAuthCodeRecord | undefined {
    const found = this.codes.get(code)
    this.codes.delete(code)
    return found !== undefined && found.expires_at >= nowSeconds() ? found : undefined
  }

  issueToken(clientId: string, token = `dG9rOj${this.random.hex(40)}`): TokenRecord {
    const record: TokenRecord = { token, client_id: clientId, revoked: false, created_at: nowSeconds() }
    this.tokens.set(token, record)
    this.persistence?.save("token", token, record)
    return record
  }

  token(token: string): TokenRecord | undefined {
    return this.tokens.get(token)
  }

  revokeToken(token: string): boolean {
    const record = this.tokens.get(token)
    if (record === undefined) return false
    record.revoked = true
    this.persistence?.save("token", token, record)
    return true
  }

  // ── contacts ──────────────────────────────────────────────────────────────────────────────

  private indexContact(contact: ContactRecord): void {
    if (!this.contacts.has(contact.id)) {
      this.contactPosition.set(contact.id, this.contactOrder.length)
      this.contactOrder.push(contact.id)
    }
    this.contacts.set(contact.id, contact)
    if (contact.role === "user" && contact.email !== null)
      this.userByEmail.set(contact.email.toLowerCase(), contact.id)
    if (contact.external_id !== null) this.contactByExternalId.set(contact.external_id, contact.id)
  }

  private unindexContact(contact: ContactRecord): void {
    if (contact.email !== null && this.userByEmail.get(contact.email.toLowerCase()) === contact.id) {
      this.userByEmail.delete(contact.email.toLowerCase())
    }
    if (contact.external_id !== null && this.contactByExternalId.get(contact.external_id) === contact.id) {
      this.contactByExternalId.delete(contact.external_id)
    }
  }

  private saveContact(contact: ContactRecord): void {
    this.indexContact(contact)
    this.persistence?.save("contact", contact.id, contact)
  }

  getContact(id: string): ContactRecord {
    const contact = this.contacts.get(id)
    if (contact === undefined) throw notFound("User Not Found")
    return contact
  }

  findUserByEmail(email: string): ContactRecord | undefined {
    const id = this.userByEmail.get(email.toLowerCase())
    return id === undefined ? undefined : this.contacts.get(id)
  }

  findContactByExternalId(externalId: string): ContactRecord | undefined {
    const id = this.contactByExternalId.get(externalId)
    return id === undefined ? undefined : this.contacts.get(id)
  }

  /** Intercom keeps one user per email and one contact per external_id (409 `conflict`). */
  private assertUnique(candidate: ContactRecord): void {
    if (candidate.role === "user" && candidate.email !== null) {
      const existing = this.findUserByEmail(candidate.email)
      if (existing !== undefined && existing.id !== candidate.id) {
        throw apiError(
          409,
          "conflict",
          `A contact matching those details already exists with id=${existing.id}`
        )
      }
    }
    if (candidate.external_id !== null) {
      const existing = this.findContactByExternalId(candidate.external_id)
      if (existing !== undefined && existing.id !== candidate.id) {
        throw apiError(
          409,
          "conflict",
          `A contact matching those details already exists with id=${existing.id}`
        )
      }
    }
  }

  private static role(value: string | undefined, field = "role"): "user" | "lead" | undefined {
    if (value === undefined) return undefined
    if (value === "user" || value === "lead") return value
    throw apiError(400, "parameter_invalid", `${field} must be one of user, lead`, field)
  }

  private applyContactInput(contact: ContactRecord, input: ContactInput): void {
    if (input.external_id !== undefined) contact.external_id = input.external_id
    if (input.email !== undefined) contact.email = input.email
    if (input.phone !== undefined) contact.phone = input.phone
    if (input.name !== undefined) contact.name = input.name
    if (input.avatar !== undefined) contact.avatar = input.avatar
    if (input.owner_id !== undefined)
      contact.owner_id = input.owner_id === null ? null : String(input.owner_id)
    if (input.signed_up_at !== undefined) contact.signed_up_at = input.signed_up_at
    if (input.last_seen_at !== undefined) contact.last_seen_at = input.last_seen_at
    if (input.unsubscribed_from_emails !== undefined) {
      contact.unsubscribed_from_emails = input.unsubscribed_from_emails ?? false
    }
    if (input.custom_attributes !== undefined && input.custom_attributes !== null) {
      contact.custom_attributes = { ...contact.custom_attributes, ...input.custom_attributes }
    }
  }

  createContact(input: ContactInput): ContactRecord {
    const now = nowSeconds()
    const contact: ContactRecord = {
      id: this.nextObjectId(),
      role: Store.role(input.role) ?? "user",
      external_id: null,
      email: null,
      phone: null,
      name: null,
      avatar: null,
      owner_id: null,
      unsubscribed_from_emails: false,
      custom_attributes: {},
      created_at: now,
      updated_at: now,
      signed_up_at: null,
      last_seen_at: null,
      last_replied_at: null,
      last_contacted_at: null,
      company_ids: [],
      tag_ids: []
    }
    this.applyContactInput(contact, input)
    if (contact.role === "user" && contact.signed_up_at === null) contact.signed_up_at = now
    this.assertUnique(contact)
    this.saveContact(contact)
    this.emit({ type: "contact.created", contact })
    return contact
  }

  updateContact(id: string, input: ContactInput): ContactRecord {
    const current = this.getContact(id)
    const role = Store.role(input.role) ?? current.role
    // Intercom converts leads into users, never the other way round.
    if (current.role === "user" && role === "lead") {
      throw apiError(400, "parameter_invalid", "A user cannot be converted to a lead", "role")
    }
    const next: ContactRecord = { ...current, role, company_ids: [...current.company_ids] }
    this.applyContactInput(next, input)
    next.updated_at = nowSeconds()
    this.assertUnique(next)
    this.unindexContact(current)
    this.saveContact(next)
    this.emit({ type: "contact.updated", contact: next, previousRole: current.role })
    return next
  }

  /** The position just past a `starting_after` cursor (the base64url of the last contact id shown). */
  private positionAfter(cursor: string, field: string): number {
    const after = Buffer.from(cursor, "base64url").toString("utf8")
    const position = this.contactPosition.get(after)
    if (position === undefined) {
      throw apiError(400, "parameter_invalid", `${field} is not a cursor from this list`, field)
    }
    return position + 1
  }

  private static cursorAfter(contact: ContactRecord | undefined, more: boolean): string | null {
    return contact !== undefined && more ? Buffer.from(contact.id, "utf8").toString("base64url") : null
  }

  /** Forward-only pages in creation order; `starting_after` is an opaque cursor, as Intercom's is. */
  listContacts(options: { perPage: number; page?: number; startingAfter?: string }): ContactPage {
    const total = this.contactOrder.length
    let start = 0
    let page = 1
    if (options.startingAfter !== undefined) {
      start = this.positionAfter(options.startingAfter, "starting_after")
      page = Math.floor(start / options.perPage) + 1
    } else if (options.page !== undefined) {
      page = options.page
      start = (page - 1) * options.perPage
    }
    const ids = this.contactOrder.slice(start, start + options.perPage)
    const data = ids.map((id) => this.contacts.get(id)).filter((c): c is ContactRecord => c !== undefined)
    return {
      data,
      totalCount: total,
      page,
      perPage: options.perPage,
      totalPages: Math.max(1, Math.ceil(total / options.perPage)),
      startingAfter: Store.cursorAfter(data.at(-1), start + ids.length < total)
    }
  }

  /**
   * The contacts `matches` accepts, paged like `listContacts` (creation order, the same cursors),
   * counted in full. A cursor stays good when its contact no longer matches. `cursorField` names
   * the cursor in errors (`pagination.starting_after`).
   */
  searchContacts(
    matches: (contact: ContactRecord) => boolean,
    options: { perPage: number; startingAfter?: string; cursorField?: string }
  ): ContactPage {
    const start =
      options.startingAfter === undefined
        ? 0
        : this.positionAfter(options.startingAfter, options.cursorField ?? "starting_after")
    const data: Array<ContactRecord> = []
    let before = 0
    let after = 0
    for (let position = 0; position < this.contactOrder.length; position++) {
      const contact = this.contacts.get(this.contactOrder[position]!)
      if (contact === undefined || !matches(contact)) continue
      if (position < start) before++
      else if (data.length < options.perPage) data.push(contact)
      else after++
    }
    const total = before + data.length + after
    return {
      data,
      totalCount: total,
      page: Math.floor(before / options.perPage) + 1,
      perPage: options.perPage,
      // As Intercom's own example answers: no matches, no pages.
      totalPages: Math.ceil(total / options.perPage),
      startingAfter: Store.cursorAfter(data.at(-1), after > 0)
    }
  }

  // ── conversations ─────────────────────────────────────────────────────────────────────────

  getConversation(id: string): ConversationRecord {
    const conversation = this.conversations.get(id)
    if (conversation === undefined) throw notFound("Resource Not Found")
    return conversation
  }

  getAdmin(id: string): AdminRecord {
    const admin = this.admins.get(id)
    if (admin === undefined) throw notFound("Admin Not Found")
    return admin
  }

  get defaultAdmin(): AdminRecord {
    const first = this.admins.values().next().value
    if (first === undefined) throw new Error("the workspace has no admins")
    return first
  }

  private saveConversation(conversation: ConversationRecord): void {
    this.conversations.set(conversation.id, conversation)
    this.persistence?.save("conversation", conversation.id, conversation)
  }

  private touchContact(
    contact: ContactRecord,
    field: "last_replied_at" | "last_contacted_at",
    at: number
  ): void {
    contact[field] = at
    contact.updated_at = at
    this.persistence?.save("contact", contact.id, contact)
  }

  /** A conversation a contact starts (`POST /conversations`). */
  startContactConversation(input: {
    contact: ContactRecord
    body: string
    subject?: string
    createdAt?: number
  }): ConversationRecord {
    return this.openConversation({
      by: "contact",
      author: { type: input.contact.role, id: input.contact.id },
      contact: input.contact,
      body: input.body,
      subject: input.subject,
      at: input.createdAt ?? nowSeconds()
    })
  }

  /** A one-to-one conversation an admin starts (an outbound message to a contact). */
  startAdminConversation(input: {
    admin: AdminRecord
    contact: ContactRecord
    body: string
    subject?: string
  }): ConversationRecord {
    return this.openConversation({
      by: "admin",
      author: { type: "admin", id: input.admin.id },
      contact: input.contact,
      body: input.body,
      subject: input.subject,
      at: nowSeconds()
    })
  }

  /**
   * Who speaks first decides the rest: a contact's opening waits for an admin and counts as the
   * contact's reply; an admin's is read, waits for no one and counts as the admin's reply.
   */
  private openConversation(input: {
    by: "contact" | "admin"
    author: PartAuthor
    contact: ContactRecord
    body: string
    subject: string | undefined
    at: number
  }): ConversationRecord {
    const { at, by } = input
    const byContact = by === "contact"
    const conversation: ConversationRecord = {
      id: this.nextNumericId(),
      created_at: at,
      updated_at: at,
      title: null,
      state: "open",
      read: !byContact,
      admin_assignee_id: null,
      waiting_since: byContact ? at : null,
      contact_ids: [input.contact.id],
      delivered_as: byContact ? "customer_initiated" : "admin_initiated",
      source: {
        id: this.nextNumericId(),
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
    this.saveConversation(conversation)
    this.touchContact(input.contact, byContact ? "last_replied_at" : "last_contacted_at", at)
    this.emit({ type: "conversation.created", conversation, by })
    return conversation
  }

  /** The contact's most recent conversation, for replies to `/conversations/last/reply`. */
  lastConversationOf(contactId: string): ConversationRecord {
    let latest: ConversationRecord | undefined
    for (const conversation of this.conversations.values()) {
      if (
        conversation.contact_ids.includes(contactId) &&
        (latest === undefined || conversation.created_at >= latest.created_at)
      ) {
        latest = conversation
      }
    }
    if (latest === undefined) throw notFound("Resource Not Found")
    return latest
  }

  /** A contact's reply: reopens the conversation and makes it wait for an admin. */
  replyAsContact(
    conversation: ConversationRecord,
    contact: ContactRecord,
    body: string,
    createdAt?: number
  ): PartRecord {
    if (!conversation.contact_ids.includes(contact.id)) {
      throw apiError(
        422,
        "parameter_invalid",
        "The contact is not part of this conversation",
        "intercom_user_id"
      )
    }
    const at = createdAt ?? nowSeconds()
    const part: PartRecord = {
      id: this.nextNumericId(),
      part_type: "comment",
      body,
      created_at: at,
      author: { type: contact.role, id: contact.id }
    }
    conversation.parts.push(part)
    this.partCount++
    conversation.updated_at = at
    conversation.state = "open"
    conversation.read = false
    conversation.waiting_since ??= at
    conversation.first_contact_reply_at ??= at
    conversation.last_contact_reply_at = at
    this.saveConversation(conversation)
    this.touchContact(contact, "last_replied_at", at)
    this.emit({ type: "conversation.replied", conversation, part, by: "contact" })
    return part
  }

  /** An admin's comment (answers the contact) or note (internal, changes nothing for the contact). */
  replyAsAdmin(
    conversation: ConversationRecord,
    admin: AdminRecord,
    messageType: "comment" | "note",
    body: string,
    createdAt?: number
  ): PartRecord {
    const at = createdAt ?? nowSeconds()
    const part: PartRecord = {
      id: this.nextNumericId(),
      part_type: messageType,
      body,
      created_at: at,
      author: { type: "admin", id: admin.id }
    }
    conversation.parts.push(part)
    this.partCount++
    conversation.updated_at = at
    if (messageType === "comment") {
      conversation.read = true
      conversation.waiting_since = null
      conversation.first_admin_reply_at ??= at
      conversation.last_admin_reply_at = at
      for (const contactId of conversation.contact_ids) {
        const contact = this.contacts.get(contactId)
        if (contact !== undefined) this.touchContact(contact, "last_contacted_at", at)
      }
    }
    this.saveConversation(conversation)
    this.emit({ type: "conversation.replied", conversation, part, by: "admin" })
    return part
  }

  // ── companies and tags ────────────────────────────────────────────────────────────────────

  /** Upsert keyed on `company_id` (the caller's id, which never changes). */
  upsertCompany(input: NonNullable<Schemas["create_or_update_company_request"]>): {
    company: CompanyRecord
    created: boolean
  } {
    const now = nowSeconds()
    const existingId =
      input.company_id === undefined ? undefined : this.companyByCompanyId.get(input.company_id)
    const existing = existingId === undefined ? undefined : this.companies.get(existingId)
    if (existing === undefined && input.company_id === undefined && input.name === undefined) {
      throw apiError(400, "parameter_not_found", "company_id or name is required", "company_id")
    }
    const company: CompanyRecord = existing ?? {
      id: this.nextObjectId(),
      company_id: input.company_id ?? this.random.hex(12),
      name: input.name ?? "",
      plan: null,
      size: null,
      website: null,
      industry: null,
      custom_attributes: {},
      remote_created_at: null,
      monthly_spend: null,
      created_at: now,
      updated_at: now,
      last_request_at: null,
      session_count: 0,
      user_count: 0
    }
    if (input.name !== undefined) company.name = input.name
    if (input.plan !== undefined) company.plan = input.plan
    if (input.size !== undefined) company.size = input.size
    if (input.website !== undefined) company.website = input.website
    if (input.industry !== undefined) company.industry = input.industry
    if (input.remote_created_at !== undefined) company.remote_created_at = input.remote_created_at
    // Intercom truncates a fractional monthly_spend.
    if (input.monthly_spend !== undefined) company.monthly_spend = Math.trunc(input.monthly_spend)
    if (input.custom_attributes !== undefined) {
      company.custom_attributes = { ...company.custom_attributes, ...input.custom_attributes }
    }
    company.updated_at = now
    this.companies.set(company.id, company)
    this.companyByCompanyId.set(company.company_id, company.id)
    this.persistence?.save("company", company.id, company)
    if (existing === undefined) this.emit({ type: "company.created", company })
    return { company, created: existing === undefined }
  }

  counts(): StateCounts {
    let users = 0
    for (const contact of this.contacts.values()) if (contact.role === "user") users++
    return {
      contacts: this.contacts.size,
      users,
      leads: this.contacts.size - users,
      conversations: this.conversations.size,
      conversationParts: this.partCount,
      companies: this.companies.size,
      tags: this.tags.size,
      admins: this.admins.size
    }
  }

  close(): void {
    this.persistence?.close()
  }
}
