import type { AnyActionDefinition } from "./Action.ts"
import { CreateCompany } from "./CreateCompany.ts"
import { CreateContact } from "./CreateContact.ts"
import { CreateConversation } from "./CreateConversation.ts"
import { GetContact } from "./GetContact.ts"
import { ListContacts } from "./ListContacts.ts"
import { ListTags } from "./ListTags.ts"
import { ReplyConversation } from "./ReplyConversation.ts"
import { UpdateContact } from "./UpdateContact.ts"

export {
  type ActionContext,
  type ActionDefinition,
  ActionInputInvalid,
  type AnyActionDefinition,
  type CallActionDefinition,
  decodeInput,
  defineAction,
  defineCallAction,
  executeAction,
  type InputIssue,
  inputIssues,
  inputJsonSchemaOptions
} from "./Action.ts"
export { CreateCompany, CreateCompanyInput } from "./CreateCompany.ts"
export {
  ContactOutcome,
  CreateContact,
  CreateContactInput,
  CreateContactOutput
} from "./CreateContact.ts"
export { CreateConversation, CreateConversationInput } from "./CreateConversation.ts"
export { GetContact, GetContactInput } from "./GetContact.ts"
export { allContacts, ContactsPage, ListContacts, ListContactsInput } from "./ListContacts.ts"
export { ListTags, ListTagsInput, TagList } from "./ListTags.ts"
export {
  AdminReplyInput,
  ContactReplyInput,
  ReplyConversation,
  ReplyConversationInput
} from "./ReplyConversation.ts"
export { UpdateContact, UpdateContactInput } from "./UpdateContact.ts"

/** The eight Intercom actions, in the order TaskJuice lists them. */
export const actions: ReadonlyArray<AnyActionDefinition> = [
  CreateContact,
  GetContact,
  UpdateContact,
  ListContacts,
  CreateConversation,
  ReplyConversation,
  CreateCompany,
  ListTags
]

export const actionByKey = (key: string): AnyActionDefinition | undefined =>
  actions.find((action) => action.key === key)
