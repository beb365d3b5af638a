/**
 * The workspace's tags: a few to start with, created by name and renamed by id (`POST /tags`).
 */
import * as Effect from "effect/Effect"
import { type InvalidField, invalidField, missingField, type NotFound, notFound } from "./DomainError.ts"
import { RecordStore } from "./RecordStore.ts"
import type { TagRecord } from "./Records.ts"
import type { Workspace } from "./Workspace.ts"

const defaultTags = ["VIP", "Churn risk", "Agency client", "Onboarding"]

export class TagStore extends RecordStore<TagRecord> {
  private readonly workspace: Workspace

  constructor(workspace: Workspace) {
    super("tag")
    this.workspace = workspace
    for (const tag of workspace.persistence.load("tag") as ReadonlyArray<TagRecord>) this.put(tag)
    if (!workspace.restored)
      for (const name of defaultTags) this.save({ id: workspace.nextNumericId(), name })
  }

  /**
   * Intercom's create-or-update: with an `id`, renames that tag; without, answers the tag of that name
   * (tag names are unique), creating it when there is none.
   */
  createOrUpdate(input: {
    readonly name: string
    readonly id?: string | undefined
  }): Effect.Effect<TagRecord, NotFound | InvalidField> {
    return Effect.suspend((): Effect.Effect<TagRecord, NotFound | InvalidField> => {
      const name = input.name.trim()
      if (name === "") return Effect.fail(missingField("name", "name must not be empty"))
      const sameName = [...this.byId.values()].find((tag) => tag.name === name)
      if (input.id !== undefined) {
        const tag = this.byId.get(input.id)
        if (tag === undefined) return Effect.fail(notFound("tag", input.id))
        if (sameName !== undefined && sameName.id !== tag.id) {
          return Effect.fail(invalidField("name", `A tag named "${name}" already exists (id ${sameName.id})`))
        }
        const renamed = { ...tag, name }
        this.save(renamed)
        return Effect.succeed(renamed)
      }
      if (sameName !== undefined) return Effect.succeed(sameName)
      const created = { id: this.workspace.nextNumericId(), name }
      this.save(created)
      return Effect.succeed(created)
    })
  }

  private save(tag: TagRecord): void {
    this.put(tag)
    this.workspace.persistence.save("tag", tag.id, tag)
  }
}
