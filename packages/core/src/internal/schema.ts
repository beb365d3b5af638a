/**
 * What the action inputs and Intercom answers share about Schemas: a decoder compiled once for the
 * hot path, and the issues of a failed decode as `{ path, message }` entries that say what is wrong
 * in the caller's terms (an unknown field with the one it was probably meant to be, a choice by the
 * field that makes it and its valid values).
 */
import type * as Cause from "effect/Cause"
import type * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"
import { SchemaJITCompiler } from "effect/schema"
import { closestName } from "./closestName.ts"

type Decoder<A> = (input: unknown) => Exit.Exit<A, Schema.SchemaError>

/** How a value is decoded: `strict` refuses fields the Schema does not name, `lenient` drops them. */
export type Strictness = "strict" | "lenient"

const parseOptions: Readonly<Record<Strictness, SchemaAST.ParseOptions>> = {
  strict: { errors: "all", onExcessProperty: "error" },
  lenient: { errors: "all" }
}

const decoders: Readonly<Record<Strictness, WeakMap<Schema.Top, Decoder<unknown>>>> = {
  strict: new WeakMap(),
  lenient: new WeakMap()
}

/** Whether a strict decode of the value would find no excess key: `false` when that is not certain. */
type ExcessFree = (value: unknown) => boolean

const always: ExcessFree = () => true
const unsure: ExcessFree = () => false

const isPlainRecord = (value: unknown): value is Readonly<Record<PropertyKey, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A literal field of a union member: its key and the one value it takes. */
interface Sentinel {
  readonly key: PropertyKey
  readonly literal: unknown
}

/**
 * The literal fields by which a union picks the members to try, as effect reads them (a required
 * field whose type is one literal), of an object member read as it is (no transformation on it or
 * its fields, which would change what is compared).
 */
const sentinelsOf = (member: SchemaAST.AST): ReadonlyArray<Sentinel> =>
  member._tag === "Objects" &&
  member.encoding === undefined &&
  member.propertySignatures.every((property) => property.type.encoding === undefined)
    ? member.propertySignatures.flatMap(({ name, type }) =>
        type._tag === "Literal" && !SchemaAST.isOptional(type) ? [{ key: name, literal: type.literal }] : []
      )
    : []

/**
 * Whether the value has one of the member's literal fields with another value: a union then never
 * tries that member, whichever way it selects (a NaN literal, equal to itself there, rules out nothing).
 */
const ruledOut = (sentinels: ReadonlyArray<Sentinel>, value: unknown): boolean =>
  isPlainRecord(value) &&
  sentinels.some(({ key, literal }) => {
    const present = key === "__proto__" ? Object.hasOwn(value, key) : key in value
    return present && !Number.isNaN(literal) && value[key] !== literal
  })

/**
 * The check, built once per Schema, that a value has no key a strict decode would refuse, anywhere in
 * it: every object's own keys are its Schema's fields or match an index signature over all strings,
 * every member of a union would see no excess key either, and no part of the Schema transforms its
 * input or is opaque to this reading (a declaration, a recursive Schema), which answers "unsure". A
 * value it passes decodes strictly exactly as it decodes leniently, so the lenient decode serves it.
 */
