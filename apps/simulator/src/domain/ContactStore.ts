/**
 * Contacts, with Intercom's rules: one user per email and one contact per `external_id` (409), leads
 * become users but never the other way round, cursor pages in creation order, and the tags and
 * companies attached to each contact.
 */
import * as Effect from "effect/Effect"
import { Conflict, type InvalidField, invalidField, type NotFound, notFound } from "./DomainError.ts"
import { RecordStore } from "./RecordStore.ts"
import type { AppliedTag, CompanyRecord, ContactRecord, ContactRole, TagRecord } from "./Records.ts"
import type { Workspace } from "./Workspace.ts"

/** The fields a create or update may set, in every version's terms (`owner_id` integer or string). */
export interface ContactInput {
  readonly role?: string | undefined
  readonly external_id?: string | undefined
  readonly email?: string | undefined
  readonly phone?: string | null | undefined
  readonly name?: string | null | undefined
  readonly avatar?: string | null | undefined
  readonly signed_up_at?: number | null | undefined
  readonly last_seen_at?: number | null | undefined
  readonly owner_id?: number | string | null | undefined
  readonly unsubscribed_from_emails?: boolean | null | undefined
  readonly custom_attributes?: Readonly<Record<string, unknown>> | null | undefined
}

const roleOf = (value: string | undefined, field = "role"): ContactRole | InvalidField | undefined => {
  if (value === undefined) return undefined
  if (value === "user" || value === "lead") return value
  return invalidField(field, `${field} must be one of user, lead`)
}

export class ContactStore extends RecordStore<ContactRecord> {
  private readonly workspace: Workspace
  private readonly userByEmail = new Map<string, string>()
  private readonly byExternalId = new Map<string, string>()
  private readonly revisions = new WeakMap<ContactRecord, number>()
  /** Company id → the contacts attached to it (a company's `user_count`). */
  private readonly byCompany = new Map<string, Set<string>>()

  constructor(workspace: Workspace) {
    super("contact")
    this.workspace = workspace
    const stored = [...(workspace.persistence.load("contact") as ReadonlyArray<ContactRecord>)]
    stored.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
    for (const contact of stored) {
      // State files written before tags were kept with when and by whom hold bare tag ids.
      const legacy = contact as ContactRecord & { readonly tag_ids?: ReadonlyArray<string> }
      contact.tags ??= (legacy.tag_ids ?? []).map((id) => ({
        id,
        applied_at: contact.updated_at,
        applied_by: { type: "admin", id: "0" }
      }))
      this.index(contact)
    }
  }

  /** The user with that email (emails compare without case). */
  findUserByEmail(email: string): ContactRecord | undefined {
    const id = this.userByEmail.get(email.toLowerCase())
    return id === undefined ? undefined : this.byId.get(id)
  }

  /** The user with that email, else the first lead with it. */
  findByEmail(email: string): ContactRecord | undefined {
    const user = this.findUserByEmail(email)
    if (user !== undefined) return user
    const wanted = email.toLowerCase()
    for (const contact of this.byId.values()) if (contact.email?.toLowerCase() === wanted) return contact
    return undefined
  }

  findByExternalId(externalId: string): ContactRecord | undefined {
    const id = this.byExternalId.get(externalId)
    return id === undefined ? undefined : this.byId.get(id)
  }

  /** How many contacts a company has attached (its `user_count`). */
  countAttachedTo(companyId: string): number {
    return this.byCompany.get(companyId)?.size ?? 0
  }

  create(input: ContactInput): Effect.Effect<ContactRecord, InvalidField | Conflict> {
    return Effect.suspend((): Effect.Effect<ContactRecord, InvalidField | Conflict> => {
      const role = roleOf(input.role)
      if (role instanceof Error) return Effect.fail(role)
      const now = this.workspace.nowSeconds()
      const contact: ContactRecord = {
        id: this.workspace.nextObjectId(),
        role: role ?? "user",
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
        // Intercom's create answers `signed_up_at: null` unless the request sets it.
        signed_up_at: null,
        last_seen_at: null,
        last_replied_at: null,
        last_contacted_at: null,
        company_ids: [],
        tags: []
      }
      ContactStore.applyInput(contact, input)
      const conflict = this.conflictWith(contact)
      if (conflict !== undefined) return Effect.fail(conflict)
      this.save(contact)
      this.workspace.emit({ type: "contact.created", contact })
      return Effect.succeed(contact)
    })
  }

