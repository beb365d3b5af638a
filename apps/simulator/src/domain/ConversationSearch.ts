/**
 * What `POST /conversations/search` can search: the fields Intercom's docs list for conversations that
 * the simulator keeps; the rest (ratings, statistics, channels) are searchable and hold no value.
 */
import type { ConversationRecord } from "./Records.ts"
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
  "source.url",
  "channel_initiated",
  "conversation_rating.requested_at",
  "conversation_rating.replied_at",
  "conversation_rating.score",
  "conversation_rating.remark",
  "conversation_rating.contact_id",
  "conversation_rating.admin_d",
  "ai_agent.resolution_state",
  "ai_agent.last_answer_type"
]
const untrackedDates = ["snoozed_until", "statistics.time_to_assignment", "statistics.last_assignment_at"]

const fields = fieldTable<ConversationRecord>(
  [
    ["id", textField((c) => c.id)],
    ["created_at", dateField((c) => c.created_at)],
    ["updated_at", dateField((c) => c.updated_at)],
    ["waiting_since", dateField((c) => c.waiting_since)],
    ["title", textField((c) => c.title)],
    ["state", textField((c) => c.state)],
    ["open", booleanField((c) => c.state === "open")],
    ["read", booleanField((c) => c.read)],
    ["priority", textField((c) => (c.prioritised ? "priority" : "not_priority"))],
    [
      "admin_assignee_id",
      integerField((c) => (c.admin_assignee_id === null ? null : Number(c.admin_assignee_id)))
    ],
    ["team_assignee_id", integerField(() => null)],
    ["contact_ids", idSetField((c) => c.contact_ids)],
    [
      "teammate_ids",
      idSetField((c) => c.parts.filter((p) => p.author.type === "admin").map((p) => p.author.id))
    ],
    ["tag_ids", idSetField(() => [])],
    ["source.id", textField((c) => c.source.id)],
    ["source.type", textField(() => "conversation")],
    ["source.delivered_as", textField((c) => c.delivered_as)],
    ["source.subject", textField((c) => c.source.subject)],
    ["source.body", textField((c) => c.source.body)],
    ["source.author.id", textField((c) => c.source.author.id)],
    ["source.author.type", textField((c) => c.source.author.type)],
    ["statistics.first_contact_reply_at", dateField((c) => c.first_contact_reply_at)],
    ["statistics.last_contact_reply_at", dateField((c) => c.last_contact_reply_at)],
    ["statistics.first_admin_reply_at", dateField((c) => c.first_admin_reply_at)],
    ["statistics.last_admin_reply_at", dateField((c) => c.last_admin_reply_at)]
  ],
  { date: untrackedDates, string: untrackedText }
)

export const conversationSearch: SearchFields<ConversationRecord> = {
  resource: "conversation",
  fields,
  customAttributes: () => ({}),
  defaultPerPage: 20
}
