/**
 * The workspace's teammates: two admins, the first of them the one the access tokens act as
 * (`GET /me`).
 */

import { RecordStore } from "./RecordStore.ts"
import type { AdminRecord } from "./Records.ts"
import type { Workspace } from "./Workspace.ts"

const defaultAdmins: ReadonlyArray<Omit<AdminRecord, "id">> = [
  { name: "Ada Lovelace", email: "ada@simulated-intercom.test", job_title: "Support lead" },
  { name: "Grace Hopper", email: "grace@simulated-intercom.test", job_title: "Support engineer" }
]

export class AdminStore extends RecordStore<AdminRecord> {
  constructor(workspace: Workspace) {
    super("admin")
    for (const admin of workspace.persistence.load("admin") as ReadonlyArray<AdminRecord>) this.put(admin)
    if (!workspace.restored) {
      for (const admin of defaultAdmins) {
        const record = { id: workspace.nextNumericId(), ...admin }
        this.put(record)
        workspace.persistence.save("admin", record.id, record)
      }
    }
  }

  /** The admin the access tokens act as. */
  get default(): AdminRecord {
    const first = this.byId.values().next().value
    if (first === undefined) throw new Error("the workspace has no admins")
    return first
  }
}
