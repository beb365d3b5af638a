/**
 * Answers shaped by one version's description. The views build every field any version has; a shape
 * keeps, at each object, the fields that version knows of it: what its schema declares, together with
 * what its recorded examples show (Intercom's examples carry fields the schemas leave out, e.g. a
 * conversation's `topics` and `ticket`, a contact's `utm_*`). So a 2.10 conversation has no
 * `ai_agent`, a 2.16 contact no `formatted_phone`, and each answer has every field of its example.
 */
import { isObject } from "effect/Predicate"
import type { SpecSchemas } from "./SpecSchemas.ts"

type Projector = (value: unknown) => unknown

const identity: Projector = (value) => value

const componentName = (node: unknown): string | undefined => {
  if (!isObject(node)) return undefined
  if (typeof node.$ref === "string") return node.$ref.split("/").at(-1)
  const first = Array.isArray(node.allOf) ? node.allOf[0] : undefined
  return isObject(first) && typeof first.$ref === "string" ? first.$ref.split("/").at(-1) : undefined
}

export class AnswerShape {
  private readonly schemas: SpecSchemas
  /** Per component: the keys its examples show, anywhere in the recorded answers. */
  private readonly exampleKeys = new Map<string, Set<string>>()
  private readonly components = new Map<string, Projector>()
  private readonly operations = new Map<string, Projector>()

  constructor(schemas: SpecSchemas) {
    this.schemas = schemas
    for (const { operationId } of schemas.listOperations()) {
      const schema = schemas.responseSchema(operationId)
      for (const example of schemas.responseExamples(operationId)) this.collect(schema, example, 0)
    }
  }

  /** An operation's answer, shaped by its 200 response schema. */
  answer(operationId: string, body: unknown): unknown {
    let project = this.operations.get(operationId)
    if (project === undefined) {
      project = this.compile(this.schemas.responseSchema(operationId))
      this.operations.set(operationId, project)
    }
    return project(body)
  }

  /** A value of a named component (a webhook's `data.item`: `contact`, `conversation`, `company`). */
  component(name: string, value: unknown): unknown {
    return this.componentProjector(name)(value)
  }

  /** Walks a recorded example beside its schema, noting the keys each component's examples show. */
  private collect(schema: unknown, example: unknown, depth: number): void {
    if (depth > 12 || !isObject(schema)) return
    const node = this.schemas.resolve(schema)
    if (!isObject(node)) return
    if (Array.isArray(example)) {
      for (const item of example) this.collect(node.items, item, depth + 1)
      return
    }
    if (!isObject(example)) return
    const name = componentName(schema)
    if (name !== undefined) {
      const keys = this.exampleKeys.get(name) ?? new Set<string>()
      this.exampleKeys.set(name, keys)
      for (const key of Object.keys(example)) keys.add(key)
    }
    const properties = this.propertiesOf(node)
    for (const [key, value] of Object.entries(example)) {
      const child = properties.get(key)
      if (child !== undefined) this.collect(child, value, depth + 1)
    }
  }

  /** A node's properties, `allOf` parts merged in, `$ref`s followed. */
  private propertiesOf(node: Record<string, unknown>): Map<string, unknown> {
    const properties = new Map<string, unknown>()
    const add = (part: unknown, depth: number) => {
      const resolved = this.schemas.resolve(part)
      if (!isObject(resolved) || depth > 8) return
      if (Array.isArray(resolved.allOf)) for (const member of resolved.allOf) add(member, depth + 1)
      if (isObject(resolved.properties)) {
        for (const [key, value] of Object.entries(resolved.properties)) properties.set(key, value)
      }
    }
    add(node, 0)
    return properties
  }

  private componentProjector(name: string): Projector {
    const known = this.components.get(name)
    if (known !== undefined) return known
    // Placeholder first: components refer to themselves (a part's author, nested lists).
    let compiled: Projector = identity
    this.components.set(name, (value) => compiled(value))
    compiled = this.compileNode(this.schemas.component(name), name)
    this.components.set(name, compiled)
    return compiled
  }

  private compile(schema: unknown): Projector {
    if (!isObject(schema)) return identity
    if (typeof schema.$ref === "string") return this.componentProjector(schema.$ref.split("/").at(-1) ?? "")
    return this.compileNode(schema, componentName(schema))
  }

  private compileNode(node: unknown, name: string | undefined): Projector {
    if (!isObject(node)) return identity
    if (node.type === "array") {
      const item = this.compile(node.items)
      return item === identity ? identity : (value) => (Array.isArray(value) ? value.map(item) : value)
    }
    const properties = this.propertiesOf(node)
    // Objects described without properties (custom_attributes) or by oneOf/anyOf keep what they hold.
    if (properties.size === 0) return identity
    const children = new Map<string, Projector>()
    for (const [key, schema] of properties) {
      const child = this.compile(schema)
      if (child !== identity) children.set(key, child)
    }
    const keys = new Set([
      ...properties.keys(),
      ...(name === undefined ? [] : (this.exampleKeys.get(name) ?? []))
    ])
    return (value) => {
      if (!isObject(value)) return value
      const out: Record<string, unknown> = {}
      for (const key in value) {
        if (!keys.has(key)) continue
        const child = children.get(key)
        out[key] = child === undefined ? value[key] : child(value[key])
      }
      return out
    }
  }
}
