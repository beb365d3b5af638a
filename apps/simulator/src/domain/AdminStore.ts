/**
 * The workspace's teammates: two admins, the first of them the one the access tokens act as
 * (`GET /me`).
 */
import * as Effect from "effect/Effect"
import { type NotFound, notFound } from "./DomainError.ts"
import type { AdminRecord } from "./Records.ts"
import type { Workspace } from "./Workspace.ts"

const defaultAdmins: ReadonlyArray<Omit<AdminRecord, "id">> = [
  { name: "Ada Lovelace", email: "ada@simulated-intercom.test", job_title: "Support lead" },
  { name: "Grace Hopper", email: "grace@simulated-intercom.test", job_title: "Support engineer" }
]

export class AdminStore {
  private readonly byId = new Map<string, AdminRecord>()

  constructor(workspace: Workspace) {
    for (const admin of workspace.persistence.load("admin") as ReadonlyArray<AdminRecord>) {
      this.byId.set(admin.id, admin)
    }
    if (!workspace.restored) {
      for (const admin of defaultAdmins) {
        const record = { id: workspace.nextNumericId(), ...admin }
        this.byId.set(record.id, record)
        workspace.persistence.save("admin", record.id, record)
      }
    }
  }

  get size(): number {
    return this.byId.size
  }

  values(): IterableIterator<AdminRecord> {
    return this.byId.values()
  }

  find(id: string): AdminRecord | undefined {
    return this.byId.get(id)
  }

  get(id: string): Effect.Effect<AdminRecord, NotFound> {
    const admin = this.byId.get(id)
    return admin === undefined ? Effect.fail(notFound("admin", id)) : Effect.succeed(admin)
  }

  /** The admin the access tokens act as. */
  get default(): AdminRecord {
    const first = this.byId.values().next().value
    if (first === undefined) throw new Error("the workspace has no admins")
    return first
  }
}