const excessFreeOf = (ast: SchemaAST.AST): ExcessFree => {
  if (ast.encoding !== undefined) return unsure
  switch (ast._tag) {
    case "Declaration":
    case "Suspend":
      return unsure
    case "Union": {
      const members = ast.types.map((member) => ({
        excessFree: excessFreeOf(member),
        sentinels: sentinelsOf(member)
      }))
      // A member the value's discriminator rules out is never tried, strict or not.
      return (value) =>
        members.every(({ excessFree, sentinels }) => ruledOut(sentinels, value) || excessFree(value))
    }
    case "Arrays": {
      if (ast.rest.length > 1) return unsure
      const elements = ast.elements.map(excessFreeOf)
      const [restAst] = ast.rest
      const rest = restAst === undefined ? undefined : excessFreeOf(restAst)
      return (value) => {
        if (!Array.isArray(value)) return true
        if (rest === undefined && value.length > elements.length) return false
        for (let index = 0; index < value.length; index++) {
          const element = elements[index] ?? rest
          if (element !== undefined && !element(value[index])) return false
        }
        return true
      }
    }
    case "Objects": {
      const fields = new Map(
        ast.propertySignatures.map((property) => [
          typeof property.name === "number" ? String(property.name) : property.name,
          excessFreeOf(property.type)
        ])
      )
      const [index, ...otherIndexes] = ast.indexSignatures
      if (otherIndexes.length > 0) return unsure
      const allStrings = index?.parameter._tag === "String" && index.parameter.checks === undefined
      if (index !== undefined && !allStrings) return unsure
      const indexed = index === undefined ? undefined : excessFreeOf(index.type)
      return (value) => {
        if (!isPlainRecord(value)) return true
        // Enumerable keys, inherited ones too (each unsure unless it is a field): the cheapest walk.
        for (const key in value) {
          const field = fields.get(key)
          if (field === undefined && indexed === undefined) return false
          if (field !== undefined && !field(value[key])) return false
          if (indexed !== undefined && !indexed(value[key])) return false
        }
        // A strict decode reads enumerable symbol keys too; JSON has none.
        return Object.getOwnPropertySymbols(value).length === 0
      }
    }
    default:
      // Every other node is a leaf: it reads no object's keys.
      return always
  }
}

/**
 * The Schema's decoder, reporting every issue, built on first use and kept for the Schema's
 * lifetime. Every request decodes an input and checks an answer, so effect's JIT compiler generates
 * the checks; where code cannot be generated, the interpreter stays in use. A strict decode gathers
 * the covered keys of every object it reads, each time; a value without excess keys is decoded
 * leniently instead, to the same result.
 */
export const decoderOf = <A>(
  schema: Schema.Codec<A, unknown>,
  strictness: Strictness = "lenient"
): Decoder<A> => {
  const cache = decoders[strictness]
  const known = cache.get(schema)
  if (known !== undefined) return known as Decoder<A>
  SchemaJITCompiler.enable(schema.ast)
  const decode = Schema.decodeUnknownExit(schema, parseOptions[strictness])
  let decoder: Decoder<A> = decode
  if (strictness === "strict") {
    const lenient = decoderOf(schema, "lenient")
    const excessFree = excessFreeOf(schema.ast)
    decoder = (input) => (excessFree(input) ? lenient(input) : decode(input))
  }
  cache.set(schema, decoder)
  return decoder
}

export interface IssueEntry {
  /** Dotted path of the offending field, e.g. "custom_attributes.plan"; "" for the whole value. */
  readonly path: string
  readonly message: string
}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const pathOf = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined): string =>
  (path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".")

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const quoted = (value: unknown): string => (value === undefined ? "nothing" : JSON.stringify(value))

/** An unknown field, named by the closest field the object does have, or else by all of them. */
const unknownField = (key: PropertyKey, objects: SchemaAST.AST): string => {
  const names =
    objects._tag === "Objects" ? objects.propertySignatures.map((property) => String(property.name)) : []
  if (names.length === 0) return "unknown field; no fields are expected here"
  const closest = closestName(String(key), names)
  return closest === undefined
    ? `unknown field; the fields are ${names.join(", ")}`
    : `unknown field; did you mean ${closest}?`
}

/** The field whose literal value picks the member of a union of objects, and its values in order. */
const discriminatorOf = (
  union: SchemaAST.Union
): { readonly field: string; readonly values: ReadonlyArray<unknown> } | undefined => {
  const [first, ...rest] = union.types
  if (first?._tag !== "Objects" || rest.some((member) => member._tag !== "Objects")) return undefined
  for (const candidate of first.propertySignatures) {
    const values = union.types.map((member) => {
      const property =
        member._tag === "Objects"
          ? member.propertySignatures.find((each) => each.name === candidate.name)
          : undefined
      return property?.type._tag === "Literal" ? property.type.literal : undefined
    })
    if (values.every((value) => value !== undefined)) return { field: String(candidate.name), values }
  }
  return undefined
}

