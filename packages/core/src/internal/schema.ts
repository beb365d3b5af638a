/**
 * What the action inputs and Intercom answers share about Schemas: compiling one for the hot path,
 * and flattening its issues into `{ path, message }` entries.
 */
import type * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { SchemaJITCompiler } from "effect/schema"

const enabled = new WeakSet<Schema.Top>()

/**
 * Has effect's JIT compiler generate the Schema's checks once, on first use: every request decodes
 * an input and checks an answer. Where code cannot be generated, the interpreter stays in use.
 */
export const compileOnce = <S extends Schema.Top>(schema: S): S => {
  if (!enabled.has(schema)) {
    SchemaJITCompiler.enable(schema.ast)
    enabled.add(schema)
  }
  return schema
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
