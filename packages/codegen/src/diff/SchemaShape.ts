/**
 * A schema reduced to what the diff compares: its types, nullability, enum, properties and required
 * fields, items, additional properties and union variants, with `$ref`s followed, `allOf` merged and
 * a single-member `oneOf`/`anyOf` unwrapped (a wrapper is the schema itself).
 */
import { componentName, deref, isRecord, type JsonObject } from "../SpecRefs.ts"

export interface Shape {
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

/** A shape while its members are merged in. */
interface Building {
  name: string | undefined
  readonly types: Set<string>
  nullable: boolean
  enumValues: ReadonlyArray<string> | undefined
  readonly properties: Map<string, unknown>
  readonly required: Set<string>
  items: unknown
  additionalProperties: unknown
  readonly variants: Array<unknown>
}

const typesOf = (schema: JsonObject): Array<string> => {
  const declared = schema.type
  if (typeof declared === "string") return [declared]
  if (Array.isArray(declared)) return declared.filter((type): type is string => typeof type === "string")
  return []
}

export const typeLabel = (shape: Shape): string =>
  shape.types.size === 0 ? "any" : [...shape.types].sort().join(" | ")

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

/** allOf members, and a oneOf/anyOf of exactly one member: the schema itself, wrapped. */
const mergedMembers = (node: JsonObject): ReadonlyArray<unknown> => [
  ...(Array.isArray(node.allOf) ? node.allOf : []),
  ...(Array.isArray(node.oneOf) && node.oneOf.length === 1 ? node.oneOf : []),
  ...(Array.isArray(node.anyOf) && node.anyOf.length === 1 ? node.anyOf : [])
]

/** The union members of a oneOf/anyOf of several; members that only say which fields are required are no variants. */
const variantsOf = (node: JsonObject): ReadonlyArray<unknown> =>
  (["oneOf", "anyOf"] as const).flatMap((keyword) => {
    const members = node[keyword]
    if (!Array.isArray(members) || members.length <= 1) return []
    return members.filter(
      (member) => !(isRecord(member) && Object.keys(member).every((key) => key === "required"))
    )
  })

/** The schema's own keywords, before any member is merged in. */
const ownShape = (value: unknown, node: JsonObject, name: string | undefined): Building => ({
  name,
  types: new Set(typesOf(node).filter((type) => type !== "null")),
  // `nullable` beside a `$ref`, as authored, counts too.
  nullable:
    (isRecord(value) && value.nullable === true) || node.nullable === true || typesOf(node).includes("null"),
  enumValues: Array.isArray(node.enum) ? node.enum.map((entry) => String(entry)) : undefined,
  properties: new Map(),
  required: new Set(),
  items: node.items,
  additionalProperties: node.additionalProperties,
  variants: []
})

const mergeMember = (shape: Building, part: Shape, onlyMember: boolean): void => {
  for (const type of part.types) shape.types.add(type)
  for (const [key, schema] of part.properties) shape.properties.set(key, schema)
  for (const key of part.required) shape.required.add(key)
  shape.items ??= part.items
  shape.additionalProperties ??= part.additionalProperties
  shape.enumValues ??= part.enumValues
  shape.variants.push(...part.variants)
  if (onlyMember && part.nullable) shape.nullable = true
}

const addOwnFields = (shape: Building, node: JsonObject): void => {
  if (isRecord(node.properties))
    for (const [key, schema] of Object.entries(node.properties)) shape.properties.set(key, schema)
  if (Array.isArray(node.required))
    for (const key of node.required) if (typeof key === "string") shape.required.add(key)
}

/** `inside` holds the schemas being merged above this one: a schema made of itself adds nothing. */
export const shapeOf = (
  document: unknown,
  value: unknown,
  inside: ReadonlySet<object> = new Set()
): Shape => {
  const { node, name: refName } = deref(document, value)
  if (inside.has(node)) return emptyShape(node)
  const within = new Set(inside).add(node)
  const merged = mergedMembers(node)
  const namedMembers = merged.filter((member) => isRecord(member) && typeof member.$ref === "string")
  const name =
    refName ??
    (namedMembers.length === 1 ? componentName((namedMembers[0] as { $ref: string }).$ref) : undefined)
  const shape = ownShape(value, node, name)
  for (const member of merged) mergeMember(shape, shapeOf(document, member, within), merged.length === 1)
  addOwnFields(shape, node)
  shape.variants.push(...variantsOf(node))
  if (shape.types.size === 0 && shape.properties.size > 0) shape.types.add("object")
  if (shape.types.size === 0)
    for (const variant of shape.variants)
      for (const type of shapeOf(document, variant, within).types) shape.types.add(type)
  return {
    ...shape,
    identity: node,
    additionalProperties: isRecord(shape.additionalProperties) ? shape.additionalProperties : undefined
  }
}
