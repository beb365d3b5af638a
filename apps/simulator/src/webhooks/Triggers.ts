/**
 * `trigger <topic>`: like the Stripe CLI, a trigger makes the change that causes the event, here in
 * the simulated workspace (a new contact, a conversation started by a contact or an admin, a reply),
 * so the notification carries real state. `ping` changes nothing. The triggerable topics are the
 * core's `webhookTopics`, the ones the integration subscribes to.
 */
import { webhookTopics } from "@taskjuice/intercom-core"
import * as Effect from "effect/Effect"
import type { ContactRecord, ContactRole, ConversationRecord, StateChange } from "../domain/Records.ts"
import type { WorkspaceStore } from "../domain/WorkspaceStore.ts"
import type { Random } from "../Random.ts"

export const triggerTopics: ReadonlyArray<string> = webhookTopics

const firstNames = ["Maya", "Noah", "Priya", "Liam", "Sofia", "Kenji", "Amara", "Lucas", "Elif", "Tomás"]
const lastNames = [
  "Lindqvist",
  "Okafor",
  "Sharma",
  "Nguyen",
  "Rossi",
  "Tanaka",
  "Dubois",
  "Kowalski",
  "Haddad"
]
const companies = ["northwind", "acme", "globex", "initech", "umbrella", "hooli", "vandelay"]
const openers = [
  "Hi! Our invoices stopped syncing yesterday, can you take a look?",
  "How do I add a second workspace to our plan?",
  "The export button does nothing on Safari.",
  "Can we move our renewal date to the first of the month?"
]
const replies = [
  "Thanks, that fixed it!",
  "Still seeing the same error, sorry.",
  "Here is a screenshot of what I see."
]

const pick = <A>(random: Random, values: ReadonlyArray<A>): A => values[random.int(values.length)]!

/** A realistic new contact; generated data never collides with what exists. */
const newContact = (
  store: WorkspaceStore,
  random: Random,
  role: ContactRole
): Effect.Effect<ContactRecord> => {
  const first = pick(random, firstNames)
  const last = pick(random, lastNames)
  const handle = `${first}.${last}`
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z.]/g, "")
  return store.contacts
    .create({
      role,
      name: `${first} ${last}`,
      ...(role === "user"
        ? {
            email: `${handle}.${random.hex(12)}@${pick(random, companies)}.example`,
            external_id: `cust_${random.hex(16)}`
          }
        : {})
    })
    .pipe(Effect.orDie)
}

/** A contact-started conversation to reply to: the newest open one, or a new one. */
const conversationToReplyTo = (
  store: WorkspaceStore,
  random: Random
): Effect.Effect<{ readonly conversation: ConversationRecord; readonly contact: ContactRecord }> =>
  Effect.gen(function* () {
    let latest: ConversationRecord | undefined
    for (const conversation of store.conversations.values()) {
      if (conversation.delivered_as === "customer_initiated" && conversation.state === "open")
        latest = conversation
    }
    const known = latest === undefined ? undefined : store.contacts.find(latest.contact_ids[0] ?? "")
    if (latest !== undefined && known !== undefined) return { conversation: latest, contact: known }
    const contact = yield* newContact(store, random, "user")
    return {
      conversation: store.conversations.startByContact({ contact, body: pick(random, openers) }),
      contact
    }
  })

/**
 * Makes the change behind `topic`. Succeeds with false for topics it cannot cause (the caller then
 * sends the core's fixture for it); `ping` needs no change and succeeds with true.
 */
export const causeTopic = (store: WorkspaceStore, random: Random, topic: string): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    switch (topic) {
      case "contact.user.created":
        yield* newContact(store, random, "user")
        return true
      case "contact.lead.created":
        yield* newContact(store, random, "lead")
        return true
      case "conversation.user.created": {
        const contact = yield* newContact(store, random, random.next() < 0.5 ? "user" : "lead")
        store.conversations.startByContact({ contact, body: pick(random, openers) })
        return true
      }
      case "conversation.admin.single.created": {
        const contact = yield* newContact(store, random, "user")
        store.conversations.startByAdmin({
          admin: store.defaultAdmin,
          contact,
          body: "Hi! Checking in: how is the onboarding going?"
        })
        return true
      }
      case "conversation.user.replied": {
        const { conversation, contact } = yield* conversationToReplyTo(store, random)
        yield* Effect.orDie(store.conversations.replyAsContact(conversation, contact, pick(random, replies)))
        return true
      }
      case "ping":
        return true
      default:
        return false
    }
  })

/** The topics Intercom sends for a change (the app subscribes to the ones it wants). */
export const topicsFor = (change: StateChange): ReadonlyArray<string> => {
  switch (change.type) {
    case "contact.created":
      return [`contact.${change.contact.role}.created`]
    case "contact.updated":
      return change.previousRole === "lead" && change.contact.role === "user"
        ? ["contact.lead.signed_up"]
        : [`contact.${change.contact.role}.updated`]
    case "conversation.created":
      return [change.by === "contact" ? "conversation.user.created" : "conversation.admin.single.created"]
    case "conversation.replied":
      if (change.by === "contact") return ["conversation.user.replied"]
      return [change.part.part_type === "note" ? "conversation.admin.noted" : "conversation.admin.replied"]
    case "company.created":
      return ["company.created"]
  }
}
