/**
 * `intercom/contact-created`: a new contact, with role user (`contact.user.created`) or lead
 * (`contact.lead.created`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { notificationEnvelopeWith } from "../webhooks/WebhookEnvelope.ts"
import { ContactItem } from "./IntercomItem.ts"
import { defineTrigger } from "./Trigger.ts"

const topicByRole = {
  user: "contact.user.created",
  lead: "contact.lead.created"
} as const

/**
 * Which new contacts fire: users, leads, or both (the default).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContactRole = Schema.Literals(["user", "lead", "both"]).annotate({
  default: "both",
  title: "Contact role",
  description: "user: identified users; lead: leads (anonymous or unidentified contacts)"
})

/**
 * The trigger's options.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContactCreatedOptions = Schema.Struct({
  role: ContactRole.pipe(Schema.withDecodingDefaultKey(Effect.succeed("both" as const)))
})

/**
 * The activation payload: the notification envelope with the new contact in `data.item`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContactCreatedPayload = notificationEnvelopeWith(
  ContactItem,
  Schema.Literals([topicByRole.user, topicByRole.lead])
).annotate({ identifier: "ContactCreatedPayload" })

/**
 * The trigger.
 *
 * @since 0.1.0
 * @category triggers
 */
export const contactCreated = defineTrigger({
  key: "intercom/contact-created",
  title: "Contact created",
  description: "Fires when a new contact is created: a user, a lead, or either.",
  topics: [topicByRole.user, topicByRole.lead],
  options: ContactCreatedOptions,
  payload: ContactCreatedPayload,
  activates: (topic, options) =>
    options.role === "both"
      ? topic === topicByRole.user || topic === topicByRole.lead
      : topic === topicByRole[options.role]
})