const oneOf = (values: ReadonlyArray<unknown>, got: unknown) =>
  `expected one of ${values.map(quoted).join(", ")}; got ${quoted(got)}`

/**
 * A union no member of which was even tried: for objects, the issue is the field that picks the
 * member (`type: expected one of "admin", "user"; got "bot"`); for literals, the value itself.
 */
const unmatched = (
  issue: SchemaIssue.AnyOf,
  path: ReadonlyArray<PropertyKey>,
  value: unknown
): IssueEntry | undefined => {
  if (issue.ast.types.every((member) => member._tag === "Literal")) {
    const values = issue.ast.types.map((member) => (member._tag === "Literal" ? member.literal : undefined))
    return { path: pathOf(path), message: oneOf(values, value) }
  }
  const discriminator = discriminatorOf(issue.ast)
  if (discriminator === undefined || !isRecord(value)) return undefined
  return {
    path: pathOf([...path, discriminator.field]),
    message: oneOf(discriminator.values, value[discriminator.field])
  }
}

/**
 * Walks the issue tree along the input (`value` is what sits at `path`): the structural nodes are
 * followed, unknown fields and unmatched unions are described here, every other issue as effect's
 * Standard Schema formatter does.
 */
const collect = (
  issue: SchemaIssue.Issue,
  path: ReadonlyArray<PropertyKey>,
  value: unknown,
  parent: SchemaAST.AST | undefined,
  entries: Array<IssueEntry>
): void => {
  switch (issue._tag) {
    case "Pointer": {
      let inner = value
      for (const key of issue.path) inner = isRecord(inner) ? inner[String(key)] : undefined
      const [key] = issue.path
      const nested = issue.issue
      const unknown =
        issue.path.length === 1 &&
        key !== undefined &&
        (nested._tag === "UnexpectedKey" || (nested._tag === "InvalidType" && nested.ast._tag === "Never"))
      if (unknown) {
        entries.push({
          path: pathOf([...path, key]),
          message: unknownField(key, nested._tag === "UnexpectedKey" ? nested.ast : (parent ?? nested.ast))
        })
        return
      }
      collect(nested, [...path, ...issue.path], inner, parent, entries)
      return
    }
    case "Composite":
      for (const each of issue.issues) collect(each, path, value, issue.ast, entries)
      return
    case "AnyOf": {
      // A union that says what it expects as a whole (an id or "last") says it once.
      const message = issue.ast.annotations?.message
      if (typeof message === "string") {
        entries.push({ path: pathOf(path), message })
        return
      }
      if (issue.issues.length > 0) {
        for (const each of issue.issues) collect(each, path, value, parent, entries)
        return
      }
      const entry = unmatched(issue, path, value)
      if (entry !== undefined) {
        entries.push(entry)
        return
      }
      break
    }
  }
  const prefix = pathOf(path)
  for (const entry of formatIssues(issue).issues) {
    const rest = pathOf(entry.path)
    entries.push({
      path: prefix === "" ? rest : rest === "" ? prefix : `${prefix}.${rest}`,
      message: entry.message
    })
  }
}

/** Flattens a Schema issue tree into `{ path, message }` entries; `input` is the value that was decoded. */
export const issueEntries = (issue: SchemaIssue.Issue, input?: unknown): ReadonlyArray<IssueEntry> => {
  const entries: Array<IssueEntry> = []
  collect(issue, [], input, undefined, entries)
  return entries
}

/** The issues a decode of `input` failed with; `undefined` when it failed otherwise (a check that threw). */
export const issuesOf = (
  cause: Cause.Cause<Schema.SchemaError>,
  input?: unknown
): ReadonlyArray<IssueEntry> | undefined => {
  const failure = cause.reasons.find((reason) => reason._tag === "Fail")
  return failure?._tag === "Fail" ? issueEntries(failure.error.issue, input) : undefined
}
