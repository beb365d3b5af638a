/**
 * Intercom's answers, checked against the Schemas of the fields we rely on (`IntercomObjects`).
 *
 * Those Schemas only check: no field is renamed or converted. A valid answer is therefore passed on
 * as it arrived, neither rebuilt nor copied; only an invalid one is decoded in full, to name each
 * offending field. Every response goes through here, so each check is compiled once.
 */
import type { OperationId, operations } from "@taskjuice/intercom-client"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import { SchemaJITCompiler } from "effect/schema"
import { decoderOf, issuesOf } from "../internal/schema.ts"

/** A Schema whose decoded value is its input: what an answer is checked against. */
export type AnswerSchema<A> = Schema.Codec<A, A>

/**
 * Every field present, at any depth: the descriptions after 2.11 mark every field optional, and
 * whether a field is there is checked at run time by the answer's Schema.
 */
export type DeepRequired<T> =
  T extends ReadonlyArray<infer Element>
    ? Array<DeepRequired<Element>>
    : T extends object
      ? { [K in keyof T]-?: DeepRequired<T[K]> }
      : T

/** What the generated client says the operation answers with 200, as JSON. */
export type SuccessAnswer<Op extends OperationId> = operations[Op]["responses"] extends {
  readonly 200: { readonly content: { readonly "application/json": infer Body } }
}
  ? Body
  : never

/**
 * Compile-time proof that a Schema of type `A` accepts what the generated client says operation `Op`
 * answers: as a rest parameter it is empty when that holds and asks for an impossible argument when
 * it does not, so a Schema that drifts from a regenerated client fails the typecheck where it is used.
 */
export type AnswerFits<Op extends OperationId, A> =
  DeepRequired<SuccessAnswer<Op>> extends A ? [] : [answerDoesNotFit: never]

/** The answer, typed, or what is wrong with it: `path: message` per issue, `(root)` for the whole. */
export type AnswerCheck<A> = (value: unknown) => Result.Result<A, string>

/** An index signature that lets every string key through with any value: it refuses nothing. */
const admitsAnything = (index: SchemaAST.IndexSignature): boolean =>
  index.parameter._tag === "String" &&
  index.parameter.checks === undefined &&
  (index.type._tag === "Unknown" || index.type._tag === "Any") &&
  index.type.checks === undefined

/**
 * The AST with the index signatures that refuse nothing dropped from every object that has fields of
 * its own: a guard of it gives the verdict of a guard of the whole Schema (such an object is refused
 * for not being an object either way, and its other keys pass either way) without visiting each of
 * the fields an answer carries beyond the modelled ones, most of a contact's. An object with checks
 * of its own, or a transformation, is kept whole (its checks would see fewer keys).
 */
const withoutOpenRest = (ast: SchemaAST.AST): SchemaAST.AST => {
  if (ast.encoding !== undefined) return ast
  switch (ast._tag) {
    case "Objects": {
      const properties = ast.propertySignatures.map((property) => {
        const type = withoutOpenRest(property.type)
        return type === property.type ? property : new SchemaAST.PropertySignature(property.name, type)
      })
      const indexes =
        properties.length > 0 && ast.checks === undefined
          ? ast.indexSignatures.filter((index) => !admitsAnything(index))
          : ast.indexSignatures
      const changed =
        indexes.length !== ast.indexSignatures.length ||
        properties.some((property, index) => property !== ast.propertySignatures[index])
      return changed
        ? new SchemaAST.Objects(properties, indexes, ast.annotations, ast.checks, undefined, ast.context)
        : ast
    }
    case "Union": {
      const types = ast.types.map(withoutOpenRest)
      return types.every((type, index) => type === ast.types[index])
        ? ast
        : new SchemaAST.Union(types, ast.options, ast.annotations, ast.checks, undefined, ast.context)
    }
    case "Arrays": {
      const elements = ast.elements.map(withoutOpenRest)
      const rest = ast.rest.map(withoutOpenRest)
      const same =
        elements.every((element, index) => element === ast.elements[index]) &&
        rest.every((element, index) => element === ast.rest[index])
      return same
        ? ast
        : new SchemaAST.Arrays(
            ast.isMutable,
            elements,
            rest,
            ast.annotations,
            ast.checks,
            undefined,
            ast.context
          )
    }
    default:
      return ast
  }
}

const build = <A>(schema: AnswerSchema<A>): AnswerCheck<A> => {
  // The decoder first: it has the Schema compiled, for `is` too.
  const decode = decoderOf(schema)
  const guard = withoutOpenRest(schema.ast)
  if (guard !== schema.ast) SchemaJITCompiler.enable(guard)
  const isValid = guard === schema.ast ? Schema.is(schema) : Schema.is(Schema.make<Schema.Top>(guard))
  return (value) => {
    if (isValid(value)) return Result.succeed(value as A)
    const decoded = decode(value)
    if (Exit.isSuccess(decoded)) return Result.succeed(decoded.value)
    const issues = issuesOf(decoded.cause)
    if (issues === undefined) return Result.fail(String(decoded.cause))
    return Result.fail(issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; "))
  }
}

const checks = new WeakMap<Schema.Top, AnswerCheck<unknown>>()

/** The check of answers against `schema`, built on first use and kept for the Schema's lifetime. */
export const checkerOf = <A>(schema: AnswerSchema<A>): AnswerCheck<A> => {
  const known = checks.get(schema)
  if (known !== undefined) return known as AnswerCheck<A>
  const check = build(schema)
  checks.set(schema, check as AnswerCheck<unknown>)
  return check
}
