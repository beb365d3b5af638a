/**
 * Stored records as Intercom's answers show them: every field any pinned version's description or
 * recorded example has for the object, with realistic values. The request's version then keeps the
 * fields it knows (`spec/AnswerShape.ts`); the few values whose type or words changed between versions
 * come from its `VersionProfile`.
 */
import type { Page } from "../domain/CreationOrder.ts"
import type {
  AdminRecord,
  AppliedTag,
  CompanyRecord,
  ContactRecord,
  ConversationRecord,
  PartAuthor,
  PartRecord,
  TagRecord
} from "../domain/Records.ts"
import type { WorkspaceStore } from "../domain/WorkspaceStore.ts"
import type { VersionProfile } from "../spec/VersionSpec.ts"

type Json = Record<string, unknown>

/** Intercom keeps message bodies as HTML paragraphs. */
export const htmlBody = (body: string): string => (body.trimStart().startsWith("<") ? body : `<p>${body}</p>`)

const ownerId = (profile: VersionProfile, value: string | null): string | number | null => {
  if (value === null) return null
  if (profile.ownerIdAsString) return value
  const numeric = Number(value)
  return Number.isSafeInteger(numeric) ? numeric : null
}

const assignee = (profile: VersionProfile, value: string | null): number | null =>
  value === null ? (profile.unassignedAsZero ? 0 : null) : Number(value)

/** A sub-list of a contact (`tags`, `notes`, `companies`, subscriptions): its first items and where the rest are. */
const contactList = (url: string, data: ReadonlyArray<unknown>): Json => ({
  type: "list",
  data,
  url,
  total_count: data.length,
  has_more: false
})

const nullFields = (names: ReadonlyArray<string>): Json =>
  Object.fromEntries(names.map((name) => [name, null]))

const deviceFields = nullFields([
  "last_email_opened_at",
  "last_email_clicked_at",
  "language_override",
  "browser",
  "browser_version",
  "browser_language",
  "os",
  "android_app_name",
  "android_app_version",
  "android_device",
  "android_os_version",
  "android_sdk_version",
  "android_last_seen_at",
  "ios_app_name",
  "ios_app_version",
  "ios_device",
  "ios_os_version",
  "ios_sdk_version",
  "ios_last_seen_at"
])

const attributionFields = nullFields([
  "utm_campaign",
  "utm_content",
  "utm_medium",
  "utm_source",
  "utm_term",
  "referrer"
])

export const contactView = (store: WorkspaceStore, profile: VersionProfile, contact: ContactRecord): Json => {
  const url = `/contacts/${contact.id}`
  return {
    type: "contact",
    id: contact.id,
    workspace_id: store.workspace.id_code,
    external_id: contact.external_id,
    role: contact.role,
    email: contact.email ?? "",
    email_domain: contact.email?.split("@")[1] ?? "",
    phone: contact.phone,
    formatted_phone: contact.phone,
    name: contact.name,
    avatar: contact.avatar === null ? null : { type: "avatar", image_url: contact.avatar },
    owner_id: ownerId(profile, contact.owner_id),
    social_profiles: { type: "list", data: [] },
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: contact.unsubscribed_from_emails,
    created_at: contact.created_at,
    updated_at: contact.updated_at,
    signed_up_at: contact.signed_up_at,
    last_seen_at: contact.last_seen_at,
    last_replied_at: contact.last_replied_at,
    last_contacted_at: contact.last_contacted_at,
    ...deviceFields,
    location: {
      type: "location",
      country: null,
      region: null,
      city: null,
      country_code: null,
      continent_code: null
    },
    custom_attributes: contact.custom_attributes,
    tags: contactList(
      `${url}/tags`,
      contact.tags.map((tag) => ({ type: "tag", id: tag.id, url: `/tags/${tag.id}` }))
    ),
    notes: contactList(`${url}/notes`, []),
    companies: contactList(
      `${url}/companies`,
      contact.company_ids.map((id) => ({ type: "company", id, url: `/companies/${id}` }))
    ),
    opted_out_subscription_types: contactList(`${url}/subscriptions`, []),
    opted_in_subscription_types: contactList(`${url}/subscriptions`, []),
    ...attributionFields,
    enabled_push_messaging: null
  }
}

const pages = (page: Page<unknown>): Json => ({
  type: "pages",
  page: page.page,
  per_page: page.perPage,
  total_pages: page.totalPages,
  ...(page.startingAfter === null
    ? {}
    : { next: { per_page: page.perPage, starting_after: page.startingAfter } })
})

export const contactListView = (
  store: WorkspaceStore,
  profile: VersionProfile,
  page: Page<ContactRecord>
): Json => ({
  type: "list",
  data: page.data.map((contact) => contactView(store, profile, contact)),
  total_count: page.totalCount,
  pages: pages(page)
})

const authorView = (store: WorkspaceStore, author: PartAuthor): Json => {
  if (author.type === "admin") {
    const admin = store.admins.find(author.id)
    return { type: "admin", id: author.id, name: admin?.name ?? null, email: admin?.email ?? "" }
  }
  const contact = store.contacts.find(author.id)
  return { type: author.type, id: author.id, name: contact?.name ?? null, email: contact?.email ?? "" }
}

const partView = (store: WorkspaceStore, part: PartRecord): Json => ({
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
  redacted: false,
  email_message_metadata: null,
  state: "open",
  tags: [],
  event_details: null,
  app_package_code: null
})

const defined = (entries: Json): Json =>
  Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== null))

