/**
 * What the diff reports: one change of a used operation or schema, marked breaking or additive for
 * the way it flows, and the collector that gathers each change once with everything it is reached from.
 */

export type Impact = "breaking" | "additive"
/** `request`: we send it; `response`: we read it (responses and webhook items); `operation`: the call itself. */
export type Direction = "request" | "response" | "operation"

export type ChangeKind =
  | "operation-added"
  | "operation-removed"
  | "operation-moved"
  | "path-parameter-renamed"
  | "parameter-added"
  | "parameter-removed"
  | "parameter-required"
  | "parameter-optional"
  | "request-body-added"
  | "request-body-removed"
  | "status-added"
  | "status-removed"
  | "schema-added"
  | "schema-removed"
  | "field-added"
  | "field-removed"
  | "type-changed"
  | "enum-changed"
  | "required-added"
  | "required-removed"
  | "nullable-added"
  | "nullable-removed"
  | "variant-added"
  | "variant-removed"

export interface Change {
  readonly kind: ChangeKind
  readonly impact: Impact
  readonly direction: Direction
  /** Where: a component schema and property path (`contact.owner_id`), or an operation part. */
  readonly location: string
  /** One line a reviewer can read without the descriptions at hand. */
  readonly summary: string
  readonly from?: string
  readonly to?: string
  /** Enum values, field names or statuses that appear (`added`) or disappear (`removed`). */
  readonly added?: ReadonlyArray<string>
  readonly removed?: ReadonlyArray<string>
  /** The used operations and webhook items through which the change is reached. */
  readonly operations: ReadonlyArray<string>
  readonly webhookItems: ReadonlyArray<string>
  /** The actions, triggers (and `connection`) that depend on those. */
  readonly touches: ReadonlyArray<string>
}

/** What a change is reached through: a used operation or a webhook item. */
export interface Via {
  readonly operation?: string
  readonly webhookItem?: string
}

/** A change before the collector has gathered where it is reached from and what it touches. */
export type Draft = Omit<Change, "operations" | "webhookItems" | "touches">

export interface Collected {
  readonly draft: Draft
  readonly operations: Set<string>
  readonly webhookItems: Set<string>
}

/** Gathers each change once, however many operations and webhook items reach it. */
export class Collector {
  readonly drafts = new Map<string, Collected>()

  add(draft: Draft, via: Via): void {
    const key = JSON.stringify([
      draft.direction,
      draft.location,
      draft.kind,
      draft.from,
      draft.to,
      draft.added,
      draft.removed
    ])
    let entry = this.drafts.get(key)
    if (entry === undefined) {
      entry = { draft, operations: new Set(), webhookItems: new Set() }
      this.drafts.set(key, entry)
    }
    if (via.operation !== undefined) entry.operations.add(via.operation)
    if (via.webhookItem !== undefined) entry.webhookItems.add(via.webhookItem)
  }
}

export const formatList = (values: ReadonlyArray<string>): string =>
  values.map((value) => `\`${value}\``).join(", ")
