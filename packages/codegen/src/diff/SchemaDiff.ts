/**
 * Two versions of a schema compared, recursively through properties, items, additional properties
 * and union variants, each change marked breaking or additive for the way it flows: what we send may
 * widen, what we read may narrow, anything else breaks a caller.
 */
import { componentName, isRecord } from "../SpecRefs.ts"
import { type Collector, type Draft, formatList, type Via } from "./Change.ts"
import { type Shape, shapeOf, typeLabel } from "./SchemaShape.ts"

/** One comparison of what an operation or webhook item reaches, in one direction. */
export interface Walk {
  readonly from: unknown
  readonly to: unknown
  readonly direction: "request" | "response"
  readonly via: Via
  readonly collector: Collector
  /** Pairs of schema objects already compared on this walk (cycle guard). */
  readonly visited: Map<object, Set<object>>
}

/** A schema change before the walk says where it is and which way it flows. */
type SchemaDraft = Omit<Draft, "direction" | "location">

type Emit = (draft: SchemaDraft, location?: string) => void

const isSubset = (small: ReadonlySet<string>, large: ReadonlySet<string>): boolean =>
  [...small].every((entry) => large.has(entry))

/** Whether this pair was compared already on the walk (and, if not, marks it). */
const alreadyCompared = (walk: Walk, from: Shape, to: Shape): boolean => {
  const seen = walk.visited.get(from.identity) ?? new Set<object>()
  if (seen.has(to.identity)) return true
  seen.add(to.identity)
  walk.visited.set(from.identity, seen)
  return false
}

const compareTypes = (from: Shape, to: Shape, reading: boolean, emit: Emit): void => {
  // Between two unions the variants say precisely what changed; the merged type would repeat it.
  const bothUnions = from.variants.length > 0 && to.variants.length > 0
  if (bothUnions || (from.types.size === 0 && to.types.size === 0)) return
  if (from.types.size === to.types.size && isSubset(from.types, to.types)) return
  const compatible = reading
    ? to.types.size > 0 && isSubset(to.types, from.types)
    : to.types.size === 0 || isSubset(from.types, to.types)
  emit({
    kind: "type-changed",
    impact: compatible ? "additive" : "breaking",
    summary: `type ${typeLabel(from)} → ${typeLabel(to)}`,
    from: typeLabel(from),
    to: typeLabel(to)
  })
}

const compareNullable = (from: Shape, to: Shape, reading: boolean, emit: Emit): void => {
  if (from.nullable === to.nullable) return
  if (to.nullable) {
    emit({
      kind: "nullable-added",
      impact: reading ? "breaking" : "additive",
      summary: reading ? "may now be null: handle null" : "now accepts null",
      from: "not nullable",
      to: "nullable"
    })
    return
  }
  emit({
    kind: "nullable-removed",
    // Reading: null no longer marks "none" (2.16 assignee ids say 0); sending: null is refused.
    impact: "breaking",
    summary: reading ? "no longer nullable: code that tests for null must change" : "no longer accepts null",
    from: "nullable",
    to: "not nullable"
  })
}

/** The enum values on each side, and what appears and disappears between them. */
interface EnumChange {
  readonly before: ReadonlySet<string>
  readonly after: ReadonlySet<string>
  readonly added: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
}

/** An enum that appears or disappears: an open string is new values to read, a new constraint values we may no longer send. */
const compareEnumPresence = (opened: boolean, change: EnumChange, reading: boolean, emit: Emit): void => {
  emit({
    kind: "enum-changed",
    impact: opened === reading ? "breaking" : "additive",
    summary: opened
      ? `enum dropped (was ${formatList(change.removed)}): any value`
      : `now restricted to ${formatList(change.added)}`,
    from: opened ? [...change.before].join(" | ") : "any",
    to: opened ? "any" : [...change.after].join(" | ")
  })
}

const compareEnums = (from: Shape, to: Shape, reading: boolean, emit: Emit): void => {
  if (from.enumValues === undefined && to.enumValues === undefined) return
  const before = new Set(from.enumValues ?? [])
  const after = new Set(to.enumValues ?? [])
  const added = [...after].filter((value) => !before.has(value)).sort()
  const removed = [...before].filter((value) => !after.has(value)).sort()
  if (from.enumValues === undefined || to.enumValues === undefined) {
    compareEnumPresence(to.enumValues === undefined, { before, after, added, removed }, reading, emit)
    return
  }
  if (added.length === 0 && removed.length === 0) return
  emit({
    kind: "enum-changed",
    impact: removed.length > 0 || (reading && added.length > 0) ? "breaking" : "additive",
    summary: [
      added.length > 0 ? `adds ${formatList(added)}` : "",
      removed.length > 0 ? `removes ${formatList(removed)}` : ""
    ]
      .filter((part) => part !== "")
      .join("; "),
    from: [...before].join(" | "),
    to: [...after].join(" | "),
    added,
    removed
  })
}

