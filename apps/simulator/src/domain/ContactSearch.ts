/**
 * What `POST /contacts/search` can search: the spec's "Accepted Fields" for contacts. Fields the
 * simulator does not track (browser, devices, location) are searchable and hold no value, exactly as
 * the contacts it answers show them (null).
 */
import type { ContactRecord } from "./Records.ts"
import {
  booleanField,
  dateField,
  fieldTable,
  idSetField,
  integerField,
  type SearchFields,
  textField
} from "./SearchQuery.ts"

const untrackedText = [
  "language_override",
  "browser",
  "browser_language",
  "os",
  "location.country",
  "location.region",
  "location.city",
  "ios_app_version",
  "ios_device",
  "ios_app_device",
  "ios_os_version",
  "ios_app_name",
  "ios_sdk_version",
  "android_app_version",
  "android_device",
  "android_app_name",
  "android_sdk_version",
  // The spec's table spells it this way.
  "andoid_sdk_version"
]
const untrackedDates = [
  "last_email_opened_at",
  "last_email_clicked_at",
  "ios_last_seen_at",
  "android_last_seen_at"
]

const fields = fieldTable<ContactRecord>(
  [
    ["id", textField((c) => c.id)],
    ["role", textField((c) => c.role)],
    ["name", textField((c) => c.name)],
    ["avatar", textField((c) => c.avatar)],
    ["owner_id", integerField((c) => (c.owner_id === null ? null : Number(c.owner_id)))],
    ["email", { ...textField((c) => c.email), caseless: true }],
    ["email_domain", { ...textField((c) => c.email?.split("@")[1] ?? null), caseless: true }],
    ["phone", textField((c) => c.phone)],
    ["formatted_phone", textField((c) => c.phone)],
    ["external_id", textField((c) => c.external_id)],
    ["created_at", dateField((c) => c.created_at)],
    ["signed_up_at", dateField((c) => c.signed_up_at)],
    ["updated_at", dateField((c) => c.updated_at)],
    ["last_seen_at", dateField((c) => c.last_seen_at)],
    ["last_contacted_at", dateField((c) => c.last_contacted_at)],
    ["last_replied_at", dateField((c) => c.last_replied_at)],
    ["unsubscribed_from_emails", booleanField((c) => c.unsubscribed_from_emails)],
    ["marked_email_as_spam", booleanField(() => false)],
    ["has_hard_bounced", booleanField(() => false)],
    ["tag_id", idSetField((c) => c.tags.map((tag) => tag.id))],
    // The simulator has no segments: every contact is in none.
    ["segment_id", idSetField(() => [])]
  ],
  { date: untrackedDates, string: untrackedText }
)

export const contactSearch: SearchFields<ContactRecord> = {
  resource: "contact",
  fields,
  customAttributes: (contact) => contact.custom_attributes,
  defaultPerPage: 50
}

export const searchableContactFields: ReadonlyArray<string> = [...fields.keys(), "custom_attributes.<name>"]
