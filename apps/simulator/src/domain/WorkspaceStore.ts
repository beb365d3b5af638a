/**
 * One simulated workspace: a store per resource over one shared `Workspace` (clock, ids, state file,
 * change listeners). What the handle exposes as `sim.store`.
 */
import { AdminStore } from "./AdminStore.ts"
import { CompanyStore } from "./CompanyStore.ts"
import { ContactStore } from "./ContactStore.ts"
import { ConversationStore } from "./ConversationStore.ts"
import { AccessTokens, AuthorizationCodes } from "./Credentials.ts"
import type { AdminRecord, StateChange, WorkspaceRecord } from "./Records.ts"
import { TagStore } from "./TagStore.ts"
import type { Workspace } from "./Workspace.ts"

export interface StateCounts {
  readonly contacts: number
  readonly users: number
  readonly leads: number
  readonly conversations: number
  readonly conversationParts: number
  readonly companies: number
  readonly tags: number
  readonly admins: number
}

export class WorkspaceStore {
  readonly admins: AdminStore
  readonly tags: TagStore
  readonly contacts: ContactStore
  readonly conversations: ConversationStore
  readonly companies: CompanyStore
  readonly tokens: AccessTokens
  readonly codes: AuthorizationCodes
  private readonly shared: Workspace

  constructor(shared: Workspace) {
    this.shared = shared
    this.admins = new AdminStore(shared)
    this.tags = new TagStore(shared)
    this.contacts = new ContactStore(shared)
    this.conversations = new ConversationStore(shared, this.contacts)
    this.companies = new CompanyStore(shared)
    this.tokens = new AccessTokens(shared)
    this.codes = new AuthorizationCodes(shared)
  }

  get workspace(): WorkspaceRecord {
    return this.shared.record
  }

  /** The admin the access tokens act as. */
  get defaultAdmin(): AdminRecord {
    return this.admins.default
  }

  onChange(listener: (change: StateChange) => void): () => void {
    return this.shared.onChange(listener)
  }

  counts(): StateCounts {
    let users = 0
    for (const contact of this.contacts.values()) if (contact.role === "user") users++
    return {
      contacts: this.contacts.size,
      users,
      leads: this.contacts.size - users,
      conversations: this.conversations.size,
      conversationParts: this.conversations.parts,
      companies: this.companies.size,
      tags: this.tags.size,
      admins: this.admins.size
    }
  }

  close(): void {
    this.shared.persistence.close()
  }
}
