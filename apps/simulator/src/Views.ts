/**
 * Stored records as Intercom returns them, typed by the generated `components` and shaped for the
 * request's `Intercom-Version` (see `VersionProfile`). Unset optional fields are left out, as
 * Intercom leaves them out; fields a version requires are always present.
 */
import type { components } from "@taskjuice/intercom-client"
import type { VersionProfile } from "./ApiVersion.ts"
import type {
  AdminRecord,
  CompanyRecord,
  ContactPage,
  ContactRecord,
  ConversationRecord,
  PartAuthor,
  PartRecord,
  Store,
  TagRecord
} from "./Store.ts"

type Schemas = components["schemas"]
export type ContactView = Schemas["contact"]
export type ConversationView = Schemas["conversation"]

/**
 * The generated types follow the build's version while these values follow the request's, so the
 * few fields whose type changed between versions are produced here, checked at run time instead.
 */
type OwnerId = Exclude<ContactView["owner_id"], undefined>
const ownerId = (profile: VersionProfile, value: string | null): OwnerId => {
  if (value === null) return null
  const numeric = Number(value)
  const shaped: string | number | null = profile.ownerIdAsString
    ? value
    : Number.isSafeInteger(numeric)
      ? numeric
      : null
  return shaped as unknown as OwnerId
}

const priority = (profile: VersionProfile): NonNullable<ConversationView["priority"]> =>
  (profile.priorityLevels ? "none" : "not_priority") as NonNullable<ConversationView["priority"]>

type AssigneeId = Exclude<ConversationView["admin_assignee_id"], undefined>
const assignee = (profile: VersionProfile, value: string | null): AssigneeId =>
  (value === null ? (profile.unassignedAsZero ? 0 : null) : Number(value)) as AssigneeId

/** Intercom stores message bodies as HTML paragraphs. */
export const htmlBody = (body: string): string => (body.trimStart().startsWith("<") ? body : `<p>${body}</p>`)

/** `contact_companies.type` is "list" up to 2.15 and gone from the 2.16 schema; Intercom still sends it. */
const listType = { type: "list" } as const

export const contactView = (store: Store, profile: VersionProfile, contact: ContactRecord): ContactView => {
  const emailDomain = contact.email?.split("@")[1] ?? ""
  return {
    type: "contact",
    id: contact.id,
    workspace_id: store.workspace.id_code,
    external_id: contact.external_id,
    role: contact.role,
    email: contact.email ?? "",
    email_domain: emailDomain,
    phone: contact.phone,
    ...(profile.formattedPhone ? { formatted_phone: contact.phone } : {}),
    name: contact.name,
    owner_id: ownerId(profile, contact.owner_id),
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: contact.unsubscribed_from_emails,
    created_at: contact.created_at,
    updated_at: contact.updated_at,
    signed_up_at: contact.signed_up_at,
    last_seen_at: contact.last_seen_at,
    last_replied_at: contact.last_replied_at,
    last_contacted_at: contact.last_contacted_at,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: null,
    browser_version: null,
    browser_language: null,
    os: null,
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: null,
    ios_app_version: null,
    ios_device: null,
    ios_os_version: null,
    ios_sdk_version: null,
    ios_last_seen_at: null,
    // Generated as `Record<string, never>` (an object schema without properties); any values are allowed.
    custom_attributes: contact.custom_attributes as NonNullable<ContactView["custom_attributes"]>,
    avatar: contact.avatar === null ? null : { type: "avatar", image_url: contact.avatar },
    tags: {
      data: contact.tag_ids.map((id) => ({ type: "tag", id, url: `/tags/${id}` })),
      url: `/contacts/${contact.id}/tags`,
      total_count: contact.tag_ids.length,
      has_more: false
    },
    notes: { data: [], url: `/contacts/${contact.id}/notes`, total_count: 0, has_more: false },
    companies: {
      ...listType,
      data: contact.company_ids.map((id) => ({ type: "company", id, url: `/companies/${id}` })),
      url: `/contacts/${contact.id}/companies`,
      total_count: contact.company_ids.length,
      has_more: false
    },
    location: { type: "location", country: null, region: null, city: null },
    social_profiles: { data: [] },
    ...(profile.enabledPushMessaging ? { enabled_push_messaging: null } : {})
  }
}

export const contactListView = (
  store: Store,
  profile: VersionProfile,
  page: ContactPage
): Schemas["contact_list"] => ({
  type: "list",
  data: page.data.map((contact) => contactView(store, profile, contact)),
  total_count: page.totalCount,
  pages: {
    type: "pages",
    page: page.page,
    per_page: page.perPage,
    total_pages: page.totalPages,
    ...(page.startingAfter === null
      ? {}
      : { next: { per_page: page.perPage, starting_after: page.startingAfter } })
  }
})

const authorView = (store: Store, author: PartAuthor): Schemas["conversation_part_author"] => {
  if (author.type === "admin") {
    const admin = store.admins.get(author.id)
    return { type: "admin", id: author.id, name: admin?.name ?? null, email: admin?.email ?? "" }
  }
  const contact = store.contacts.get(author.id)
  return { type: author.type, id: author.id, name: contact?.name ?? null, email: contact?.email ?? "" }
}

const partView = (store: Store, part: PartRecord): Schemas["conversation_part"] => ({
  type: "conversation_part",
  id: part.id,
  part_type: part.part_type,
  body: htmlBody(part.body),
  created_at: part.created_at,
  updated_at: part.created_at,
  notified_at: part.created_at,
  assigned_to: null,
  author: authorView(store, part.author),
  attachments: [],
  external_id: null,
  redacted: false
})

