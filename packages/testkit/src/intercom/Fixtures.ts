/**
 * The API fixtures every package's tests answer with: Intercom-shaped contacts, conversations,
 * companies, tags, the `/me` admin and error lists, typed by the generated client's schemas so a pinned
 * description they stop fitting fails the typecheck (the bundle's tests also check them against the
 * description itself).
 */
import type { components } from "@taskjuice/intercom-client"

type Schemas = components["schemas"]

export const contactId = "63a07ddf05a32042dffac965"

export const conversationId = "363"

export const contact = (overrides: Partial<Schemas["contact"]> = {}): Schemas["contact"] => ({
  type: "contact",
  id: contactId,
  workspace_id: "ecahpwf5",
  external_id: "user-42",
  role: "user",
  email: "ada@example.com",
  phone: null,
  name: "Ada Lovelace",
  avatar: null,
  owner_id: null,
  social_profiles: { data: [] },
  has_hard_bounced: false,
  marked_email_as_spam: false,
  unsubscribed_from_emails: false,
  created_at: 1719492819,
  updated_at: 1719492819,
  signed_up_at: null,
  last_seen_at: null,
  last_replied_at: null,
  last_contacted_at: null,
  last_email_opened_at: null,
  last_email_clicked_at: null,
  language_override: null,
  browser: null,
  browser_version: null,
  browser_language: null,
  os: null,
  custom_attributes: {},
  location: { type: "location", country: null, region: null, city: null },
  ...overrides
})

export const contactList = (
  contacts: ReadonlyArray<Schemas["contact"]>,
  options: { readonly total?: number; readonly next?: string; readonly perPage?: number } = {}
): Schemas["contact_list"] => ({
  type: "list",
  data: [...contacts],
  total_count: options.total ?? contacts.length,
  pages: {
    type: "pages",
    page: 1,
    per_page: options.perPage ?? 10,
    total_pages: 1,
    ...(options.next === undefined
      ? { next: null }
      : { next: { per_page: options.perPage ?? 10, starting_after: options.next } })
  }
})

export const message: Schemas["message"] = {
  type: "user_message",
  id: "403918251",
  created_at: 1719492819,
  subject: "",
  body: "Hello there",
  message_type: "inapp",
  conversation_id: conversationId
}

/**
 * Intercom sends `custom_attributes` on every conversation: 2.11 requires it, while 2.10, 2.12 and
 * 2.13 leave it out of the description. Spread in, it is not an excess property there.
 */
const conversationCustomAttributes = { custom_attributes: {} }

export const conversation: Schemas["conversation"] = {
  type: "conversation",
  id: conversationId,
  title: null,
  created_at: 1719492819,
  updated_at: 1719492900,
  waiting_since: null,
  snoozed_until: null,
  open: true,
  state: "open",
  read: false,
  admin_assignee_id: 991267596,
  team_assignee_id: 5017691,
  source: {
    type: "conversation",
    id: "403918251",
    delivered_as: "customer_initiated",
    subject: "",
    body: "Hello there",
    author: { type: "user", id: contactId, name: "Ada Lovelace", email: "ada@example.com" },
    attachments: [],
    url: null,
    redacted: false
  },
  contacts: { type: "contact.list", contacts: [{ type: "contact", id: contactId }] },
  teammates: { type: "admin.list", teammates: [] },
  ...conversationCustomAttributes,
  conversation_parts: {
    type: "conversation_part.list",
    conversation_parts: [
      {
        type: "conversation_part",
        id: "7777",
        part_type: "comment",
        body: "<p>On it!</p>",
        created_at: 1719492900,
        updated_at: 1719492900,
        notified_at: 1719492900,
        assigned_to: null,
        author: { type: "admin", id: "991267596", name: "Grace", email: "grace@example.com" },
        attachments: [],
        external_id: null,
        redacted: false
      }
    ],
    total_count: 1
  }
}

export const company: Schemas["company"] = {
  type: "company",
  id: "6672d3a9d5f3a8e0c1a1f0b1",
  name: "Acme",
  app_id: "ecahpwf5",
  plan: { type: "plan", id: "269315", name: "enterprise" },
  company_id: "acme-42",
  remote_created_at: 1719492819,
  created_at: 1719492819,
  updated_at: 1719492819,
  last_request_at: 1719492819,
  size: 120,
  website: "https://acme.example",
  industry: "Manufacturing",
  monthly_spend: 1000,
  session_count: 0,
  user_count: 0,
  custom_attributes: { tier: "gold" },
  tags: { type: "tag.list", tags: [] },
  segments: { type: "segment.list", segments: [] }
}

export const tagList: Schemas["tag_list"] = {
  type: "list",
  data: [
    { type: "tag", id: "81", name: "vip" },
    { type: "tag", id: "82", name: "churn-risk" }
  ]
}

export const errorList = (code: string, message: string, field?: string): Schemas["error"] => ({
  type: "error.list",
  request_id: "b3f8f9e6-1c4e-4c8e-9a55-6a1a9a9c2a11",
  errors: [{ code, message, ...(field === undefined ? {} : { field }) }]
})

/** Intercom's answer to a token it does not know (or no longer knows: revoked). */
export const unauthorized: Schemas["error"] = errorList("unauthorized", "Access Token Invalid")

/** The workspace (app) and the admin behind an access token, as `GET /me` names them. */
export interface Workspace {
  readonly idCode: string
  readonly name: string
  readonly region: string
  readonly adminId: string
  readonly adminEmail: string
}

export const workspace: Workspace = {
  idCode: "ws1abcde",
  name: "Acme Support",
  region: "US",
  adminId: "991",
  adminEmail: "ana@acme.test"
}

/**
 * `GET /me` for a workspace: the admin and its app. Only the fields a connection reads, since the
 * descriptions disagree on the rest of `admin_with_app` from version to version.
 */
export const me = (of: Workspace = workspace) => ({
  type: "admin" as const,
  id: of.adminId,
  name: "Ana",
  email: of.adminEmail,
  email_verified: true,
  app: {
    type: "app" as const,
    id_code: of.idCode,
    name: of.name,
    region: of.region,
    timezone: "Europe/Dublin",
    created_at: 1700000000,
    identity_verification: false
  }
})
