/**
 * Everything one pinned version's description decides about a request and its answer: the validators,
 * the answer's shape, and the few values whose type or vocabulary changed between versions, each read
 * from the description itself (never from a version number), so a new pin brings its own.
 */
import { isObject } from "effect/Predicate"
import { AnswerShape } from "./AnswerShape.ts"
import { type OpenApiDocument, SpecSchemas } from "./SpecSchemas.ts"

/** The values that differ between versions for the objects the simulator answers with. */
export interface VersionProfile {
  readonly version: string
  /** `contact.owner_id` is a string (2.16) rather than an integer. */
  readonly ownerIdAsString: boolean
  /** The word for a conversation of no priority: `not_priority` up to 2.15, `none` from 2.16. */
  readonly noPriority: string
  /** The word for a prioritised conversation: `priority` up to 2.15, `high` from 2.16's levels. */
  readonly priority: string
  /** An unassigned conversation's assignee ids are `0` (2.16, not nullable) rather than `null`. */
  readonly unassignedAsZero: boolean
}

const propertyOf = (schemas: SpecSchemas, component: string, property: string): Record<string, unknown> => {
  const schema = schemas.component(component)
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {}
  const found = schemas.resolve(properties[property])
  return isObject(found) ? found : {}
}

const profileOf = (version: string, schemas: SpecSchemas): VersionProfile => {
  const priorities = propertyOf(schemas, "conversation", "priority").enum
  const levels = Array.isArray(priorities) ? priorities.map(String) : []
  const hasLevels = levels.includes("none")
  return {
    version,
    ownerIdAsString: propertyOf(schemas, "contact", "owner_id").type === "string",
    noPriority: hasLevels ? "none" : "not_priority",
    priority: hasLevels ? "high" : "priority",
    unassignedAsZero: propertyOf(schemas, "conversation", "admin_assignee_id").nullable !== true
  }
}

export class VersionSpec {
  readonly version: string
  readonly schemas: SpecSchemas
  readonly shape: AnswerShape
  readonly profile: VersionProfile

  constructor(version: string, document: OpenApiDocument) {
    this.version = version
    this.schemas = new SpecSchemas(document)
    this.shape = new AnswerShape(this.schemas)
    this.profile = profileOf(version, this.schemas)
  }
}
