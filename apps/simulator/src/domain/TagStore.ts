/**
 * The workspace's tags: a few to start with, created by name and renamed by id (`POST /tags`).
 */
import * as Effect from "effect/Effect"
import { type InvalidField, invalidField, missingField, type NotFound, notFound } from "./DomainError.ts"
import type { TagRecord } from "./Records.ts"
import type { Workspace } from "./Workspace.ts"

const defaultTags = ["VIP", "Churn risk", "Agency client", "Onboarding"]

export class TagStore {
  private readonly workspace: Workspace
  private readonly byId = new Map<string, TagRecord>()

  constructor(workspace: Workspace) {
    this.workspace = workspace
    for (const tag of workspace.persistence.load("tag") as ReadonlyArray<TagRecord>)
      this.byId.set(tag.id, tag)
    if (!workspace.restored) for (const name of defaultTags) this.put({ id: workspace.nextNumericId(), name })
  }

  get size(): number {
    return this.byId.size
  }

  values(): IterableIterator<TagRecord> {
    return this.byId.values()
  }

  find(id: string): TagRecord | undefined {
    return this.byId.get(id)
  }

  get(id: string): Effect.Effect<TagRecord, NotFound> {
    const tag = this.byId.get(id)
    return tag === undefined ? Effect.fail(notFound("tag", id)) : Effect.succeed(tag)
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
        this.put(renamed)
        return Effect.succeed(renamed)
      }
      if (sameName !== undefined) return Effect.succeed(sameName)
      const created = { id: this.workspace.nextNumericId(), name }
      this.put(created)
      return Effect.succeed(created)
    })
  }

  private put(tag: TagRecord): void {
    this.byId.set(tag.id, tag)
    this.workspace.persistence.save("tag", tag.id, tag)
  }
}
