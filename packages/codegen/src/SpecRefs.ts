/**
 * The one home of `$ref` resolution over a parsed description (or any JSON document with local
 * references, such as a JSON Schema's `#/$defs/…`): what a JSON pointer points at, and a chain of
 * `$ref`s followed to its end, naming the last component on the way.
 *
 * A reference is read by @redocly/openapi-core's own `isRef` and `parseRef`, the ones its resolver
 * and linter (our `Validate`) read it with, so a `$ref` means the same to the validator and to every
 * reader here. Its `resolveDocument` itself does not fit: it is asynchronous, walks the whole
 * document by OpenAPI node types (a JSON Schema's `$defs` are not among them) and answers with a map
 * keyed by reference text, while the diff, the simulator's validators and the bundle's docs all
 * resolve synchronously over a document in memory. The ref utilities are imported from their own
 * module: the package's index loads the whole linter (about 0.6 s), which a simulator or a bundle
 * reading references at start-up should not pay.
 */
import { isRef, parseRef } from "@redocly/openapi-core/lib/ref-utils.js"

export type JsonObject = Record<string, unknown>

export const isRecord = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The last segment of a reference: `#/components/schemas/contact` → `contact`. */
export const componentName = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1)

/**
 * The value a local pointer (`#/components/schemas/contact`, `#/$defs/x`, `#` for the root) points at
 * in `document`; `undefined` when there is none, or when the pointer is into another document.
 */
export const atPointer = (document: unknown, pointer: string): unknown => {
  let parsed: ReturnType<typeof parseRef>
  try {
    parsed = parseRef(pointer)
  } catch {
    return undefined // a malformed %-escape
  }
  if (parsed.uri !== null) return undefined
  let node: unknown = document
  for (const segment of parsed.pointer)
    node = isRecord(node) || Array.isArray(node) ? (node as JsonObject)[segment] : undefined
  return node
}

export interface Dereferenced {
  /** Where the chain ends: the first node that is no reference (`{}` when it points nowhere). */
  readonly node: JsonObject
  /** The component named by the last reference of the chain, if `value` was a reference. */
  readonly name?: string
}

/** Follows a chain of local `$ref`s from `value` (a cycle or a reference into another document ends it). */
export const deref = (document: unknown, value: unknown): Dereferenced => {
  let node: unknown = value
  let name: string | undefined
  const seen = new Set<string>()
  while (isRef(node)) {
    const ref = node.$ref
    if (seen.has(ref) || !ref.startsWith("#/")) break
    seen.add(ref)
    name = componentName(ref)
    node = atPointer(document, ref)
  }
  const target = isRecord(node) ? node : {}
  return name === undefined ? { node: target } : { node: target, name }
}
