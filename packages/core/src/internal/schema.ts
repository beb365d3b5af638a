/**
 * What the action inputs and Intercom answers share about Schemas: a decoder compiled once for the
 * hot path, and the issues of a failed decode as `{ path, message }` entries.
 */
import type * as Cause from "effect/Cause"
import type * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { SchemaJITCompiler } from "effect/schema"

type Decoder<A> = (input: unknown) => Exit.Exit<A, Schema.SchemaError>

const decoders = new WeakMap<Schema.Top, Decoder<unknown>>()

/**
 * The Schema's decoder, reporting every issue, built on first use and kept for the Schema's
 * lifetime. Every request decodes an input and checks an answer, so effect's JIT compiler generates
 * the checks; where code cannot be generated, the interpreter stays in use.
 */
export const decoderOf = <A>(schema: Schema.Codec<A, unknown>): Decoder<A> => {
  const known = decoders.get(schema)
  if (known !== undefined) return known as Decoder<A>
  SchemaJITCompiler.enable(schema.ast)
  const decoder = Schema.decodeUnknownExit(schema, { errors: "all" })
  decoders.set(schema, decoder)
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

export const issueEntries = (issue: SchemaIssue.Issue): ReadonlyArray<IssueEntry> =>
  formatIssues(issue).issues.map((entry) => ({ path: pathOf(entry.path), message: entry.message }))

/** The issues a decode failed with; `undefined` when it failed otherwise (a check that threw). */
export const issuesOf = (cause: Cause.Cause<Schema.SchemaError>): ReadonlyArray<IssueEntry> | undefined => {
  const failure = cause.reasons.find((reason) => reason._tag === "Fail")
  return failure?._tag === "Fail" ? issueEntries(failure.error.issue) : undefined
}
