/**
 * What changes for this integration between two Intercom descriptions: only the operations and
 * webhook items `specs/intercom/usage.json` declares, walked through every schema they reach
 * ($ref, allOf, oneOf, anyOf; cycles guarded), each change marked breaking or additive for the
 * direction it flows in (what we send, what we read) and mapped to the actions and triggers it touches.
 */
import { prepareSpec } from "./Generate.ts"
import type { Pins } from "./Pins.ts"
import type { ResolveOptions } from "./SpecResolver.ts"
import { loadUsage, missingFromDocument, type Usage, usagePath } from "./Usage.ts"

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

export interface DiffSide {
  readonly version: string
  readonly sha256?: string
}

export interface DiffReport {
  readonly from: DiffSide
  readonly to: DiffSide
  readonly summary: { readonly breaking: number; readonly additive: number }
  /** Per action, trigger or `connection`: how many changes of each impact touch it. */
  readonly byConsumer: Readonly<Record<string, { readonly breaking: number; readonly additive: number }>>
  readonly changes: ReadonlyArray<Change>
}

type Schema = Record<string, unknown>
type Document = Record<string, unknown>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const componentName = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1)

/** Follows a local `$ref` chain; returns the target and the last component name on the way. */
const deref = (document: Document, value: unknown): { readonly node: Schema; readonly name?: string } => {
  let node: unknown = value
  let name: string | undefined
  const seen = new Set<string>()
  while (isRecord(node) && typeof node.$ref === "string") {
    const ref = node.$ref
    if (seen.has(ref) || !ref.startsWith("#/")) break
    seen.add(ref)
    name = componentName(ref)
    node = ref
      .slice(2)
      .split("/")
      .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((current, key) => (isRecord(current) ? current[key] : undefined), document)
  }
  return name === undefined
    ? { node: isRecord(node) ? node : {} }
    : { node: isRecord(node) ? node : {}, name }
}

/** A schema reduced to what the diff compares, with allOf merged and single-member oneOf/anyOf unwrapped. */
interface Shape {
  readonly name: string | undefined
  /** The schema object in the document: its identity guards against cycles. */
  readonly identity: object
  readonly types: ReadonlySet<string>
  readonly nullable: boolean
  readonly enumValues: ReadonlyArray<string> | undefined
  readonly properties: ReadonlyMap<string, unknown>
  readonly required: ReadonlySet<string>
  readonly items: unknown
  readonly additionalProperties: unknown
  readonly variants: ReadonlyArray<unknown>
}

const typesOf = (schema: Schema): Array<string> => {
  const declared = schema.type
  if (typeof declared === "string") return [declared]
  if (Array.isArray(declared)) return declared.filter((type): type is string => typeof type === "string")
  return []
}

const emptyShape = (identity: object): Shape => ({
  name: undefined,
  identity,
  types: new Set(),
  nullable: false,
  enumValues: undefined,
  properties: new Map(),
  required: new Set(),
  items: undefined,
  additionalProperties: undefined,
  variants: []
})

