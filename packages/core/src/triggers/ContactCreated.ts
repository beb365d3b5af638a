/**
 * `intercom/contact-created`: a new contact, with role user (`contact.user.created`) or lead
 * (`contact.lead.created`).
 *
 * @since 0.1.0
 */
import { ContactItem } from "./IntercomItem.ts"
import { defineTopicChoiceTrigger } from "./TopicChoice.ts"

const contactCreatedTrigger = defineTopicChoiceTrigger({
  key: "intercom/contact-created",
  title: "Contact created",
  description: "Fires when a new contact is created: a user, a lead, or either.",
  option: "role",
  choice: {
    title: "Contact role",
    description: "user: identified users; lead: leads (anonymous or unidentified contacts)"
  },
  topicByChoice: [
    ["user", "contact.user.created"],
    ["lead", "contact.lead.created"]
  ],
  item: ContactItem,
  payloadIdentifier: "ContactCreatedPayload"
})

/**
 * Which new contacts fire: users, leads, or both (the default).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContactRole = contactCreatedTrigger.Choice

/**
 * The trigger's options.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContactCreatedOptions = contactCreatedTrigger.Options

/**
 * The activation payload: the notification envelope with the new contact in `data.item`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContactCreatedPayload = contactCreatedTrigger.Payload

/**
 * The trigger.
 *
 * @since 0.1.0
 * @category triggers
 */
export const contactCreated = contactCreatedTrigger.trigger