  update(id: string, input: ContactInput): Effect.Effect<ContactRecord, NotFound | InvalidField | Conflict> {
    return Effect.suspend((): Effect.Effect<ContactRecord, NotFound | InvalidField | Conflict> => {
      const current = this.byId.get(id)
      if (current === undefined) return Effect.fail(notFound("contact", id))
      const role = roleOf(input.role)
      if (role instanceof Error) return Effect.fail(role)
      // Intercom converts leads into users, never the other way round.
      if (current.role === "user" && role === "lead") {
        return Effect.fail(invalidField("role", "A user cannot be converted to a lead"))
      }
      const next: ContactRecord = {
        ...current,
        role: role ?? current.role,
        company_ids: [...current.company_ids],
        tags: [...current.tags]
      }
      ContactStore.applyInput(next, input)
      next.updated_at = this.workspace.nowSeconds()
      const conflict = this.conflictWith(next)
      if (conflict !== undefined) return Effect.fail(conflict)
      this.unindex(current)
      this.save(next)
      this.workspace.emit({ type: "contact.updated", contact: next, previousRole: current.role })
      return Effect.succeed(next)
    })
  }

  /** Records a reply or a contact at a time (`last_replied_at`, `last_contacted_at`). */
  touch(contact: ContactRecord, field: "last_replied_at" | "last_contacted_at", at: number): void {
    contact[field] = at
    contact.updated_at = at
    this.written(contact)
  }

  /** Tags a contact (again: the first application stands). */
  attachTag(contact: ContactRecord, tag: TagRecord, adminId: string): AppliedTag {
    const existing = contact.tags.find((applied) => applied.id === tag.id)
    if (existing !== undefined) return existing
    const applied: AppliedTag = {
      id: tag.id,
      applied_at: this.workspace.nowSeconds(),
      applied_by: { type: "admin", id: adminId }
    }
    contact.tags.push(applied)
    this.written(contact)
    return applied
  }

  /** Removes a tag from a contact; NotFound when the contact does not carry it. */
  detachTag(contact: ContactRecord, tag: TagRecord): Effect.Effect<AppliedTag, NotFound> {
    return Effect.suspend(() => {
      const index = contact.tags.findIndex((applied) => applied.id === tag.id)
      if (index === -1) return Effect.fail(notFound("tag", tag.id))
      const [removed] = contact.tags.splice(index, 1)
      this.written(contact)
      return Effect.succeed(removed!)
    })
  }

  attachCompany(contact: ContactRecord, company: CompanyRecord): void {
    if (!contact.company_ids.includes(company.id)) contact.company_ids.push(company.id)
    this.attached(company.id).add(contact.id)
    this.written(contact)
  }

  /** Removes a company from a contact; NotFound when the contact is not attached to it. */
  detachCompany(contact: ContactRecord, company: CompanyRecord): Effect.Effect<CompanyRecord, NotFound> {
    return Effect.suspend(() => {
      const index = contact.company_ids.indexOf(company.id)
      if (index === -1) return Effect.fail(notFound("company", company.id))
      contact.company_ids.splice(index, 1)
      this.byCompany.get(company.id)?.delete(contact.id)
      this.written(contact)
      return Effect.succeed(company)
    })
  }

  private static applyInput(contact: ContactRecord, input: ContactInput): void {
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

  private conflictWith(candidate: ContactRecord): Conflict | undefined {
    if (candidate.role === "user" && candidate.email !== null) {
      const existing = this.findUserByEmail(candidate.email)
      if (existing !== undefined && existing.id !== candidate.id) {
        return new Conflict({ existingId: existing.id, field: "email", reason: "NotRetryable" })
      }
    }
    if (candidate.external_id !== null) {
      const existing = this.findByExternalId(candidate.external_id)
      if (existing !== undefined && existing.id !== candidate.id) {
        return new Conflict({ existingId: existing.id, field: "external_id", reason: "NotRetryable" })
      }
    }
    return undefined
  }

  /**
   * How often the contact changed since it was loaded: a view of it is good as long as this stays
   * (`http/Views.ts` keeps the answers of unchanged contacts).
   */
  revision(contact: ContactRecord): number {
    return this.revisions.get(contact) ?? 0
  }

  /** Every change to a contact passes here: it is written through and its revision moves on. */
  private written(contact: ContactRecord): void {
    this.revisions.set(contact, this.revision(contact) + 1)
    this.workspace.persistence.save("contact", contact.id, contact)
  }

  private attached(companyId: string): Set<string> {
    const known = this.byCompany.get(companyId)
    if (known !== undefined) return known
    const contacts = new Set<string>()
    this.byCompany.set(companyId, contacts)
    return contacts
  }

  private index(contact: ContactRecord): void {
    this.put(contact)
    if (contact.role === "user" && contact.email !== null)
      this.userByEmail.set(contact.email.toLowerCase(), contact.id)
    if (contact.external_id !== null) this.byExternalId.set(contact.external_id, contact.id)
    for (const companyId of contact.company_ids) this.attached(companyId).add(contact.id)
  }

  private unindex(contact: ContactRecord): void {
    if (contact.email !== null && this.userByEmail.get(contact.email.toLowerCase()) === contact.id) {
      this.userByEmail.delete(contact.email.toLowerCase())
    }
    if (contact.external_id !== null && this.byExternalId.get(contact.external_id) === contact.id) {
      this.byExternalId.delete(contact.external_id)
    }
  }

  private save(contact: ContactRecord): void {
    this.index(contact)
    this.written(contact)
  }
}