export const conversationView = (
  store: Store,
  profile: VersionProfile,
  conversation: ConversationRecord
): ConversationView => {
  const admins = new Set<string>()
  if (conversation.source.author.type === "admin") admins.add(conversation.source.author.id)
  for (const part of conversation.parts) if (part.author.type === "admin") admins.add(part.author.id)
  const optional = <K extends string, V>(key: K, value: V | null) =>
    (value === null ? {} : { [key]: value }) as Partial<Record<K, V>>
  return {
    type: "conversation",
    id: conversation.id,
    title: conversation.title,
    created_at: conversation.created_at,
    updated_at: conversation.updated_at,
    waiting_since: conversation.waiting_since,
    snoozed_until: null,
    open: conversation.state === "open",
    state: conversation.state,
    read: conversation.read,
    priority: priority(profile),
    admin_assignee_id: assignee(profile, conversation.admin_assignee_id),
    team_assignee_id: assignee(profile, null),
    tags: { type: "tag.list", tags: [] },
    source: {
      type: "conversation",
      id: conversation.source.id,
      delivered_as: conversation.delivered_as,
      subject: conversation.source.subject,
      body: htmlBody(conversation.source.body),
      author: authorView(store, conversation.source.author),
      attachments: [],
      url: null,
      redacted: false
    },
    contacts: {
      type: "contact.list",
      contacts: conversation.contact_ids.map((id) => ({
        type: "contact",
        id,
        external_id: store.contacts.get(id)?.external_id ?? null
      }))
    },
    teammates: { type: "admin.list", teammates: [...admins].map((id) => ({ type: "admin", id })) },
    custom_attributes: {},
    ...(conversation.first_contact_reply_at === null
      ? {}
      : {
          first_contact_reply: {
            created_at: conversation.first_contact_reply_at,
            type: "conversation",
            url: null
          }
        }),
    statistics: {
      type: "conversation_statistics",
      ...optional("first_contact_reply_at", conversation.first_contact_reply_at),
      ...optional("last_contact_reply_at", conversation.last_contact_reply_at),
      ...optional("first_admin_reply_at", conversation.first_admin_reply_at),
      ...optional("last_admin_reply_at", conversation.last_admin_reply_at),
      count_reopens: 0,
      count_assignments: 0,
      count_conversation_parts: conversation.parts.length + 1
    },
    conversation_parts: {
      type: "conversation_part.list",
      conversation_parts: conversation.parts.map((part) => partView(store, part)),
      total_count: conversation.parts.length
    },
    linked_objects: { type: "list", total_count: 0, has_more: false, data: [] },
    ai_agent_participated: false
  }
}

/** `POST /conversations` answers with the message that started the conversation. */
export const messageView = (
  conversation: ConversationRecord
): Schemas["message"] & { conversation_id: string } => ({
  type: "user_message",
  id: conversation.source.id,
  created_at: conversation.created_at,
  ...(conversation.source.subject === "" ? {} : { subject: conversation.source.subject }),
  body: htmlBody(conversation.source.body),
  message_type: "inapp",
  conversation_id: conversation.id
})

/** Intercom's plan ids are numeric; one stable id per plan name. */
const planId = (name: string): string => {
  let hash = 7
  for (const char of name) hash = (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) >>> 0
  return String(hash)
}

export const companyView = (store: Store, company: CompanyRecord): Schemas["company"] => {
  const optional = <K extends string, V>(key: K, value: V | null) =>
    (value === null ? {} : { [key]: value }) as Partial<Record<K, V>>
  return {
    type: "company",
    id: company.id,
    name: company.name,
    app_id: store.workspace.id_code,
    ...(company.plan === null
      ? {}
      : { plan: { type: "plan", id: planId(company.plan), name: company.plan } }),
    company_id: company.company_id,
    ...optional("remote_created_at", company.remote_created_at),
    created_at: company.created_at,
    updated_at: company.updated_at,
    ...optional("last_request_at", company.last_request_at),
    ...optional("size", company.size),
    ...optional("website", company.website),
    ...optional("industry", company.industry),
    ...optional("monthly_spend", company.monthly_spend),
    session_count: company.session_count,
    user_count: company.user_count,
    custom_attributes: company.custom_attributes,
    tags: { type: "tag.list", tags: [] },
    segments: { type: "segment.list", segments: [] }
  }
}

export const tagView = (tag: TagRecord): Schemas["tag"] => ({ type: "tag", id: tag.id, name: tag.name })

export const tagListView = (tags: Iterable<TagRecord>): Schemas["tag_list"] => ({
  type: "list",
  data: [...tags].map(tagView)
})

export const adminWithAppView = (store: Store, admin: AdminRecord): Schemas["admin_with_app"] => ({
  type: "admin",
  id: admin.id,
  name: admin.name,
  email: admin.email,
  job_title: admin.job_title,
  away_mode_enabled: false,
  away_mode_reassign: false,
  has_inbox_seat: true,
  team_ids: [],
  avatar: { type: "avatar", image_url: null },
  email_verified: true,
  app: {
    type: "app",
    id_code: store.workspace.id_code,
    name: store.workspace.name,
    region: store.workspace.region,
    timezone: store.workspace.timezone,
    created_at: store.workspace.created_at,
    identity_verification: false
  }
})
