/**
 * The simulated workspace's records, as the stores keep them (and the state file holds them): only
 * what the workspace knows, never how a version shows it (`http/Views.ts` does that).
 */

export interface WorkspaceRecord {
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

export type ContactRole = "user" | "lead"

/** A tag on a contact: which, when and by whom (`applied_at`, `applied_by` in Intercom's answers). */
export interface AppliedTag {
  readonly id: string
  readonly applied_at: number
  readonly applied_by: { readonly type: "admin"; readonly id: string }
}

export interface ContactRecord {
  id: string
  role: ContactRole
  external_id: string | null
  email: string | null
  phone: string | null
  name: string | null
  avatar: string | null
  /** Kept as text: up to 2.15 requests and answers carry an integer, from 2.16 a string. */
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
  tags: Array<AppliedTag>
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
  /** Whether an admin marked it as priority (one flag up to 2.15; 2.16's levels read it as `high`). */
  prioritised: boolean
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
  monthly_spend: number
  created_at: number
  updated_at: number
  last_request_at: number | null
  session_count: number
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

/** What happened, for webhooks and the dashboard. */
export type StateChange =
  | { readonly type: "contact.created"; readonly contact: ContactRecord }
  | {
      readonly type: "contact.updated"
      readonly contact: ContactRecord
      readonly previousRole: ContactRole
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
