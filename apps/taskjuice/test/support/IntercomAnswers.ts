/**
 * Intercom-shaped answers for the loopback Intercom. The contact and the conversation are the core's
 * webhook fixtures (realistic objects kept valid under every pinned API version, 2.10 to 2.16), checked
 * here against the build's own description so a version that stops accepting them fails loudly; the
 * smaller answers are typed by the generated client.
 */
import { apiVersion, type components } from "@taskjuice/intercom-client"
import { webhookFixture } from "@taskjuice/intercom-core"
import { SpecSchemas } from "@taskjuice/intercom-simulator"

type Schemas = components["schemas"]

const spec = new SpecSchemas()

const isDescribed = <Name extends keyof Schemas & string>(
  name: Name,
  value: unknown
): value is Schemas[Name] => spec.componentErrors(name, value).length === 0

/** The value as the build's description of `name`, or an error naming what does not fit. */
const described = <Name extends keyof Schemas & string>(name: Name, value: unknown): Schemas[Name] => {
  const candidate = value
  if (isDescribed(name, candidate)) return candidate
  const problems = spec
    .componentErrors(name, value)
    .map((error) => `${error.instancePath || "/"} ${error.message ?? ""}`)
  throw new Error(`The ${name} answer is not valid for Intercom ${apiVersion}: ${problems.join("; ")}`)
}

const fixtureContact = described("contact", webhookFixture("contact.user.created").data.item)

const idOf = (name: string, value: { readonly id?: string | null | undefined }): string => {
  if (typeof value.id !== "string" || value.id === "") throw new Error(`The ${name} answer has no id`)
  return value.id
}

export const contactId = idOf("contact", fixtureContact)

export const contact = (overrides: Partial<Schemas["contact"]> = {}): Schemas["contact"] => ({
  ...structuredClone(fixtureContact),
  ...overrides
})

export const contactList = (
  contacts: ReadonlyArray<Schemas["contact"]>,
  next?: string
): Schemas["contact_list"] => ({
  type: "list",
  data: [...contacts],
  total_count: 31,
  pages: {
    type: "pages",
    page: 1,
    per_page: 2,
    total_pages: 16,
    ...(next === undefined ? { next: null } : { next: { per_page: 2, starting_after: next } })
  }
})

export const message: Schemas["message"] = {
  type: "user_message",
  id: "403918251",
  created_at: 1719492819,
  subject: "",
  body: "Hello, I need help with my invoice",
  message_type: "inapp",
  conversation_id: "363"
}

/** An open conversation with a contact's reply (so it carries parts), as a reply action gets back. */
export const conversation: Schemas["conversation"] = described(
  "conversation",
  webhookFixture("conversation.user.replied").data.item
)

export const conversationId = idOf("conversation", conversation)

export const company: Schemas["company"] = {
  type: "company",
  id: "6672d3a9d5f3a8e0c1a1f0b1",
  name: "Acme",
  app_id: "a86dr8yl",
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
  request_id: "b6a4b0c6-1111-4d2c-9b1a-000000000001",
  errors: [{ code, message, ...(field === undefined ? {} : { field }) }]
})