/** `inside` holds the schemas being merged above this one: a schema made of itself adds nothing. */
const shapeOf = (document: Document, value: unknown, inside: ReadonlySet<object> = new Set()): Shape => {
  const { node, name: refName } = deref(document, value)
  if (inside.has(node)) return emptyShape(node)
  const within = new Set(inside).add(node)
  const ownNullable = isRecord(value) && value.nullable === true // a sibling of $ref, as authored
  const types = new Set(typesOf(node).filter((type) => type !== "null"))
  let nullable = ownNullable || node.nullable === true || typesOf(node).includes("null")
  const properties = new Map<string, unknown>()
  const required = new Set<string>()
  let name = refName
  let items: unknown = node.items
  let additionalProperties: unknown = node.additionalProperties
  let enumValues: ReadonlyArray<string> | undefined = Array.isArray(node.enum)
    ? node.enum.map((entry) => String(entry))
    : undefined
  const variants: Array<unknown> = []

  // allOf members, and a oneOf/anyOf of exactly one member, are the schema itself (a wrapper).
  const merged = [
    ...(Array.isArray(node.allOf) ? node.allOf : []),
    ...(Array.isArray(node.oneOf) && node.oneOf.length === 1 ? node.oneOf : []),
    ...(Array.isArray(node.anyOf) && node.anyOf.length === 1 ? node.anyOf : [])
  ]
  const namedMembers = merged.filter((member) => isRecord(member) && typeof member.$ref === "string")
  if (name === undefined && namedMembers.length === 1)
    name = componentName((namedMembers[0] as { $ref: string }).$ref)
  for (const member of merged) {
    const part = shapeOf(document, member, within)
    for (const type of part.types) types.add(type)
    for (const [key, schema] of part.properties) properties.set(key, schema)
    for (const key of part.required) required.add(key)
    items ??= part.items
    additionalProperties ??= part.additionalProperties
    enumValues ??= part.enumValues
    variants.push(...part.variants)
    if (merged.length === 1 && part.nullable) nullable = true
  }
  if (isRecord(node.properties))
    for (const [key, schema] of Object.entries(node.properties)) properties.set(key, schema)
  if (Array.isArray(node.required))
    for (const key of node.required) if (typeof key === "string") required.add(key)

  for (const keyword of ["oneOf", "anyOf"] as const) {
    const members = node[keyword]
    // anyOf members that only say which fields are required constrain the object; they are no variants.
    if (Array.isArray(members) && members.length > 1) {
      const structural = members.filter(
        (member) => !(isRecord(member) && Object.keys(member).every((key) => key === "required"))
      )
      variants.push(...structural)
    }
  }
  if (types.size === 0 && properties.size > 0) types.add("object")
  if (types.size === 0 && variants.length > 0) {
    for (const variant of variants)
      for (const type of shapeOf(document, variant, within).types) types.add(type)
  }
  return {
    name,
    identity: node,
    types,
    nullable,
    enumValues,
    properties,
    required,
    items,
    additionalProperties: isRecord(additionalProperties) ? additionalProperties : undefined,
    variants
  }
}

const typeLabel = (shape: Shape): string =>
  shape.types.size === 0 ? "any" : [...shape.types].sort().join(" | ")

const isSubset = (small: ReadonlySet<string>, large: ReadonlySet<string>): boolean =>
  [...small].every((entry) => large.has(entry))

interface Via {
  readonly operation?: string
  readonly webhookItem?: string
}

/** A change before the collector has gathered where it is reached from and what it touches. */
type Draft = Omit<Change, "operations" | "webhookItems" | "touches">

/** A schema change before the walk says where it is and which way it flows. */
type SchemaDraft = Omit<Draft, "direction" | "location">