export const conversationView = (
  store: WorkspaceStore,
  profile: VersionProfile,
  conversation: ConversationRecord
): Json => {
  const admins = new Set<string>()
  if (conversation.source.author.type === "admin") admins.add(conversation.source.author.id)
  for (const part of conversation.parts) if (part.author.type === "admin") admins.add(part.author.id)
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
    priority: conversation.prioritised ? profile.priority : profile.noPriority,
    admin_assignee_id: assignee(profile, conversation.admin_assignee_id),
    team_assignee_id: assignee(profile, null),
    company: null,
    tags: { type: "tag.list", tags: [] },
    conversation_rating: null,
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
        external_id: store.contacts.find(id)?.external_id ?? null
      }))
    },
    teammates: { type: "admin.list", teammates: [...admins].map((id) => ({ type: "admin", id })) },
    custom_attributes: {},
    topics: {},
    ticket: null,
    first_contact_reply:
      conversation.first_contact_reply_at === null
        ? null
        : { created_at: conversation.first_contact_reply_at, type: "conversation", url: null },
    sla_applied: null,
    statistics: {
      type: "conversation_statistics",
      ...defined({
        first_contact_reply_at: conversation.first_contact_reply_at,
        last_contact_reply_at: conversation.last_contact_reply_at,
        first_admin_reply_at: conversation.first_admin_reply_at,
        last_admin_reply_at: conversation.last_admin_reply_at
      }),
      count_reopens: 0,
      count_assignments: 0,
      count_conversation_parts: conversation.parts.length + 1
    },
    conversation_parts: {
      type: "conversation_part.list",
      conversation_parts: conversation.parts.map((part) => partView(store, part)),
      total_count: conversation.parts.length
    },
    linked_objects: { type: "list", data: [], total_count: 0, has_more: false },
    ai_agent: null,
    ai_agent_participated: false,
    sales_agent: null,
    sales_agent_participated: false,
    external_references: [],
    monitor_evaluations: [],
    scorecards: []
  }
}

export const conversationListView = (
  store: WorkspaceStore,
  profile: VersionProfile,
  page: Page<ConversationRecord>
): Json => ({
  type: "conversation.list",
  pages: pages(page),
  total_count: page.totalCount,
  conversations: page.data.map((conversation) => conversationView(store, profile, conversation))
})

/** `POST /conversations` answers with the message that started the conversation, as sent. */
export const messageView = (conversation: ConversationRecord): Json => ({
  type: "user_message",
  id: conversation.source.id,
  created_at: conversation.created_at,
  ...(conversation.source.subject === "" ? {} : { subject: conversation.source.subject }),
  body: conversation.source.body,
  message_type: "inapp",
  conversation_id: conversation.id
})

/** Intercom's plan ids are numeric; one stable id per plan name. */
const planId = (name: string): string => {
  let hash = 7
  for (const char of name) hash = (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) >>> 0
  return String(hash)
}

export const companyView = (store: WorkspaceStore, company: CompanyRecord): Json => ({
  type: "company",
  company_id: company.company_id,
  id: company.id,
  app_id: store.workspace.id_code,
  name: company.name,
  remote_created_at: company.remote_created_at ?? company.created_at,
  created_at: company.created_at,
  updated_at: company.updated_at,
  ...defined({
    last_request_at: company.last_request_at,
    size: company.size,
    website: company.website,
    industry: company.industry
  }),
  monthly_spend: company.monthly_spend,
  session_count: company.session_count,
  user_count: store.contacts.countAttachedTo(company.id),
  tags: { type: "tag.list", tags: [] },
  segments: { type: "segment.list", segments: [] },
  // Intercom's examples show `{}` for a company on no plan.
  plan: company.plan === null ? {} : { type: "plan", id: planId(company.plan), name: company.plan },
  custom_attributes: company.custom_attributes
})

export const companyListView = (store: WorkspaceStore, page: Page<CompanyRecord>): Json => ({
  type: "list",
  data: page.data.map((company) => companyView(store, company)),
  pages: { ...pages(page), next: null },
  total_count: page.totalCount
})

export const tagView = (tag: TagRecord, applied?: AppliedTag): Json => ({
  type: "tag",
  id: tag.id,
  name: tag.name,
  ...(applied === undefined ? {} : { applied_at: applied.applied_at, applied_by: applied.applied_by })
})

export const tagListView = (tags: ReadonlyArray<Json>): Json => ({ type: "list", data: tags })

export const adminView = (admin: AdminRecord): Json => ({
  type: "admin",
  id: admin.id,
  name: admin.name,
  email: admin.email,
  job_title: admin.job_title,
  away_mode_enabled: false,
  away_mode_reassign: false,
  away_status_reason_id: null,
  has_inbox_seat: true,
  team_ids: []
})

export const adminListView = (admins: Iterable<AdminRecord>): Json => ({
  type: "admin.list",
  admins: [...admins].map(adminView)
})

export const adminWithAppView = (store: WorkspaceStore, admin: AdminRecord): Json => ({
  type: "admin",
  id: admin.id,
  email: admin.email,
  name: admin.name,
  job_title: admin.job_title,
  away_mode_enabled: false,
  away_mode_reassign: false,
  has_inbox_seat: true,
  team_ids: [],
  email_verified: true,
  app: {
    type: "app",
    id_code: store.workspace.id_code,
    name: store.workspace.name,
    created_at: store.workspace.created_at,
    secure: false,
    identity_verification: false,
    timezone: store.workspace.timezone,
    region: store.workspace.region
  },
  avatar: {
    type: "avatar",
    image_url: "https://static.intercomassets.com/assets/default-avatars/admins/128.png"
  }
})