export const compareSchemas = (walk: Walk, fromValue: unknown, toValue: unknown, place: string): void => {
  const from = shapeOf(walk.from, fromValue)
  const to = shapeOf(walk.to, toValue)
  if (alreadyCompared(walk, from, to)) return
  // Inside a named component, changes are reported against it, so each is listed once.
  const base = from.name !== undefined && to.name !== undefined ? to.name : place
  const { direction } = walk
  const reading = direction === "response"
  const emit: Emit = (draft, location = base) =>
    walk.collector.add({ ...draft, direction, location }, walk.via)
  compareTypes(from, to, reading, emit)
  compareNullable(from, to, reading, emit)
  compareEnums(from, to, reading, emit)
  if (from.types.has("object") && to.types.has("object")) compareProperties(walk, from, to, base, emit)
  if (from.items !== undefined && to.items !== undefined)
    compareSchemas(walk, from.items, to.items, `${base}[]`)
  if (from.additionalProperties !== undefined && to.additionalProperties !== undefined)
    compareSchemas(walk, from.additionalProperties, to.additionalProperties, `${base}{}`)
  if (from.variants.length > 0 || to.variants.length > 0) compareVariants(walk, from, to, base, emit)
}

const compareFieldPresence = (walk: Walk, from: Shape, to: Shape, base: string, emit: Emit): void => {
  const reading = walk.direction === "response"
  for (const [key, schema] of to.properties) {
    if (from.properties.has(key)) continue
    const required = to.required.has(key)
    emit(
      {
        kind: "field-added",
        impact: !reading && required ? "breaking" : "additive",
        summary: `new ${required ? "required " : ""}field (${typeLabel(shapeOf(walk.to, schema))})`
      },
      `${base}.${key}`
    )
  }
  for (const key of from.properties.keys()) {
    if (to.properties.has(key)) continue
    emit(
      {
        kind: "field-removed",
        impact: "breaking",
        summary: reading ? "field removed: no longer returned" : "field removed: no longer accepted"
      },
      `${base}.${key}`
    )
  }
}

const compareRequired = (
  common: ReadonlyArray<string>,
  from: Shape,
  to: Shape,
  reading: boolean,
  emit: Emit
): void => {
  const nowRequired = common.filter((key) => to.required.has(key) && !from.required.has(key)).sort()
  const noLongerRequired = common.filter((key) => from.required.has(key) && !to.required.has(key)).sort()
  if (nowRequired.length > 0) {
    emit({
      kind: "required-added",
      // We must now send them; or we may now rely on reading them.
      impact: reading ? "additive" : "breaking",
      summary: `now required (${nowRequired.length}): ${formatList(nowRequired)}`,
      added: nowRequired
    })
  }
  if (noLongerRequired.length > 0) {
    emit({
      kind: "required-removed",
      impact: reading ? "breaking" : "additive",
      summary: `no longer required (${noLongerRequired.length}): ${formatList(noLongerRequired)}`,
      removed: noLongerRequired
    })
  }
}

const compareProperties = (walk: Walk, from: Shape, to: Shape, base: string, emit: Emit): void => {
  compareFieldPresence(walk, from, to, base, emit)
  const common = [...from.properties.keys()].filter((key) => to.properties.has(key))
  compareRequired(common, from, to, walk.direction === "response", emit)
  for (const key of common)
    compareSchemas(walk, from.properties.get(key), to.properties.get(key), `${base}.${key}`)
}

/** A variant is known by its component name, else by its type ("string", "object"), else its position. */
const variantNames = (document: unknown, variants: ReadonlyArray<unknown>): ReadonlyArray<string> => {
  const names = variants.map((variant, index) => {
    if (isRecord(variant) && typeof variant.$ref === "string") return componentName(variant.$ref)
    const label = typeLabel(shapeOf(document, variant))
    return label === "any" ? `#${index + 1}` : label
  })
  // Two inline variants of one type cannot be told apart by it: fall back to positions.
  return names.map((name, index) =>
    names.indexOf(name) === names.lastIndexOf(name) ? name : `#${index + 1}`
  )
}

const compareVariants = (walk: Walk, from: Shape, to: Shape, base: string, emit: Emit): void => {
  const reading = walk.direction === "response"
  const fromNames = variantNames(walk.from, from.variants)
  const toNames = variantNames(walk.to, to.variants)
  const added: Array<string> = []
  toNames.forEach((name, index) => {
    const match = fromNames.indexOf(name)
    if (match === -1) {
      added.push(name)
      return
    }
    const variant = to.variants[index]
    const named = isRecord(variant) && typeof variant.$ref === "string"
    compareSchemas(walk, from.variants[match], variant, named ? name : `${base}|${name}`)
  })
  const removed = fromNames.filter((name) => !toNames.includes(name))
  if (added.length > 0) {
    // A new shape to read must be handled; a new shape we may send is an option.
    emit({
      kind: "variant-added",
      impact: reading ? "breaking" : "additive",
      summary: `new variants: ${formatList(added)}`,
      added
    })
  }
  if (removed.length > 0) {
    emit({
      kind: "variant-removed",
      impact: "breaking",
      summary: `variants removed: ${formatList(removed)}`,
      removed
    })
  }
}