class Collector {
  readonly drafts = new Map<string, { draft: Draft; operations: Set<string>; webhookItems: Set<string> }>()

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

interface Walk {
  readonly from: Document
  readonly to: Document
  readonly direction: "request" | "response"
  readonly via: Via
  readonly collector: Collector
  /** Pairs of schema objects already compared on this walk (cycle guard). */
  readonly visited: Map<object, Set<object>>
}

const formatList = (values: ReadonlyArray<string>): string => values.map((value) => `\`${value}\``).join(", ")

const compareSchemas = (walk: Walk, fromValue: unknown, toValue: unknown, place: string): void => {
  const from = shapeOf(walk.from, fromValue)
  const to = shapeOf(walk.to, toValue)
  const seen = walk.visited.get(from.identity) ?? new Set<object>()
  if (seen.has(to.identity)) return
  seen.add(to.identity)
  walk.visited.set(from.identity, seen)

  // Inside a named component, changes are reported against it, so each is listed once.
  const base = from.name !== undefined && to.name !== undefined ? to.name : place
  const { direction } = walk
  const reading = direction === "response"
  const emit = (draft: SchemaDraft, location: string = base) =>
    walk.collector.add({ ...draft, direction, location }, walk.via)

  // Between two unions the variants below say precisely what changed; the merged type would repeat it.
  const bothUnions = from.variants.length > 0 && to.variants.length > 0
  if (!bothUnions && (from.types.size > 0 || to.types.size > 0)) {
    const same = from.types.size === to.types.size && isSubset(from.types, to.types)
    if (!same) {
      // What we send may widen; what we read may narrow. Anything else breaks a caller.
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
  }

  if (from.nullable !== to.nullable) {
    emit(
      to.nullable
        ? {
            kind: "nullable-added",
            impact: reading ? "breaking" : "additive",
            summary: reading ? "may now be null: handle null" : "now accepts null",
            from: "not nullable",
            to: "nullable"
          }
        : {
            kind: "nullable-removed",
            // Reading: null no longer marks "none" (2.16 assignee ids say 0); sending: null is refused.
            impact: "breaking",
            summary: reading
              ? "no longer nullable: code that tests for null must change"
              : "no longer accepts null",
            from: "nullable",
            to: "not nullable"
          }
    )
  }

  if (from.enumValues !== undefined || to.enumValues !== undefined) {
    const before = new Set(from.enumValues ?? [])
    const after = new Set(to.enumValues ?? [])
    const added = [...after].filter((value) => !before.has(value)).sort()
    const removed = [...before].filter((value) => !after.has(value)).sort()
    if (from.enumValues === undefined || to.enumValues === undefined) {
      const opened = to.enumValues === undefined
      emit({
        kind: "enum-changed",
        // An open string is new values to read; a new constraint is values we may no longer send.
        impact: opened === reading ? "breaking" : "additive",
        summary: opened
          ? `enum dropped (was ${formatList(removed)}): any value`
          : `now restricted to ${formatList(added)}`,
        from: opened ? [...before].join(" | ") : "any",
        to: opened ? "any" : [...after].join(" | ")
      })
    } else if (added.length > 0 || removed.length > 0) {
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
  }

  if (from.types.has("object") && to.types.has("object")) compareProperties(walk, from, to, base, emit)

  if (from.items !== undefined && to.items !== undefined)
    compareSchemas(walk, from.items, to.items, `${base}[]`)
  if (from.additionalProperties !== undefined && to.additionalProperties !== undefined) {
    compareSchemas(walk, from.additionalProperties, to.additionalProperties, `${base}{}`)
  }
  if (from.variants.length > 0 || to.variants.length > 0) compareVariants(walk, from, to, base, emit)
}

const compareProperties = (
  walk: Walk,
  from: Shape,
  to: Shape,
  base: string,
  emit: (draft: SchemaDraft, location?: string) => void
): void => {
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
  const common = [...from.properties.keys()].filter((key) => to.properties.has(key))
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
  for (const key of common)
    compareSchemas(walk, from.properties.get(key), to.properties.get(key), `${base}.${key}`)
}

/** A variant is known by its component name, else by its type ("string", "object"), else its position. */
const variantNames = (document: Document, variants: ReadonlyArray<unknown>): ReadonlyArray<string> => {
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

const compareVariants = (
  walk: Walk,
  from: Shape,
  to: Shape,
  base: string,
  emit: (draft: SchemaDraft, location?: string) => void
): void => {
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
    const named = isRecord(to.variants[index]) && typeof (to.variants[index] as Schema).$ref === "string"
    compareSchemas(walk, from.variants[match], to.variants[index], named ? name : `${base}|${name}`)
  })
  const removed = fromNames.filter((name) => !toNames.includes(name))
  if (added.length > 0) {
    emit({
      kind: "variant-added",
      // A new shape to read must be handled; a new shape we may send is an option.
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

// Operations ------------------------------------------------------------------------------------

const httpMethods = ["get", "put", "post", "delete", "patch", "head", "options"] as const

interface FoundOperation {
  readonly method: string
  readonly path: string
  readonly operation: Schema
  readonly pathItem: Schema
}

const findOperation = (document: Document, operationId: string): FoundOperation | undefined => {
  for (const [path, pathItem] of Object.entries(isRecord(document.paths) ? document.paths : {})) {
    if (!isRecord(pathItem)) continue
    for (const method of httpMethods) {
      const operation = pathItem[method]
      if (isRecord(operation) && operation.operationId === operationId) {
        return { method: method.toUpperCase(), path, operation, pathItem }
      }
    }
  }
  return undefined
}

interface Parameter {
  readonly name: string
  readonly in: string
  readonly required: boolean
  readonly schema: unknown
}

const parametersOf = (document: Document, found: FoundOperation): ReadonlyArray<Parameter> => {
  const byKey = new Map<string, Parameter>()
  for (const list of [found.pathItem.parameters, found.operation.parameters]) {
    if (!Array.isArray(list)) continue
    for (const raw of list) {
      const { node } = deref(document, raw)
      if (typeof node.name !== "string" || typeof node.in !== "string") continue
      byKey.set(`${node.in}:${node.name}`, {
        name: node.name,
        in: node.in,
        required: node.required === true,
        schema: node.schema
      })
    }
  }
  // The client sends Intercom-Version itself, from the build's version; its enum grows every release.
  return [...byKey.values()].filter(
    (parameter) => !(parameter.in === "header" && parameter.name.toLowerCase() === "intercom-version")
  )
}

const pathParameterNames = (path: string): ReadonlyArray<string> =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? "")

const jsonSchemaOf = (document: Document, holder: unknown): unknown => {
  const { node } = deref(document, holder)
  const content = node.content
  if (!isRecord(content)) return undefined
  const media = content["application/json"] ?? Object.values(content)[0]
  return isRecord(media) ? media.schema : undefined
}

const isErrorStatus = (status: string): boolean => !status.startsWith("2") && !status.startsWith("3")

const compareOperation = (from: Document, to: Document, operationId: string, collector: Collector): void => {
  const via: Via = { operation: operationId }
  const before = findOperation(from, operationId)
  const after = findOperation(to, operationId)
  const emit = (draft: Omit<Draft, "direction">) => collector.add({ ...draft, direction: "operation" }, via)
  if (before === undefined && after === undefined) return
  if (before === undefined || after === undefined) {
    const present = (before ?? after) as FoundOperation
    emit({
      kind: before === undefined ? "operation-added" : "operation-removed",
      impact: before === undefined ? "additive" : "breaking",
      location: `${operationId} (${present.method} ${present.path})`,
      summary: before === undefined ? "operation appears" : "operation no longer exists"
    })
    return
  }
  const where = `${operationId} (${after.method} ${after.path})`
  const shape = (path: string) => path.replace(/\{[^}]+\}/g, "{}")
  if (before.method !== after.method || shape(before.path) !== shape(after.path)) {
    emit({
      kind: "operation-moved",
      impact: "breaking",
      location: where,
      summary: `moved from ${before.method} ${before.path}`,
      from: `${before.method} ${before.path}`,
      to: `${after.method} ${after.path}`
    })
  } else if (before.path !== after.path) {
    const oldNames = pathParameterNames(before.path)
    const newNames = pathParameterNames(after.path)
    const renames = oldNames
      .map((name, index) => [name, newNames[index] ?? ""] as const)
      .filter(([a, b]) => a !== b)
    emit({
      kind: "path-parameter-renamed",
      // Same URL on the wire, but the generated `params.path` keys change: callers stop compiling.
      impact: "breaking",
      location: where,
      summary: `path parameter ${renames.map(([a, b]) => `{${a}} → {${b}}`).join(", ")} (same URL, new name in params.path)`,
      from: before.path,
      to: after.path,
      removed: renames.map(([a]) => a),
      added: renames.map(([, b]) => b)
    })
  }

  const walk = (direction: "request" | "response"): Walk => ({
    from,
    to,
    direction,
    via,
    collector,
    visited: new Map()
  })

  // Path parameters are matched by position (their names are the rename above); others by name.
  const key = (parameter: Parameter, path: string) =>
    parameter.in === "path"
      ? `path:#${pathParameterNames(path).indexOf(parameter.name)}`
      : `${parameter.in}:${parameter.name}`
  const oldParameters = new Map(parametersOf(from, before).map((p) => [key(p, before.path), p]))
  const newParameters = new Map(parametersOf(to, after).map((p) => [key(p, after.path), p]))
  for (const [id, parameter] of newParameters) {
    const old = oldParameters.get(id)
    const label = `${operationId} ${parameter.in} parameter ${parameter.name}`
    if (old === undefined) {
      emit({
        kind: "parameter-added",
        impact: parameter.required ? "breaking" : "additive",
        location: label,
        summary: `new ${parameter.required ? "required" : "optional"} ${parameter.in} parameter`
      })
      continue
    }
    if (old.required !== parameter.required) {
      emit({
        kind: parameter.required ? "parameter-required" : "parameter-optional",
        impact: parameter.required ? "breaking" : "additive",
        location: label,
        summary: parameter.required ? "now required" : "now optional"
      })
    }
    compareSchemas(walk("request"), old.schema, parameter.schema, label)
  }
  for (const [id, parameter] of oldParameters) {
    if (newParameters.has(id)) continue
    emit({
      kind: "parameter-removed",
      impact: "breaking",
      location: `${operationId} ${parameter.in} parameter ${parameter.name}`,
      summary: `${parameter.in} parameter removed: no longer documented, may be ignored`
    })
  }

  const oldBody = jsonSchemaOf(from, before.operation.requestBody)
  const newBody = jsonSchemaOf(to, after.operation.requestBody)
  if (oldBody !== undefined && newBody !== undefined) {
    compareSchemas(walk("request"), oldBody, newBody, `${operationId} request body`)
  } else if (oldBody !== newBody) {
    emit({
      kind: oldBody === undefined ? "request-body-added" : "request-body-removed",
      impact: "breaking",
      location: `${operationId} request body`,
      summary: oldBody === undefined ? "now takes a JSON body" : "no longer takes a JSON body"
    })
  }

  const oldResponses = isRecord(before.operation.responses) ? before.operation.responses : {}
  const newResponses = isRecord(after.operation.responses) ? after.operation.responses : {}
  const oldStatuses = Object.keys(oldResponses)
  const newStatuses = Object.keys(newResponses)
  for (const status of newStatuses) {
    if (oldStatuses.includes(status)) {
      const oldSchema = jsonSchemaOf(from, oldResponses[status])
      const newSchema = jsonSchemaOf(to, newResponses[status])
      if (oldSchema !== undefined && newSchema !== undefined) {
        compareSchemas(walk("response"), oldSchema, newSchema, `${operationId} ${status} response`)
      }
      continue
    }
    const { node } = deref(to, newResponses[status])
    const description = typeof node.description === "string" ? ` (${node.description})` : ""
    emit({
      kind: "status-added",
      // A new error status is a failure the action must map to a step error (retryable or not).
      impact: isErrorStatus(status) ? "breaking" : "additive",
      location: `${operationId} responses`,
      summary: `new ${isErrorStatus(status) ? "error " : ""}status ${status}${description}`,
      added: [status]
    })
  }
  for (const status of oldStatuses) {
    if (newStatuses.includes(status)) continue
    emit({
      kind: "status-removed",
      impact: isErrorStatus(status) ? "additive" : "breaking",
      location: `${operationId} responses`,
      summary: `status ${status} no longer documented`,
      removed: [status]
    })
  }
}

const compareWebhookItem = (
  from: Document,
  to: Document,
  type: string,
  schemaName: string,
  collector: Collector
): void => {
  const ref = { $ref: `#/components/schemas/${schemaName}` }
  const exists = (document: Document) =>
    isRecord(document.components) &&
    isRecord(document.components.schemas) &&
    document.components.schemas[schemaName] !== undefined
  const via: Via = { webhookItem: type }
  if (!exists(from) || !exists(to)) {
    if (exists(from) !== exists(to)) {
      collector.add(
        {
          kind: exists(to) ? "schema-added" : "schema-removed",
          impact: exists(to) ? "additive" : "breaking",
          direction: "response",
          location: schemaName,
          summary: exists(to) ? "schema appears" : `schema no longer defined (webhook item ${type})`
        },
        via
      )
    }
    return
  }
  compareSchemas(
    { from, to, direction: "response", via, collector, visited: new Map() },
    ref,
    ref,
    schemaName
  )
}

const impactOrder: Record<Impact, number> = { breaking: 0, additive: 1 }

/** Compares two (overlay-patched) descriptions for what `usage` declares. */
export const diffDocuments = (
  from: Document,
  to: Document,
  usage: Usage,
  sides: { readonly from: DiffSide; readonly to: DiffSide }
): DiffReport => {
  const collector = new Collector()
  for (const operationId of Object.keys(usage.operations)) compareOperation(from, to, operationId, collector)
  for (const [type, item] of Object.entries(usage.webhookItems)) {
    compareWebhookItem(from, to, type, item.schema, collector)
  }

  const changes: Array<Change> = [...collector.drafts.values()].map(({ draft, operations, webhookItems }) => {
    const touches = new Set<string>()
    for (const id of operations) for (const key of usage.operations[id]?.usedBy ?? []) touches.add(key)
    for (const type of webhookItems)
      for (const key of usage.webhookItems[type]?.usedBy ?? []) touches.add(key)
    return {
      ...draft,
      operations: [...operations].sort(),
      webhookItems: [...webhookItems].sort(),
      touches: [...touches].sort()
    }
  })
  changes.sort(
    (a, b) =>
      impactOrder[a.impact] - impactOrder[b.impact] ||
      a.location.localeCompare(b.location) ||
      a.kind.localeCompare(b.kind)
  )

  const byConsumer: Record<string, { breaking: number; additive: number }> = {}
  for (const change of changes) {
    for (const key of change.touches) {
      const counts = byConsumer[key] ?? { breaking: 0, additive: 0 }
      counts[change.impact]++
      byConsumer[key] = counts
    }
  }
  return {
    from: sides.from,
    to: sides.to,
    summary: {
      breaking: changes.filter((change) => change.impact === "breaking").length,
      additive: changes.filter((change) => change.impact === "additive").length
    },
    byConsumer: Object.fromEntries(Object.entries(byConsumer).sort(([a], [b]) => a.localeCompare(b))),
    changes
  }
}

export class UsageNotInDescriptions extends Error {
  readonly _tag = "UsageNotInDescriptions"
  readonly missing: ReadonlyArray<string>
  constructor(usageSource: string, versions: ReadonlyArray<string>, missing: ReadonlyArray<string>) {
    super(
      `${usageSource} names what neither Intercom ${versions.join(" nor ")} defines: ${missing.join(", ")}. ` +
        "Fix the operationId or schema name there."
    )
    this.missing = missing
  }
}

/** Resolves, patches and validates both pinned versions, then diffs what the usage declares. */
export const diffVersions = async (
  fromVersion: string,
  toVersion: string,
  options: ResolveOptions & { readonly pins?: Pins; readonly usagePath?: string } = {}
): Promise<DiffReport> => {
  const usageSource = options.usagePath ?? usagePath
  const usage = loadUsage(usageSource)
  const from = await prepareSpec(fromVersion, options)
  const to = await prepareSpec(toVersion, options)
  const missingFrom = new Set(missingFromDocument(usage, from.document))
  const missingInBoth = missingFromDocument(usage, to.document).filter((entry) => missingFrom.has(entry))
  if (missingInBoth.length > 0)
    throw new UsageNotInDescriptions(usageSource, [fromVersion, toVersion], missingInBoth)
  return diffDocuments(from.document, to.document, usage, {
    from: { version: from.version, sha256: from.sha256 },
    to: { version: to.version, sha256: to.sha256 }
  })
}
